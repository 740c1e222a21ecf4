"""The edits that report the comment lines their cut takes (``remove_command_moving_comments``,
``remove_words_moving_comments``): the same verified edit, and exactly the lines cut, as
written; the plain edits keep their contract (no comment line is ever reported lost)."""

from __future__ import annotations

from dockmod.cst.arguments import ShellCommand
from dockmod.shell.edits import (
    comment_lines,
    remove_command,
    remove_command_moving_comments,
    remove_words,
    remove_words_moving_comments,
)
from dockmod.shell.parse import parse_shell

EXAMPLE = ("apt-get update && apt-get install curl \\\n    # curl is for the health check\n"
           "    && rm -rf /var/lib/apt/lists/*")


def _command(raw: str, name: str) -> object:
    return next(c for c in parse_shell(ShellCommand(raw=raw)).commands if c.name == name)


def test_the_comment_line_above_a_removed_command_is_reported() -> None:
    source = ShellCommand(raw=EXAMPLE)
    out = remove_command_moving_comments(source, _command(EXAMPLE, "rm"))  # type: ignore[arg-type]
    assert out is not None
    new, taken = out
    assert new.raw == "apt-get update && apt-get install curl"
    assert taken == ((0, "# curl is for the health check\n"),)
    # The plain edit makes the same cut (its callers compare comment lines themselves).
    plain = remove_command(source, _command(EXAMPLE, "rm"))  # type: ignore[arg-type]
    assert plain is not None and plain.raw == new.raw


def test_a_middle_command_takes_only_its_own_comment_line() -> None:
    raw = ("npm ci && \\\n    # keep the image small\n    npm cache clean --force && \\\n"
           "    # then build\n    npm run build")
    out = remove_command_moving_comments(ShellCommand(raw=raw), parse_shell(ShellCommand(raw=raw)).commands[1])
    assert out is not None
    new, taken = out
    assert taken == ((0, "# keep the image small\n"),)
    assert new.raw == "npm ci && \\\n    # then build\n    npm run build"
    assert comment_lines(new.raw) == ["# then build"]


def test_line_ends_and_text_are_kept_as_written() -> None:
    raw = "npm ci && \\\r\n  \t#  keep   it small  \r\n    npm cache clean --force"
    out = remove_command_moving_comments(ShellCommand(raw=raw), parse_shell(ShellCommand(raw=raw)).commands[1])
    assert out is not None and out[1] == ((0, "#  keep   it small  \r\n"),)


def test_no_comment_no_lines() -> None:
    raw = "npm ci && npm cache clean --force"
    out = remove_command_moving_comments(ShellCommand(raw=raw), parse_shell(ShellCommand(raw=raw)).commands[1])
    assert out is not None and out[0].raw == "npm ci" and out[1] == ()


def test_a_comment_line_of_the_next_command_still_refuses() -> None:
    # The first command goes with the operator after it: the comment line there is the
    # next command's, and the cut is refused by both edits, as before.
    raw = "npm cache clean --force && \\\n    # install\n    npm ci"
    first = parse_shell(ShellCommand(raw=raw)).commands[0]
    assert remove_command(ShellCommand(raw=raw), first) is None
    assert remove_command_moving_comments(ShellCommand(raw=raw), first) is None


def test_a_word_whose_gaps_hold_comment_lines() -> None:
    raw = "rm -rf /tmp/build \\\n    # the lists\n    /var/lib/apt/lists/*"
    source = ShellCommand(raw=raw)
    word = parse_shell(source).commands[0].args[-1]
    assert remove_words(source, (word,)) is None  # the plain edit never cuts such a gap
    out = remove_words_moving_comments(source, (word,))
    assert out is not None
    assert out[0].raw == "rm -rf /tmp/build" and out[1] == ((0, "# the lists\n"),)


def test_a_free_gap_is_still_preferred_and_several_words_keep_source_order() -> None:
    # ``/a`` has a free gap after it: nothing moves. ``/b`` and ``/c`` have comment lines on
    # both sides: each takes the gap before it, and the lines come back in source order.
    raw = "rm -rf /keep \\\n  # one\n  /b \\\n  # two\n  /c"
    source = ShellCommand(raw=raw)
    args = parse_shell(source).commands[0].args
    out = remove_words_moving_comments(source, (args[-2], args[-1]))
    assert out is not None
    assert out[0].raw == "rm -rf /keep"
    assert out[1] == ((0, "# one\n"), (1, "# two\n"))
    raw = "rm -rf /a /keep \\\n  # one\n  /x"
    source = ShellCommand(raw=raw)
    out = remove_words_moving_comments(source, (parse_shell(source).commands[0].args[1],))
    assert out is not None and out[0].raw == "rm -rf /keep \\\n  # one\n  /x" and out[1] == ()


def test_the_index_counts_the_comment_lines_before_the_cut() -> None:
    raw = "a \\\n  # one\n  && b \\\n  # two\n  # three\n  && c \\\n  # four\n  && d"
    source = ShellCommand(raw=raw)
    out = remove_command_moving_comments(source, parse_shell(source).commands[2])
    assert out is not None
    assert out[0].raw == "a \\\n  # one\n  && b \\\n  # four\n  && d"
    assert out[1] == ((1, "# two\n"), (2, "# three\n"))


def test_a_command_sharing_its_line_leaves_the_comment_line_to_the_rest_of_it() -> None:
    # ``# clean up`` is above a line that keeps ``rm -rf /tmp/x``: the cleaner goes with the
    # operator after it, and nothing moves. The plain edit still cuts backwards.
    raw = "apt-get install -y curl \\\n    # clean up\n    && apt-get clean && rm -rf /tmp/x"
    source = ShellCommand(raw=raw)
    clean = parse_shell(source).commands[1]
    out = remove_command_moving_comments(source, clean)
    assert out is not None
    assert out == (out[0], ()) and out[0].raw == "apt-get install -y curl \\\n    # clean up\n    && rm -rf /tmp/x"
    plain = remove_command(source, clean)
    assert plain is not None and plain.raw == "apt-get install -y curl && rm -rf /tmp/x"
    # Alone on its line, the command takes the comment line above it.
    raw = "apt-get install -y curl \\\n    # clean up\n    && apt-get clean \\\n    && rm -rf /tmp/x"
    source = ShellCommand(raw=raw)
    out = remove_command_moving_comments(source, parse_shell(source).commands[1])
    assert out is not None and out[1] == ((0, "# clean up\n"),)
    assert out[0].raw == "apt-get install -y curl \\\n    && rm -rf /tmp/x"


# nextcloud/docker's full example: a commented-out package inside the install's list, the
# ``;`` that ends the list on the line below it.
LIST = ("set -ex; \\\n    apt-get install -y \\\n        procps \\\n#       libreoffice \\\n    ; \\\n"
        "    rm -rf /var/lib/apt/lists/*")


def test_a_comment_line_inside_the_previous_list_stays_with_its_semicolon() -> None:
    out = remove_command_moving_comments(ShellCommand(raw=LIST), _command(LIST, "rm"))  # type: ignore[arg-type]
    assert out is not None
    new, taken = out
    assert taken == ()
    assert new.raw == "set -ex; \\\n    apt-get install -y \\\n        procps \\\n#       libreoffice \\\n    ;"
    plain = remove_command(ShellCommand(raw=LIST), _command(LIST, "rm"))  # type: ignore[arg-type]
    assert plain is not None and plain.raw == new.raw


def test_a_middle_command_after_a_commented_list_takes_its_own_semicolon() -> None:
    raw = LIST + "; \\\n    echo done"
    out = remove_command_moving_comments(ShellCommand(raw=raw), _command(raw, "rm"))  # type: ignore[arg-type]
    assert out is not None
    new, taken = out
    assert taken == ()
    assert new.raw == ("set -ex; \\\n    apt-get install -y \\\n        procps \\\n#       libreoffice \\\n    ; \\\n"
                       "    echo done")


def test_a_comment_line_above_the_removed_command_after_the_semicolon_still_moves() -> None:
    raw = "apt-get install -y curl; \\\n    # clean up\n    rm -rf /var/lib/apt/lists/*"
    out = remove_command_moving_comments(ShellCommand(raw=raw), _command(raw, "rm"))  # type: ignore[arg-type]
    assert out is not None
    assert out[0].raw == "apt-get install -y curl" and out[1] == ((0, "# clean up\n"),)
