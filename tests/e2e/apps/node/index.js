// dockmod e2e sample: Node with one small npm dependency.
const isNumber = require("is-number");
const { version } = require("is-number/package.json");

console.log(`node ok: is-number ${version}, isNumber("42")=${isNumber("42")}`);
