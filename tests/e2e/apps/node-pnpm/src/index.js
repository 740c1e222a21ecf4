// dockmod e2e sample: a production dependency at run time, a build output in dist/.
const isNumber = require("is-number");
const { version } = require("is-number/package.json");

console.log(`node-pnpm ok: is-number ${version}, isNumber("42")=${isNumber("42")}, __BUILT__`);
