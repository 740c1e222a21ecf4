"""BuildKit's own parser (the PyPI package ``dockerfile``) as the conformance oracle."""

from __future__ import annotations

from typing import Any


# Where the package's (older) parser differs from current BuildKit, current BuildKit wins.
# Each difference is listed with its reason; inputs that show one are not compared.
KNOWN_DIFFERENCES = {
    "json-nul": "the package drops a \\u0000 inside a JSON-form string; current BuildKit keeps it",
    "heredoc-space": "current BuildKit (since 2025-03, 'allow whitespace in heredocs') accepts "
                     "`<< EOF`; the package's parser predates that and reads the body as instructions",
    "onbuild-heredoc": "BuildKit attaches ONBUILD's heredocs to the ONBUILD node; the package's "
                       "wrapper reads them from the trigger sub-node and so reports none",
    "json-trailing": "current BuildKit (since 2024-07, 'fix invalid usage of json.NewDecoder') "
                     "decodes JSON forms with json.Unmarshal, so `RUN [\"a\"] b` is shell form; "
                     "the package's json.Decoder ignored the trailing text",
    "flag-escape": "current BuildKit (since 2025-01, 'wcow: add support for bind and cache "
                   "mounts') unescapes flags with the file's escape char; the package always uses \\",
    "check-directive": "the package predates the `# check=` directive, so for it a `# check=` "
                       "line ends the directive block",
}


def oracle_instructions(text: str, expect_error: bool = False) -> list[dict[str, Any]] | None:
    """BuildKit's view of ``text`` in dockmod's ``buildkit.instructions`` shape.

    None when the package is not installed, when the text holds bytes that are not UTF-8,
    or (with ``expect_error``) when it rejects the input, which is what the caller expects.
    """
    try:
        import dockerfile
    except ImportError:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Undecodable bytes (kept as surrogates) crash the package's C bridge.
        return None
    try:
        cmds = dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        if expect_error:
            return None
        raise
    return [
        {
            "cmd": c.cmd, "sub_cmd": c.sub_cmd, "json": c.json, "original": c.original,
            "start_line": c.start_line, "end_line": c.end_line, "flags": list(c.flags),
            "value": list(c.value),
            "heredocs": [{"name": h.name, "content": h.content} for h in c.heredocs],
        }
        for c in cmds
    ]
