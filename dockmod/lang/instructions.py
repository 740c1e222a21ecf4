"""What BuildKit's instruction layer rejects in a file its parser accepts.

``docker build`` parses a Dockerfile in two steps: ``parser.Parse`` (the lines, words and
flags; ``grammar`` mirrors it) and ``instructions.Parse``, which turns each node into a typed
command and stops the build at the first one it rejects: ``FROM`` with two words, ``USER``
with none, an unknown flag, ``HEALTHCHECK --interval=bad``, ``ONBUILD ONBUILD``… This module
ports those checks, in Go's order, with Go's messages. Sources (moby/buildkit,
``frontend/dockerfile/instructions``): ``parse.go`` (``ParseInstructionWithLinter``, the
``parse*`` functions, ``err*`` messages), ``bflag.go`` (``BFlags.Parse``),
``support.go`` (``handleJSONArgs``), ``errors_unix.go`` (``errNotJSON``) and the ``RUN``
hooks ``commands_run{device,mount,network,security}.go``; ``util/suggest/error.go`` for the
"did you mean" hint. Go's standard library pieces those use (``time.ParseDuration``,
``strconv.ParseInt``/``ParseBool``, ``encoding/csv`` errors as ``tonistiigi/go-csvvalue``
raises them) are ported below them.

Only ``instructions.Parse`` is ported: checks the build makes later, with variables expanded
(a ``--mount`` field's value, ``COPY --from=$X``, an empty base name), are not here.

The input is the node as ``parser.Parse`` leaves it: the keyword, ``Node.Flags`` (quotes
removed, no ``--`` terminator), the arguments as ``nodeArgs`` lists them and the ``json``
attribute (``dockmod.buildkit.node_args`` derives them from the tree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dockmod.lang.words import HeredocError, go_quote, go_trim, parse_heredoc


@dataclass(frozen=True, slots=True)
class Rejection:
    """An instruction BuildKit rejects: the message, and what it is about, when more
    precise than the instruction: ``flag`` indexes the flags, ``arg`` the arguments."""

    message: str
    flag: int | None = None
    arg: int | None = None


def check(command: str, flags: list[str], args: list[str], json: bool = False) -> Rejection | None:
    """``ParseInstruction``'s error for one instruction, or None when it accepts it.

    ``command`` is the keyword in any case; an unknown one is not checked here.
    """
    fn = _PARSERS.get(command.lower())
    return fn(_Flags(flags), args, json) if fn is not None else None


# --- BFlags (bflag.go) ---------------------------------------------------------------------

_BOOL, _STRING, _STRINGS = range(3)


class _Flags:
    """``BFlags``: flags are declared (``AddBool``…), then :meth:`parse` checks the written ones."""

    __slots__ = ("args", "kinds", "values", "lists")

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.kinds: dict[str, int] = {}
        #: The value of each string and bool flag (its default until parsed), and every
        #: value of a strings flag with the index of the flag that gave it.
        self.values: dict[str, str] = {}
        self.lists: dict[str, list[tuple[str, int]]] = {}

    def add(self, name: str, kind: int, default: str = "") -> None:
        self.kinds[name] = kind
        if kind == _STRINGS:
            self.lists[name] = []
        else:
            self.values[name] = default

    def parse(self) -> Rejection | None:
        used: set[str] = set()
        for k, a in enumerate(self.args):
            if a == "--":
                return None
            if not a.startswith("--"):
                return Rejection(f"arg should start with -- : {a}", flag=k)
            flag_name, has_value, value = a.partition("=")
            name = flag_name[2:]
            kind = self.kinds.get(name)
            if kind is None:
                return Rejection(_suggest(f"unknown flag: {flag_name}", name, list(self.kinds)), flag=k)
            if name in used and kind != _STRINGS:
                return Rejection(f"duplicate flag specified: {flag_name}", flag=k)
            used.add(name)
            if kind == _BOOL:
                if has_value and value == "":
                    return Rejection(f"missing a value on flag: {flag_name}", flag=k)
                low = value.lower()
                if low in ("true", ""):
                    self.values[name] = "true"
                elif low == "false":
                    self.values[name] = "false"
                else:
                    return Rejection(f"expecting boolean value for flag {flag_name}, not: {value}", flag=k)
            elif not has_value:
                return Rejection(f"missing a value on flag: {flag_name}", flag=k)
            elif kind == _STRING:
                self.values[name] = value
            else:
                self.lists[name].append((value, k))
        return None

    def index(self, name: str) -> int | None:
        """The index of the last flag called ``name`` (what a string flag's value came from)."""
        found = None
        for k, a in enumerate(self.args):
            if a == "--":
                break
            if a.partition("=")[0] == "--" + name:
                found = k
        return found


def _suggest(message: str, value: str, options: list[str]) -> str:
    """``suggest.WrapError`` (case-sensitive): `` (did you mean X?)`` for an option less than
    3 edits away. Go walks a map, so among equally close options it picks any; here, the
    first declared."""
    best, least = "", 3
    for opt in options:
        if opt == value:
            return message
        d = _levenshtein(value, opt)
        if d < least:
            best, least = opt, d
    return f"{message} (did you mean {best}?)" if best else message


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# --- the parse* functions (parse.go), in ParseInstructionWithLinter's order ----------------


def _at_least_one(command: str) -> Rejection:
    return Rejection(f"{command} requires at least one argument")


def _exactly_one(command: str) -> Rejection:
    return Rejection(f"{command} requires exactly one argument")


def _no_destination(command: str) -> Rejection:
    return Rejection(f"{command} requires at least two arguments, but only one was provided. "
                     "Destination could not be determined")


def _kvps(args: list[str], command: str) -> Rejection | None:
    # parseKvps: args are (key, value, separator) triples.
    if not args:
        return _at_least_one(command)
    if len(args) % 3:
        return Rejection(f"Bad input to {command}, too many arguments")
    for j in range(0, len(args), 3):
        if not args[j]:
            return Rejection(f"{command} names can not be blank", arg=j)
    return None


def _parse_env(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    return f.parse() or _kvps(args, "ENV")


def _parse_label(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    return f.parse() or _kvps(args, "LABEL")


def _parse_maintainer(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    if len(args) != 1:
        return _exactly_one("MAINTAINER")
    return f.parse()


def _sources_and_dest(args: list[str], command: str) -> Rejection | None:
    # parseSourcesAndDest: the destination must not be a heredoc (MustParseHeredoc drops errors).
    try:
        heredoc = parse_heredoc(args[-1])
    except HeredocError:
        heredoc = None
    if heredoc is not None:
        return Rejection(f"{command} cannot accept a heredoc as a destination", arg=len(args) - 1)
    return None


def _parse_add(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    if len(args) < 2:
        return _no_destination("ADD")
    for name, kind in (("chown", _STRING), ("chmod", _STRING), ("link", _BOOL), ("keep-git-dir", _BOOL),
                       ("checksum", _STRING), ("unpack", _BOOL), ("exclude", _STRINGS)):
        f.add(name, kind)
    return f.parse() or _sources_and_dest(args, "ADD")


def _parse_copy(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    if len(args) < 2:
        return _no_destination("COPY")
    # `--from=` (empty) is accepted: the value is "", the same as no --from.
    for name, kind in (("chown", _STRING), ("from", _STRING), ("chmod", _STRING), ("link", _BOOL),
                       ("exclude", _STRINGS), ("parents", _BOOL)):
        f.add(name, kind)
    return f.parse() or _sources_and_dest(args, "COPY")


# parse.go validStageName, `^[a-z][a-z0-9-_.]*$` (RE2: `-` after a range is a literal).
_STAGE_NAME = re.compile(r"[a-z][a-z0-9_.\-]*")


def _parse_from(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    # parseBuildStageName, then the flags.
    if len(args) == 3 and args[1].casefold() == "as":  # strings.EqualFold
        if not _STAGE_NAME.fullmatch(args[2].lower()):
            return Rejection(f"invalid name for build stage: {go_quote(args[2])}, "
                             "name can't start with a number or contain symbols", arg=2)
    elif len(args) != 1:
        return Rejection("FROM requires either one or three arguments")
    f.add("platform", _STRING)
    return f.parse()


def _parse_onbuild(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    if not args:
        return _at_least_one("ONBUILD")
    err = f.parse()
    if err:
        return err
    trigger = go_trim(args[0]).upper()
    if trigger == "ONBUILD":
        return Rejection("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", arg=0)
    if trigger in ("MAINTAINER", "FROM"):
        return Rejection(f"{trigger} isn't allowed as an ONBUILD trigger", arg=0)
    return None


def _parse_workdir(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    if len(args) != 1:
        return _exactly_one("WORKDIR")
    return f.parse()


def _parse_run(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    # The pre-hooks declare the flags (in Go's file order: device, mount, network,
    # security), the post-hooks check their values in the same order.
    f.add("device", _STRINGS)
    f.add("mount", _STRINGS)
    f.add("network", _STRING, "default")
    f.add("security", _STRING, "sandbox")
    err = f.parse()
    if err:
        return err
    for value, k in f.lists["device"]:
        msg = _device_error(value)
        if msg:
            return Rejection(msg, flag=k)
    for value, k in f.lists["mount"]:
        msg = _mount_error(value)
        if msg:
            return Rejection(msg, flag=k)
    network = f.values["network"]
    if network not in ("default", "none", "host"):
        return Rejection(f"invalid network mode {go_quote(network)}", flag=f.index("network"))
    security = f.values["security"]
    if security not in ("insecure", "sandbox"):
        return Rejection(f"security {go_quote(security)} is not valid", flag=f.index("security"))
    return None


def _parse_flags_only(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    # parseCmd, parseEntrypoint: no flags, any arguments (a bare CMD is an empty command).
    return f.parse()


def _parse_healthcheck(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    if not args:
        return _at_least_one("HEALTHCHECK")
    typ = args[0].upper()
    rest = args[1:]
    if typ == "NONE":  # its flags are never parsed
        return Rejection("HEALTHCHECK NONE takes no arguments") if rest else None
    for name in ("interval", "timeout", "start-period", "start-interval", "retries"):
        f.add(name, _STRING)
    err = f.parse()
    if err:
        return err
    if typ == "CMD":
        if not rest:  # handleJSONArgs: a shell form is one (non-empty) string
            return Rejection("Missing command after HEALTHCHECK CMD", arg=0)
    else:
        return Rejection(f"Unknown type {go_quote(typ)} in HEALTHCHECK (try CMD)", arg=0)
    for name in ("interval", "timeout", "start-period", "start-interval"):
        msg = _interval_error(name, f.values[name])
        if msg:
            return Rejection(msg, flag=f.index(name))
    retries = f.values["retries"]
    if retries:
        n, msg = _parse_int32(retries)
        if msg is None and n < 0:
            msg = f"--retries cannot be negative ({n})"
        if msg:
            return Rejection(msg, flag=f.index("retries"))
    return None


def _parse_expose(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    if not args:
        return _at_least_one("EXPOSE")
    return f.parse()


def _parse_user(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    if len(args) != 1:
        return _exactly_one("USER")
    return f.parse()


def _parse_volume(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    if not args:
        return _at_least_one("VOLUME")
    err = f.parse()
    if err:
        return err
    for k, v in enumerate(args):
        if not go_trim(v):
            return Rejection("VOLUME specified can not be an empty string", arg=k)
    return None


def _parse_stopsignal(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    # Its flags are never parsed.
    return _exactly_one("STOPSIGNAL") if len(args) != 1 else None


def _parse_arg(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    # Its flags are never parsed.
    if not args:
        return _at_least_one("ARG")
    for k, a in enumerate(args):
        if a.startswith("="):
            return Rejection("ARG names can not be blank", arg=k)
    return None


def _parse_shell(f: _Flags, args: list[str], json: bool) -> Rejection | None:
    err = f.parse()
    if err:
        return err
    if not args:
        return _at_least_one("SHELL")
    if not json:
        return Rejection("SHELL requires the arguments to be in JSON form")
    return None


_PARSERS = {
    "env": _parse_env, "maintainer": _parse_maintainer, "label": _parse_label, "add": _parse_add,
    "copy": _parse_copy, "from": _parse_from, "onbuild": _parse_onbuild, "workdir": _parse_workdir,
    "run": _parse_run, "cmd": _parse_flags_only, "healthcheck": _parse_healthcheck,
    "entrypoint": _parse_flags_only, "expose": _parse_expose, "user": _parse_user,
    "volume": _parse_volume, "stopsignal": _parse_stopsignal, "arg": _parse_arg, "shell": _parse_shell,
}


# --- RUN --device and --mount, as instructions.Parse checks them ---------------------------


def _device_error(value: str) -> str | None:
    """``ParseDevice`` (commands_rundevice.go): checked in full when the file is parsed."""
    fields, err = _csv_fields(value)
    if err:
        return f"failed to parse csv devices: {err}"
    name = ""
    for field in fields or ():
        key, has_value, val = field.partition("=")
        key = key.lower()
        if not has_value:
            if key == "required":
                continue
            if not name:
                name = field
                continue
            return f"invalid field '{field}' must be a key=value pair"
        if key == "name":
            if name:
                return f"device name already set to {name}"
            name = val
        elif key == "required":
            if val not in _GO_BOOLS:
                return f"invalid value for {key}: {val}"
        elif not name:
            name = field
        else:
            return _suggest(f"unexpected key '{key}' in '{field}'", key, ["name", "required"])
    return None


def _mount_error(value: str) -> str | None:
    """``parseMount`` (commands_runmount.go) as the post-hook calls it, without an expander:
    it reads the CSV and a ``from`` field only; the other fields are checked when the build
    expands variables, which is not ported."""
    fields, err = _csv_fields(value)
    if err:
        return f"failed to parse csv mounts: {err}"
    for field in fields or ():
        key, has_value, val = field.partition("=")
        if has_value and key.lower() == "from":
            i = val.find("$")
            if i != -1 and i != len(val) - 1:
                return "'from' doesn't support variable expansion, define alias stage instead"
    return None


def _csv_fields(line: str) -> tuple[list[str] | None, str | None]:
    """``csvvalue.Fields`` (tonistiigi/go-csvvalue, default parser): the fields, or the
    error as Go prints it (``encoding/csv.ParseError``, its column a 1-based byte index)."""
    data = line.encode("utf-8", "surrogateescape")  # Go indexes the string's bytes
    if data.endswith(b"\n"):
        data = data[:-2] if data.endswith(b"\r\n") else data[:-1]
    if not data:
        return None, "EOF"
    out: list[bytes] = []
    pos = 0
    n = len(data)
    while True:
        if pos >= n or data[pos] != 0x22:  # a field without quotes
            comma = data.find(b",", pos)
            end = n if comma < 0 else comma
            quote = data.find(b'"', pos, end)
            if quote >= 0:
                return None, _csv_error(quote, 'bare " in non-quoted-field')
            out.append(data[pos:end])
            if comma < 0:
                break
            pos = comma + 1
            continue
        pos += 1  # a quoted field
        field = b""
        while True:
            quote = data.find(b'"', pos)
            if quote < 0:
                return None, _csv_error(pos, 'extraneous or missing " in quoted-field')
            field += data[pos:quote]
            pos = quote + 1
            if data[pos:pos + 1] == b'"':
                field += b'"'
                pos += 1
            elif data[pos:pos + 1] == b",":
                out.append(field)
                pos += 1
                break
            elif pos >= n:
                out.append(field)
                return [f.decode("utf-8", "surrogateescape") for f in out], None
            else:
                return None, _csv_error(pos - 1, 'extraneous or missing " in quoted-field')
    return [f.decode("utf-8", "surrogateescape") for f in out], None


def _csv_error(pos: int, what: str) -> str:
    return f"parse error on line 1, column {pos + 1}: {what}"


# --- Go's standard library, as the checks above call it -------------------------------------

_GO_BOOLS = frozenset(("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"))

# time.ParseDuration's units, in nanoseconds.
_UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000,
          "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}
_MILLISECOND = 1_000_000


def _interval_error(name: str, value: str) -> str | None:
    """``parseOptInterval`` (parse.go): empty or zero is unset; else a duration of 1ms or more."""
    if value == "":
        return None
    d, err = _parse_duration(value)
    if err:
        return err
    if d != 0 and d < _MILLISECOND:
        return f"Interval {go_quote(name)} cannot be less than 1ms"
    return None


def _time_quote(s: str) -> str:
    """The ``quote`` of Go's time package: ``\\xNN`` for each byte of a non-ASCII or control
    character, ``\\`` before ``"`` and ``\\``."""
    out = ['"']
    for ch in s:
        if ch >= "\x80" or ch < " ":
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape"))
        else:
            out.append("\\" + ch if ch in '"\\' else ch)
    out.append('"')
    return "".join(out)


def _parse_duration(orig: str) -> tuple[int, str | None]:
    """``time.ParseDuration``: nanoseconds, or Go's error message."""
    invalid = f"time: invalid duration {_time_quote(orig)}"
    data = orig.encode("utf-8", "surrogateescape")
    s = data
    neg = False
    if s[:1] in (b"-", b"+"):
        neg = s[:1] == b"-"
        s = s[1:]
    if s == b"0":
        return 0, None
    if not s:
        return 0, invalid
    total = 0
    while s:
        if not (s[:1] == b"." or b"0" <= s[:1] <= b"9"):
            return 0, invalid
        i = 0  # leadingInt
        v = 0
        while i < len(s) and 0x30 <= s[i] <= 0x39:
            if v > (1 << 63) // 10:
                return 0, invalid
            v = v * 10 + s[i] - 0x30
            if v > 1 << 63:
                return 0, invalid
            i += 1
        pre = i > 0
        s = s[i:]
        f, scale, post = 0, 1.0, False
        if s[:1] == b".":  # leadingFraction
            s = s[1:]
            i = 0
            overflow = False
            while i < len(s) and 0x30 <= s[i] <= 0x39:
                if not overflow:
                    if f > ((1 << 63) - 1) // 10:
                        overflow = True
                    else:
                        y = f * 10 + s[i] - 0x30
                        if y > 1 << 63:
                            overflow = True
                        else:
                            f = y
                            scale *= 10
                i += 1
            post = i > 0
            s = s[i:]
        if not pre and not post:
            return 0, invalid
        i = 0
        while i < len(s) and not (s[i] == 0x2E or 0x30 <= s[i] <= 0x39):
            i += 1
        if i == 0:
            return 0, f"time: missing unit in duration {_time_quote(orig)}"
        u = s[:i].decode("utf-8", "surrogateescape")
        s = s[i:]
        unit = _UNITS.get(u)
        if unit is None:
            return 0, f"time: unknown unit {_time_quote(u)} in duration {_time_quote(orig)}"
        if v > (1 << 63) // unit:
            return 0, invalid
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))
            if v > 1 << 63:
                return 0, invalid
        total += v
        if total > 1 << 63:
            return 0, invalid
    if neg:
        return -total, None
    if total > (1 << 63) - 1:
        return 0, invalid
    return total, None


def _parse_int32(s: str) -> tuple[int, str | None]:
    """``strconv.ParseInt(s, 10, 32)``: the value, or Go's error message."""

    def error(what: str) -> tuple[int, str]:
        return 0, f"strconv.ParseInt: parsing {go_quote(s)}: {what}"

    body, neg = s, False
    if s[:1] == "+":
        body = s[1:]
    elif s[:1] == "-":
        body, neg = s[1:], True
    if not body:
        return error("invalid syntax")
    n = 0
    for b in body.encode("utf-8", "surrogateescape"):  # ParseUint(body, 10, 32)
        if not 0x30 <= b <= 0x39:
            return error("invalid syntax")
        n = n * 10 + b - 0x30
        if n > (1 << 32) - 1:
            return error("value out of range")
    if (not neg and n >= 1 << 31) or (neg and n > 1 << 31):
        return error("value out of range")
    return (-n if neg else n), None
