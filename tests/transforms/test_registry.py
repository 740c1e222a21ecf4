"""The registry is complete and well-formed, and every transform is documented and tested."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import dockmod.transforms as pkg
from dockmod.transforms import REGISTRY, FixSafety

FIXTURES = Path(__file__).parent / "fixtures"


def test_every_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")}
    registered = {t.__module__.rsplit(".", 1)[1] for t in REGISTRY}
    assert modules == registered


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [t.meta.code for t in REGISTRY]
    names = [t.meta.name for t in REGISTRY]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    for t in REGISTRY:
        assert re.fullmatch(r"DM\d{3}", t.meta.code), t.meta.code
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", t.meta.name), t.meta.name
        module = t.__module__.rsplit(".", 1)[1]
        assert module == t.meta.name.replace("-", "_")
        assert t.__name__ == "".join(p.capitalize() for p in t.meta.name.split("-"))


def test_every_transform_is_documented_with_examples_and_fixtures() -> None:
    for t in REGISTRY:
        doc = __import__(t.__module__, fromlist=["_"]).__doc__ or ""
        for section in ("## Why", "## Fix safety"):
            assert section in doc, f"{t.meta.code} docstring lacks {section}"
        assert t.meta.examples, f"{t.meta.code} has no examples"
        # A transform without a fix title offers no fix, so it must be report-only.
        if t.meta.fix_title is None:
            assert t.meta.safety is FixSafety.DISPLAY_ONLY, t.meta.code
        assert list((FIXTURES / t.meta.name).glob("*.before.Dockerfile")), f"{t.meta.name} has no fixtures"


def test_readme_table_is_up_to_date() -> None:
    from dockmod.transforms._table import START, render

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert START in readme
    assert render(readme) == readme, "run `python -m dockmod.transforms._table` to update README.md"
