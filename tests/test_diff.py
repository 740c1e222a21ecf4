"""``dockmod.diff``: hunks that leave hidden lines out of their context still apply."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from dockmod.diff import unified_diff, unified_diff_bytes


def _secret(line: str) -> bool:
    return line.startswith("SECRET")


def test_nothing_hidden_gives_difflibs_hunks() -> None:
    rnd = random.Random(1)
    for _ in range(500):
        a = "".join(f"L{rnd.randint(0, 6)}\n" for _ in range(rnd.randint(0, 15)))
        b = "".join(f"L{rnd.randint(0, 6)}\n" for _ in range(rnd.randint(0, 15)))
        if rnd.random() < 0.3:
            a, b = a.rstrip("\n"), b.rstrip("\n")
        assert unified_diff_bytes(a, b, "D", hide=lambda line: False) == unified_diff_bytes(a, b, "D")


def test_a_hidden_line_is_left_out_of_the_context() -> None:
    before = "FROM a\nSECRET=1\nWORKDIR /x\nENV A b\nRUN x\nSECRET=2\nRUN y\n"
    after = before.replace("ENV A b", "ENV A=b")
    assert unified_diff(before, after, "D", hide=_secret) == (
        "--- a/D\n+++ b/D\n@@ -3,3 +3,3 @@\n WORKDIR /x\n-ENV A b\n+ENV A=b\n RUN x\n")


def test_a_hidden_line_right_after_a_change_stays_unless_the_hunk_ends_the_file() -> None:
    before = "FROM a\nENV A b\nSECRET=1\nRUN x\n"
    after = before.replace("ENV A b", "ENV A=b")
    assert " SECRET=1\n" in unified_diff(before, after, "D", hide=_secret)
    before = "FROM a\nSECRET=1\nENV A b\n"
    after = before.replace("ENV A b", "ENV A=b")
    assert unified_diff(before, after, "D", hide=_secret) == "--- a/D\n+++ b/D\n@@ -3 +3 @@\n-ENV A b\n+ENV A=b\n"


def test_every_hunk_applies_and_shows_a_hidden_line_only_where_git_needs_it(tmp_path: Path) -> None:
    """Random files and edits: ``git apply`` turns each diff into the new text, and a
    hidden context line is only the one after a change (a hunk must have one unless it
    ends the file) or the one before inserted lines only."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    rnd = random.Random(7)
    for _ in range(150):
        a = [("SECRET" if rnd.random() < 0.25 else "line") + f"{rnd.randint(0, 5)}\n" for _ in range(rnd.randint(1, 14))]
        b = list(a)
        for _ in range(rnd.randint(1, 3)):
            pos = rnd.randint(0, len(b))
            op = rnd.choice("idr")
            if op == "i":
                b.insert(pos, f"new{rnd.randint(0, 9)}\n")
            elif pos < len(b):
                if op == "d":
                    del b[pos]
                else:
                    b[pos] = f"changed{rnd.randint(0, 9)}\n"
        before, after = "".join(a), "".join(b)
        if rnd.random() < 0.2:
            before, after = before.rstrip("\n"), after.rstrip("\n")
        if before == after:
            continue
        diff = unified_diff(before, after, "D", hide=_secret)
        (tmp_path / "D").write_text(before)
        (tmp_path / "p").write_text(diff)
        r = subprocess.run(["git", "apply", "p"], cwd=tmp_path, capture_output=True, text=True)
        assert r.returncode == 0, (before, after, diff, r.stderr)
        assert (tmp_path / "D").read_text() == after
        lines = diff.split("\n")
        for i, line in enumerate(lines):
            if line.startswith(" SECRET"):
                assert lines[i - 1][:1] in "-+" or (lines[i - 1].startswith("@@") and lines[i + 1][:1] == "+"), diff
