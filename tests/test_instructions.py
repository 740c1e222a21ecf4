"""What BuildKit's instruction layer (``instructions.Parse``) rejects in files its parser
accepts: ``check`` and ``fix`` reject them too, located, with BuildKit's message.

Every input here is accepted by BuildKit's parser (the ``dockerfile`` package, when
installed), so each row is about the instruction layer only. The expected messages are
BuildKit's (moby/buildkit ``frontend/dockerfile/instructions/parse.go``, ``bflag.go``, the
``commands_run*.go`` hooks) and Go's (``time.ParseDuration``, ``strconv.ParseInt``,
``encoding/csv``).
"""

from __future__ import annotations

import pytest

import dockmod
from dockmod._parse import reject_unknown
from tests.oracle import oracle_instructions

# (Dockerfile, "line:column: message") — one row per rule.
REJECTED = [
    # FROM: parseBuildStageName, then the flags
    ("FROM\n", "1:1: FROM requires either one or three arguments"),
    ("FROM scratch AS\n", "1:1: FROM requires either one or three arguments"),
    ("FROM a b c\n", "1:1: FROM requires either one or three arguments"),
    ("FROM a AS b c\n", "1:1: FROM requires either one or three arguments"),
    ("FROM --platform=$BUILDPLATFORM\n", "1:1: FROM requires either one or three arguments"),
    ("FROM a AS 1st\n", '1:11: invalid name for build stage: "1st", name can\'t start with a number '
                        "or contain symbols"),
    ("FROM a AS arm/v7\n", '1:11: invalid name for build stage: "arm/v7", name can\'t start with a '
                           "number or contain symbols"),
    ("FROM a AS ${NAME}\n", '1:11: invalid name for build stage: "${NAME}", name can\'t start with a '
                            "number or contain symbols"),
    ("FROM --plattform=linux/amd64 a\n", "1:6: unknown flag: --plattform (did you mean platform?)"),
    ("FROM --platform a\n", "1:6: missing a value on flag: --platform"),
    # exactly one argument
    ("FROM a\nUSER\n", "2:1: USER requires exactly one argument"),
    ("FROM a\nWORKDIR\n", "2:1: WORKDIR requires exactly one argument"),
    ("FROM a\nSTOPSIGNAL\n", "2:1: STOPSIGNAL requires exactly one argument"),
    ("FROM a\nMAINTAINER\n", "2:1: MAINTAINER requires exactly one argument"),
    # at least one argument
    ("ARG\nFROM a\n", "1:1: ARG requires at least one argument"),
    ("FROM a\nARG\n", "2:1: ARG requires at least one argument"),
    ("FROM a\nENV\n", "2:1: ENV requires at least one argument"),
    ("FROM a\nLABEL\n", "2:1: LABEL requires at least one argument"),
    ("FROM a\nEXPOSE\n", "2:1: EXPOSE requires at least one argument"),
    ("FROM a\nVOLUME\n", "2:1: VOLUME requires at least one argument"),
    ("FROM a\nVOLUME []\n", "2:1: VOLUME requires at least one argument"),
    ("FROM a\nONBUILD\n", "2:1: ONBUILD requires at least one argument"),
    ("FROM a\nHEALTHCHECK\n", "2:1: HEALTHCHECK requires at least one argument"),
    ("FROM a\nSHELL\n", "2:1: SHELL requires at least one argument"),
    ("FROM a\nSHELL []\n", "2:1: SHELL requires at least one argument"),
    # blank names, empty volumes
    ("FROM a\nENV =x\n", "2:5: ENV names can not be blank"),
    ("FROM a\nLABEL a=1 =x\n", "2:11: LABEL names can not be blank"),
    ("FROM a\nARG a =x\n", "2:7: ARG names can not be blank"),
    ('FROM a\nVOLUME ["/a", " "]\n', "2:8: VOLUME specified can not be an empty string"),
    # COPY / ADD
    ("FROM a\nCOPY onlyone\n", "2:1: COPY requires at least two arguments, but only one was provided. "
                               "Destination could not be determined"),
    ("FROM a\nADD onlyone\n", "2:1: ADD requires at least two arguments, but only one was provided. "
                              "Destination could not be determined"),
    ("FROM a\nCOPY <<EOF\nx\nEOF\n", "2:1: COPY requires at least two arguments, but only one was provided. "
                                     "Destination could not be determined"),
    ("FROM a\nCOPY a <<EOF\nx\nEOF\n", "2:8: COPY cannot accept a heredoc as a destination"),
    ("FROM a\nCOPY --user=me a b\n", "2:6: unknown flag: --user"),
    ("FROM a\nCOPY --form=b a b\n", "2:6: unknown flag: --form (did you mean from?)"),
    ("FROM a\nCOPY --from a b\n", "2:6: missing a value on flag: --from"),
    ("FROM a\nADD --chmod 777 a b\n", "2:5: missing a value on flag: --chmod"),
    ("FROM a\nCOPY --from=a --from=b a b\n", "2:15: duplicate flag specified: --from"),
    ("FROM a\nCOPY --link=yes a b\n", "2:6: expecting boolean value for flag --link, not: yes"),
    ("FROM a\nCOPY --link= a b\n", "2:6: missing a value on flag: --link"),
    ("FROM a\nADD --keep-git-dir=maybe a b\n", "2:5: expecting boolean value for flag --keep-git-dir, not: maybe"),
    # instructions that take no flags
    ("FROM a\nUSER --uid=1 bob\n", "2:6: unknown flag: --uid"),
    ("FROM a\nCMD --verbose\n", "2:5: unknown flag: --verbose"),
    ("FROM a\nENTRYPOINT --x [\"a\"]\n", "2:12: unknown flag: --x"),
    ("FROM a\nENV --x a=b\n", "2:5: unknown flag: --x"),
    ("FROM a\nONBUILD --x RUN y\n", "2:9: unknown flag: --x"),
    ("FROM a\nMAINTAINER --x me\n", "2:12: unknown flag: --x"),
    # ONBUILD triggers
    ("FROM a\nONBUILD ONBUILD RUN x\n", "2:9: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
    ("FROM a\nONBUILD FROM b\n", "2:9: FROM isn't allowed as an ONBUILD trigger"),
    ("FROM a\nonbuild maintainer me\n", "2:9: MAINTAINER isn't allowed as an ONBUILD trigger"),
    # SHELL
    ("FROM a\nSHELL bash -c\n", "2:1: SHELL requires the arguments to be in JSON form"),
    # HEALTHCHECK
    ("FROM a\nHEALTHCHECK NONE x\n", "2:1: HEALTHCHECK NONE takes no arguments"),
    ("FROM a\nHEALTHCHECK FOO x\n", '2:13: Unknown type "FOO" in HEALTHCHECK (try CMD)'),
    ("FROM a\nHEALTHCHECK CMD\n", "2:13: Missing command after HEALTHCHECK CMD"),
    ("FROM a\nHEALTHCHECK CMD []\n", "2:13: Missing command after HEALTHCHECK CMD"),
    ("FROM a\nHEALTHCHECK --intervall=5s CMD x\n", "2:13: unknown flag: --intervall (did you mean interval?)"),
    ("FROM a\nHEALTHCHECK --interval=bad CMD x\n", '2:13: time: invalid duration "bad"'),
    ("FROM a\nHEALTHCHECK --interval=30 CMD x\n", '2:13: time: missing unit in duration "30"'),
    ("FROM a\nHEALTHCHECK --timeout=5sec CMD x\n", '2:13: time: unknown unit "sec" in duration "5sec"'),
    ("FROM a\nHEALTHCHECK --interval=3000000h CMD x\n", '2:13: time: invalid duration "3000000h"'),
    ("FROM a\nHEALTHCHECK --start-period=500us CMD x\n", '2:13: Interval "start-period" cannot be less than 1ms'),
    ("FROM a\nHEALTHCHECK --timeout=-1s CMD x\n", '2:13: Interval "timeout" cannot be less than 1ms'),
    ("FROM a\nHEALTHCHECK --interval=5s --retries=three CMD x\n",
     '2:27: strconv.ParseInt: parsing "three": invalid syntax'),
    ("FROM a\nHEALTHCHECK --retries=3000000000 CMD x\n",
     '2:13: strconv.ParseInt: parsing "3000000000": value out of range'),
    ("FROM a\nHEALTHCHECK --retries=-1 CMD x\n", "2:13: --retries cannot be negative (-1)"),
    # RUN: flags and what its hooks check when the file is parsed
    ("FROM a\nRUN --mnt=type=cache,target=/x y\n", "2:5: unknown flag: --mnt (did you mean mount?)"),
    ("FROM a\nRUN --mount y\n", "2:5: missing a value on flag: --mount"),
    ("FROM a\nRUN --mount= y\n", "2:5: failed to parse csv mounts: EOF"),
    ('FROM a\nRUN --mount=type=cache,target=/x\\"y y\n',
     '2:5: failed to parse csv mounts: parse error on line 1, column 21: bare " in non-quoted-field'),
    ('FROM a\nRUN --mount=\\"type=cache y\n',
     '2:5: failed to parse csv mounts: parse error on line 1, column 2: extraneous or missing " in quoted-field'),
    ("FROM a\nRUN --mount=type=bind,from=$IMAGE,target=/x y\n",
     "2:5: 'from' doesn't support variable expansion, define alias stage instead"),
    ("FROM a\nRUN --network=bridge y\n", '2:5: invalid network mode "bridge"'),
    ("FROM a\nRUN --network= y\n", '2:5: invalid network mode ""'),
    ("FROM a\nRUN --security=privileged y\n", '2:5: security "privileged" is not valid'),
    ("FROM a\nRUN --device=a,b y\n", "2:5: invalid field 'b' must be a key=value pair"),
    ("FROM a\nRUN --device=a,name=b y\n", "2:5: device name already set to a"),
    ("FROM a\nRUN --device=name=a,required=maybe y\n", "2:5: invalid value for required: maybe"),
    ("FROM a\nRUN --device=name=a,nme=b y\n", "2:5: unexpected key 'nme' in 'nme=b' (did you mean name?)"),
    # instructions.Parse: no stage yet; dockerfile2llb: no stage at all
    ("RUN x\nFROM a\n", "1:1: no build stage in current context"),
    ("ARG V=1\nLABEL a=b\nFROM a\n", "2:1: no build stage in current context"),
    ("ARG V=1\n", "1:1: dockerfile contains no stages to build"),
    # the first error wins, as BuildKit stops at the first instruction it rejects
    ("FROM a\nUSER\nRUNN x\n", "2:1: USER requires exactly one argument"),
    ("FROM a\nRUNN x\nUSER\n", "2:1: unknown instruction: RUNN (did you mean RUN?)"),
    # located where the flag is written, also on a continuation line
    ("FROM a\nCOPY --chown=1 \\\n  --form=b a b\n", "3:3: unknown flag: --form (did you mean from?)"),
]

# Accepted by BuildKit: each would be easy to reject by mistake.
ACCEPTED = [
    "FROM a\nCMD\n",  # an empty CMD (parseCmd checks no argument count)
    "FROM a\nENTRYPOINT\n",
    "FROM a\nRUN\n",  # parseRun neither
    "FROM a\nCOPY --from= . .\n",  # an empty --from is a value: the same as no --from
    "FROM a\nCOPY --exclude=*.md --exclude=*.txt . .\n",  # a strings flag may repeat
    "FROM a\nCOPY --link --parents a b\n",
    "FROM a\nCOPY --link=TRUE a b\n",
    "FROM a\nADD --keep-git-dir=true --unpack=false --checksum=sha256:0 a b\n",
    "FROM a\nCOPY -- --a b\n",  # after `--`, words are arguments
    "FROM a\nCOPY <<EOF /dest\nx\nEOF\n",  # a heredoc source is fine
    "FROM a\nONBUILD COPY onlyone\n",  # an ONBUILD trigger is checked where it runs, not here
    "FROM a\nONBUILD RUN --foo x\n",
    "FROM a\nARG --x y\n",  # parseArg never parses its flags
    "FROM a\nSTOPSIGNAL --x SIGTERM\n",  # nor does parseStopSignal
    "FROM a\nHEALTHCHECK --foo NONE\n",  # nor HEALTHCHECK NONE
    "FROM a\nHEALTHCHECK --interval= --retries=0 CMD x\n",  # empty: unset
    "FROM a\nHEALTHCHECK --interval=0 --timeout=1ms --start-interval=1.5h CMD x\n",
    "FROM a\nHEALTHCHECK --interval=30s --timeout=3s --start-period=1m30s --retries=3 CMD curl -f http://x/\n",
    "FROM a\nHEALTHCHECK cmd [\"true\"]\n",
    "FROM a AS b\nFROM b AS Build-2.x_y\n",
    "FROM a as b\n",
    "FROM --platform=$BUILDPLATFORM a AS b\n",
    "ARG A\nARG B=1 C\nFROM a\n",  # ARG before the first FROM
    "FROM a\nARG a b=\n",
    "FROM a\nENV A b\n",
    "FROM a\nVOLUME /a /b\n",
    "FROM a\nSHELL [\"/bin/sh\", \"-c\"]\n",
    "FROM a\nRUN --mount=type=bogus,foo=bar x\n",  # mount fields are checked once variables are expanded
    "FROM a\nRUN --mount=type=bind,from=base$ x\n",  # `$` at the very end is no variable
    "FROM a\nRUN --mount=type=cache,target=/x --mount=type=secret,id=s --network=none --security=insecure y\n",
    "FROM a\nRUN --device=vendor.com/class=name,required y\n",
    "FROM a\nRUN --device=name=a,required=true y\n",
    "FROM a\nMAINTAINER me <me@example.com>\n",
    "FROM a\nUSER 1000:1000\n",
    "FROM a\nEXPOSE 80/tcp 443\n",
    "FROM a\nWORKDIR /app\n",
]


def _rejection(text: str) -> str | None:
    df = dockmod.parse(text)
    try:
        reject_unknown(df, "Dockerfile")
    except dockmod.ParseError as e:
        assert e.path == "Dockerfile" and "\n" not in e.message
        return f"{e.line}:{e.column}: {e.message}"
    return None


@pytest.mark.parametrize("text,expected", REJECTED, ids=[t for t, _ in REJECTED])
def test_buildkit_rejects(text: str, expected: str) -> None:
    oracle_instructions(text)  # BuildKit's parser accepts it (raises otherwise), as dockmod.parse does
    assert _rejection(text) == expected


@pytest.mark.parametrize("text", ACCEPTED)
def test_buildkit_accepts(text: str) -> None:
    oracle_instructions(text)
    assert _rejection(text) is None


def test_escape_character_and_crlf_keep_the_location() -> None:
    text = "# escape=`\r\nFROM a\r\nCOPY --chown=1 `\r\n  --form=b a b\r\n"
    assert _rejection(text) == "4:3: unknown flag: --form (did you mean from?)"


def test_a_bom_is_no_column() -> None:
    assert _rejection("\ufeffFROM a b\n") == "1:1: FROM requires either one or three arguments"
