"""Secrets in a Dockerfile: which ARG/ENV keys hold one, and how to keep values out of output.

* :func:`is_secret_name`: BuildKit's SecretsUsedInArgOrEnv rule, with dockmod's extra
  allow and deny words, and the user's own lists (``allow``/``deny`` options);
* :func:`looks_like_credential`: a value with a known token prefix, a URL with a password,
  or a high-entropy string (guarded, see :mod:`dockmod.ecosystems.secrets`);
* :func:`secret_values`: every secret value written in a file, for masking;
* :func:`mask_secrets`: replaces those values in any text dockmod prints;
* :func:`mask_printed`: the same for a printout of a file (``dockmod parse``), with the
  quoted forms its formats use.

The rules are data in :mod:`dockmod.ecosystems.secrets`. Nothing here imports the CST
beyond reading ``ARG``/``ENV`` pairs, so the runner may call it on every file cheaply.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dockmod.cst import Dockerfile



def _load_rules():  # type: ignore[no-untyped-def]
    """:mod:`dockmod.ecosystems.secrets`, the rows of the detector.

    Loaded as itself (same name, same module object for every importer), but without
    running ``dockmod.ecosystems/__init__`` when nothing has yet: that imports every
    package manager's table and the shell parser, which ``dockmod parse`` (it masks
    secrets in what it prints) never needs. The rows module imports only :mod:`re`."""
    import sys

    name = "dockmod.ecosystems.secrets"
    module = sys.modules.get(name)
    if module is not None:
        return module
    if "dockmod.ecosystems" in sys.modules:
        import importlib

        return importlib.import_module(name)
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "ecosystems" / "secrets.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


data = _load_rules()

MASK = "****"
#: The line a masked diff starts with (``git apply`` skips text before the first header).
MASK_NOTE = ("# dockmod: secret values are masked as **** in this diff, so it does not apply; "
             "--apply writes the real file\n")


@cache
def _token_re(tokens: tuple[str, ...]) -> re.Pattern[str] | None:
    if not tokens:
        return None
    words = "|".join(re.escape(t) for t in sorted(set(tokens), key=len, reverse=True))
    # BuildKit's shape: the token is the whole key, or a ``_``-separated word of it.
    return re.compile(rf"(?i)(?:_|^)(?:{words})(?:_|$)")


def _matches(tokens: tuple[str, ...], name: str) -> bool:
    rx = _token_re(tokens)
    return bool(rx and rx.search(name))


def is_secret_name(name: str, allow: Sequence[str] = (), deny: Sequence[str] = ()) -> bool:
    """True when ``name`` reads as a secret's name.

    A word of ``deny`` (BuildKit's list, dockmod's additions, the user's) and no word of
    ``allow`` (likewise). A user's ``deny`` word beats the built-in allow list, and a
    user's ``allow`` word beats every deny list, so either can correct dockmod.
    """
    if not allow and not deny:  # most calls: no user lists to lower-case
        return _is_secret_name(name, (), ())
    return _is_secret_name(name, tuple(a.lower() for a in allow), tuple(d.lower() for d in deny))


@lru_cache(maxsize=4096)
def _is_secret_name(name: str, user_allow: tuple[str, ...], user_deny: tuple[str, ...]) -> bool:
    """:func:`is_secret_name` with the user's lists lower-cased, its answers cached (the
    same keys recur across the files of a run)."""
    if _matches(user_allow, name):
        return False
    if _matches(user_deny, name):
        return True
    if not _matches(data.BUILDKIT_DENY_TOKENS + data.EXTRA_DENY_TOKENS, name):
        return False
    if data.DOTNET_SECTION_SEPARATOR in name:
        name = _dotnet_last_section(name)
        if not name or not _matches(data.BUILDKIT_DENY_TOKENS + data.EXTRA_DENY_TOKENS, name):
            return False
    return not _matches(data.BUILDKIT_ALLOW_TOKENS + data.EXTRA_ALLOW_TOKENS, name)


def _dotnet_last_section(name: str) -> str:
    """The section of a .NET hierarchical configuration key (``Section__0__Key``) whose
    name says what its value is; "" when that is one item's key of a list of key/value
    pairs (``__0__Key``). ``name`` itself when it is not such a key (a section would start
    or end with ``_``, as in npm's ``NPM_CONFIG__AUTH`` for ``_auth``: still ``AUTH``).
    See :data:`dockmod.ecosystems.secrets.DOTNET_SECTION_SEPARATOR`."""
    sections = name.split(data.DOTNET_SECTION_SEPARATOR)
    if any(not s or s[0] == "_" or s[-1] == "_" for s in sections):
        return name
    last = sections[-1]
    if len(sections) > 2 and sections[-2].isdigit() and last.lower() in data.DOTNET_ITEM_PROPERTIES:
        return ""
    return last


def names_public_key(name: str) -> bool:
    """``name`` says its value is a public key (``…_PUBKEY``, ``…_PUBLIC_KEY``): not a
    secret on entropy alone (:data:`dockmod.ecosystems.secrets.PUBLIC_KEY_WORDS`)."""
    words = name.lower().split("_")
    return any(tuple(words[i:i + len(w)]) == w for w in data.PUBLIC_KEY_WORDS for i in range(len(words)))


def credential_in(name: str, value: str) -> str | None:
    """:func:`looks_like_credential` for the value of the variable ``name``: a public
    key's name (:func:`names_public_key`) rules out a merely high-entropy value."""
    kind = looks_like_credential(value)
    if kind == HIGH_ENTROPY and names_public_key(name):
        return None
    return kind


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(rx)) for name, rx, _ in data.TOKEN_PATTERNS)


@cache
def _any_pattern() -> re.Pattern[str]:
    """All token patterns as one alternation: it matches somewhere exactly when one of them
    does (one scan of a value instead of one per pattern; the patterns use no flags, group
    numbers or anchors the alternation could change)."""
    return re.compile("|".join(f"(?:{rx})" for _, rx, _ in data.TOKEN_PATTERNS))


HIGH_ENTROPY = "high-entropy string"
# scheme://user:password@host: the password part, when it is written out (not a variable),
# and the host (an IPv6 address in brackets, or a name), which ``$`` may end.
_URL_CREDENTIALS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@(\[[0-9A-Fa-f:.]*\]|[^/\s:@?#\[]*)")
_REPEATED = re.compile(r"(x|\*)\1{2,}")


def _placeholder_credentials(m: re.Match[str]) -> bool:
    """The URL credentials ``m`` found are a placeholder: a local or reserved host, or a
    placeholder password (:data:`dockmod.ecosystems.secrets.PLACEHOLDER_HOSTS`, …)."""
    password = m.group(1).lower().strip("<>{}[]")
    if password in data.PLACEHOLDER_PASSWORDS or _REPEATED.fullmatch(password):
        return True
    host = m.group(2).lower().strip("[]").rstrip(".")
    if not host or "$" in host:
        return False
    if host in data.PLACEHOLDER_HOSTS or host.rsplit(".", 1)[-1] in data.PLACEHOLDER_TLDS:
        return True
    if any(host.endswith("." + h) for h in data.PLACEHOLDER_HOSTS):
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_BASE64ISH = re.compile(r"[A-Za-z0-9+/=_-]+")
_HEX = re.compile(r"[0-9a-fA-F]+")


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_like_credential(value: str) -> str | None:
    """What kind of credential ``value`` looks like (e.g. ``"GitHub token"``), or None.

    The false-positive guard for the entropy test: the value must be one word of at least
    ``MIN_ENTROPY_LENGTH`` characters from the base64/URL-safe alphabet, mix upper case,
    lower case and digits, and not be hexadecimal (checksums, digests, commit ids and key
    fingerprints, which Dockerfiles are full of). A value holding a variable (``$X``) is
    never a credential by itself: its secret, if any, comes from elsewhere.
    """
    if value.lower() in data.FLAG_VALUES:
        return None
    if _any_pattern().search(value):
        for name, rx in _patterns():
            if rx.search(value):
                return name
    # The URL pattern needs a `://` (most values have none: no regex scan).
    if "://" in value and any("$" not in m.group(1) and not _placeholder_credentials(m) for m in _URL_CREDENTIALS.finditer(value)):
        return "URL with a password"
    if "$" in value or len(value) < data.MIN_ENTROPY_LENGTH:
        return None
    if not _BASE64ISH.fullmatch(value) or _HEX.fullmatch(value):
        return None
    if not (re.search(r"[a-z]", value) and re.search(r"[A-Z]", value) and re.search(r"[0-9]", value)):
        return None
    if entropy(value) >= data.BASE64_ENTROPY_LIMIT:
        return HIGH_ENTROPY
    return None


@dataclass(frozen=True, slots=True)
class SecretValue:
    """A secret written in a Dockerfile: the key, and its value as written and as read."""

    key: str
    raw: str
    value: str


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def secret_values(df: Dockerfile, allow: Sequence[str] = (), deny: Sequence[str] = (),
                  text: str | None = None) -> list[SecretValue]:
    """Every ARG default and ENV value in ``df`` that is a secret by name or by value.

    Also the credentials that appear in any other instruction's text (a token pasted into
    a ``RUN`` or a ``LABEL``), found by value only, so that masking covers them too.
    ``text`` is ``df.code`` when the caller has it (the runner has the file's text).
    """
    from dockmod.cst import Arg, Env, Onbuild

    allow_t, deny_t = tuple(allow), tuple(deny)
    out: list[SecretValue] = []
    for ins in df.body:
        inner = ins.instruction if isinstance(ins, Onbuild) and ins.instruction is not None else ins
        if isinstance(inner, (Arg, Env)):
            # KeyValue.key and .value each re-read .text (BuildKit's word rules): read it once.
            words = [kv.text.partition("=") for kv in inner.pairs]
            pairs = [(key, raw) for key, eq, raw in words if eq]
            legacy = getattr(inner, "legacy", None)
            if legacy is not None:
                pairs.append((legacy.key, legacy.value))
            for key, raw in pairs:
                value = _declared_secret(key, raw, allow_t, deny_t)
                if value is not None:
                    out.append(SecretValue(key, raw, value))
    for word in _credential_words(df.code if text is None else text, allow, deny):
        out.append(SecretValue("", word, word))
    return out


@lru_cache(maxsize=4096)
def _declared_secret(key: str, raw: str, allow: tuple[str, ...], deny: tuple[str, ...]) -> str | None:
    """The value of the declaration ``key=raw`` (an ARG default or ENV value, as written)
    when it is a secret by name or by value, else None (:func:`secret_values`).

    Cached: a pure function of its arguments and the rows, and the same pairs recur across
    a run's files (``ENV PATH=…``, ``ARG VERSION=…``: ~4 uses per distinct pair on the
    corpus), each costing a dozen regular-expression searches."""
    value = _unquote(raw)
    if not value.strip() or value.lower() in data.FLAG_VALUES:
        return None
    if "$" in value and looks_like_credential(value) is None:
        return None
    if is_secret_name(key, allow, deny) or credential_in(key, value):
        return value
    return None


# ``NAME=value`` written out in any instruction's text (a shell ``export``, a
# ``--build-arg``, a config line echoed into a file): detect-secrets' KeywordDetector idea,
# with dockmod's own secret-name rule. Quoted values may not hold ``$`` or a backslash (a
# variable or an escape would make the text differ from the value).
_ASSIGNMENT = re.compile(r"""(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$\\\n]*)"|'([^'\n]*)'|([^\s"'$;&|<>`\\]+))""")

#: A keyed value shorter than this is left alone (``PASSWORD=x`` in a test fixture), as is
#: a path: masking must not eat ordinary text.
MIN_KEYED_LENGTH = 6


def _lines_with(text: str, *needles: str) -> str:
    """The lines of ``text`` that hold every one of ``needles``, joined by ``\n``.

    For a pattern that never matches across a ``\n`` and whose every match holds the
    needles: it finds the same matches, in the same order, in this text as in ``text``
    (a line keeps its own boundaries, and a look-behind sees ``\n`` or the start in
    both). Scanning only these lines is the point: most lines hold no ``=``.

    The needles are non-empty and hold no ``\n``. The lines are reached by ``str.find`` of
    the first needle, from one matching line's end to the next (~4x faster than testing
    every line of ``text`` in Python): a line holds the first needle exactly when a find
    from its start lands in it, so the same lines come out, in order.
    """
    if not all(n in text for n in needles):
        return ""
    first, rest = needles[0], needles[1:]
    out = []
    at = text.find(first)
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        if end < 0:
            end = len(text)
        line = text[start:end]
        if all(n in line for n in rest):
            out.append(line)
        at = text.find(first, end)
    return "\n".join(out)


#: Text that every match of a token pattern holds, when the pattern starts with a
#: character class (a pattern that starts with a literal is found fast by ``re`` itself);
#: ``test_detect`` checks that each one is a literal of its pattern outside any group.
_REQUIRED_TEXT: dict[str, str] = {"Stripe secret key": "k_live_"}


def _credential_words(text: str, allow: Sequence[str] = (), deny: Sequence[str] = ()) -> Iterable[str]:
    for name, rx in _patterns():
        if name == "private key":
            continue
        required = _REQUIRED_TEXT.get(name)
        if required is not None and required not in text:
            continue
        for m in rx.finditer(text):
            yield m.group(0)
    # Neither pattern below matches across a line break (each part excludes ``\n``).
    for m in _URL_CREDENTIALS.finditer(_lines_with(text, "://", "@")):
        # As DM301 judges a URL's password (looks_like_credential): a placeholder (a
        # local or reserved host, ``password``, ``changeme``…) is no secret to mask.
        if "$" not in m.group(1) and not _placeholder_credentials(m):
            yield m.group(1)
    for m in _ASSIGNMENT.finditer(_lines_with(text, "=")):
        value = next(g for g in m.groups()[1:] if g is not None)
        if (len(value) >= MIN_KEYED_LENGTH and not value.startswith(("/", "./", "~"))
                and not _HEX.fullmatch(value)  # a key fingerprint or checksum, as above
                and value.lower() not in data.FLAG_VALUES and is_secret_name(m.group(1), allow, deny)):
            yield value


def mask_secrets(text: str, values: Iterable[str | SecretValue]) -> str:
    """``text`` with every secret value replaced by ``****``, longest values first.

    A value shorter than four characters could not be told apart from ordinary text, so
    it is masked only where it follows its key (``KEY=abc``, ``KEY abc``). One shorter than
    :data:`SHORT` is masked only as a whole token (not inside a longer word: ``pass`` in a
    URL's ``user:pass@``, never in ``compass`` or ``password``), so that the text stays
    readable and the stars do not spell out where the value hides in ordinary words.
    """
    strings: set[str] = set()
    keyed: set[tuple[str, str]] = set()
    for v in values:
        if isinstance(v, SecretValue):
            strings.update((v.raw, v.value))
            if v.key:
                keyed.add((v.key, v.raw))
        else:
            strings.add(v)
    for key, raw in keyed:
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(key)}(=|[ \t]+){re.escape(raw)}",
                      lambda m: f"{key}{m.group(1)}{MASK}", text)
    for s in sorted((s for s in strings if len(s) >= 4), key=len, reverse=True):
        if len(s) >= SHORT:
            text = text.replace(s, MASK)
        elif s in text:
            text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(s)}(?![A-Za-z0-9_])", MASK, text)
    return text


#: Secret values shorter than this are masked as whole tokens only (see mask_secrets).
SHORT = 8


def mask_printed(df: Dockerfile, text: str, json_text: bool = False) -> str:
    """``text`` with the file's secret values masked, as every other output is: as written,
    unquoted, as BuildKit's word rules read them, and in the quoted forms the formats print
    (Python's repr, Go's %q, JSON). A JSON text is masked string by string and re-encoded.

    For what ``dockmod parse`` prints of ``df`` (its tree, BuildKit's forms, the model)."""
    import json

    from dockmod.buildkit import go_quote
    from dockmod.lang.words import process_word

    secrets = secret_values(df)
    if not secrets:
        return text
    plain: set[str] = set()
    for v in secrets:
        plain.update((v.raw, v.value))
        try:
            plain.add(process_word(v.raw))
        except Exception:  # a value BuildKit's lexer rejects is still masked as written
            pass
    values = set(plain)
    if not json_text:
        for x in plain:
            values.update((repr(x)[1:-1], go_quote(x)[1:-1], json.dumps(x, ensure_ascii=False)[1:-1]))
        return mask_secrets(text, sorted(values))

    def walk(o):  # type: ignore[no-untyped-def]
        if isinstance(o, str):
            return mask_secrets(o, sorted(values))
        if isinstance(o, list):
            return [walk(x) for x in o]
        if isinstance(o, dict):
            return {walk(k): walk(v) for k, v in o.items()}
        return o

    end = "\n" if text.endswith("\n") else ""
    return json.dumps(walk(json.loads(text)), ensure_ascii=False) + end


def build_notes(results: Iterable[Any], applied: bool) -> list[str]:
    """For ``fix``: one line per secret moved to a mount, saying what the build must pass.

    ``results`` are the runner's file results. A DM301 finding on a declaration (its
    message starts with "Secret") whose unsafe fix this run applies (or, in a dry run,
    would apply) gives ``path: <fix title>``; after ``--apply`` the finding is gone from
    the file, so this line is where the user learns the new build command.
    """
    from dockmod.transforms._base import FixSafety

    verb = "now needs" if applied else "would need"
    out: dict[tuple[str, str], str] = {}
    for r in results:
        for f in getattr(r, "findings", ()):
            if f.code != "DM301" or not f.message.startswith("Secret") or not f.fix_title:
                continue
            if f.safety is FixSafety.UNSAFE and r.unsafe_fixes:
                out.setdefault((r.path, f.fix_title), f"{r.path}:{f.line}: the build {verb} a secret: {f.fix_title}")
    return list(out.values())


_DECLARATION = re.compile(r"(?i)(\b(?:ARG|ENV)\s+)([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*|\s+)(\S[^\n]*)")


def mask_findings(findings: Iterable[Any], values: Sequence[SecretValue]) -> list[Any]:
    """Findings whose message and fix title have ``values`` masked (any transform may quote
    a value: DM502's "Write `KEY=value`")."""
    from dataclasses import replace

    out = []
    for f in findings:
        message = mask_secrets(f.message, values)
        title = mask_secrets(f.fix_title, values) if f.fix_title else f.fix_title
        reason = mask_secrets(f.no_fix_reason, values) if f.no_fix_reason else f.no_fix_reason
        unsafe = mask_secrets(f.unsafe_reason, values) if f.unsafe_reason else f.unsafe_reason
        if (message, title, reason, unsafe) != (f.message, f.fix_title, f.no_fix_reason, f.unsafe_reason):
            f = replace(f, message=message, fix_title=title, no_fix_reason=reason, unsafe_reason=unsafe)
        out.append(f)
    return out


def mask_unparsed(text: str) -> str:
    """``text`` (e.g. a parse error quoting a source line) with secret values masked.

    For files that do not parse, so :func:`secret_values` has no tree to read: an
    ``ARG``/``ENV`` on the quoted line whose key is a secret's name, or whose value looks
    like a credential, has its value replaced; credentials written out elsewhere too.
    """
    def repl(m: re.Match[str]) -> str:
        head, key, sep, value = m.groups()
        if is_secret_name(key) or looks_like_credential(value.strip().strip("'\"")):
            return f"{head}{key}{sep}{MASK}"
        return m.group(0)

    text = _DECLARATION.sub(repl, text)
    return mask_secrets(text, list(_credential_words(text)))
