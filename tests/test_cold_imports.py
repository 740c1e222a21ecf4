"""What a cold start imports: ``dockmod.parse`` and ``dockmod parse`` stay off the package
managers' tables, the shell parser and the transforms (they need none of them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_HEAVY = ("dockmod.ecosystems", "dockmod.shell", "dockmod.semantic", "dockmod.transforms", "tree_sitter")


def _modules(code: str, tmp_path: Path) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _heavy(mods: list[str]) -> list[str]:
    return [m for m in mods if m == "dockmod.ecosystems" or m.startswith(_HEAVY)
            and m != "dockmod.ecosystems.secrets"]


def test_library_parse_imports_no_ecosystem(tmp_path: Path) -> None:
    mods = _modules("import sys, json, dockmod\n"
                    "dockmod.parse('FROM python:3.12\\nARG TOKEN=ghp_x\\nRUN pip install x\\n')\n"
                    "print(json.dumps(sorted(sys.modules)))", tmp_path)
    assert "dockmod.ecosystems" not in mods
    assert not [m for m in mods if m.startswith(("dockmod.ecosystems", "dockmod.secrets"))]
    assert _heavy(mods) == []


def test_cli_parse_imports_only_the_secret_rows(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nARG TOKEN=ghp_x\nRUN pip install x\n")
    code = ("import sys, json, runpy\n"
            "sys.argv = ['dockmod', 'parse', 'Dockerfile']\n"
            "try:\n    runpy.run_module('dockmod', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print()\nprint(json.dumps(sorted(sys.modules)))")
    mods = _modules(code, tmp_path)
    assert "dockmod.secrets" in mods  # what it prints is masked
    assert _heavy(mods) == []


def test_secret_rows_are_one_module_whoever_imports_first(tmp_path: Path) -> None:
    mods = _modules("import sys, json\n"
                    "import dockmod.secrets as s\n"
                    "from dockmod.ecosystems import secrets as rows\n"
                    "import dockmod.transforms.move_secrets_to_mounts as t\n"
                    "assert s.data is rows is t.data is sys.modules['dockmod.ecosystems.secrets']\n"
                    "print(json.dumps(sorted(sys.modules)))", tmp_path)
    assert "dockmod.ecosystems" in mods
