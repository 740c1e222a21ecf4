"""``Context.model``: one model per tree, shared by the transforms of a pass."""

from __future__ import annotations

import dockmod
from dockmod.transforms._base import Context


def test_one_model_per_tree_object() -> None:
    df = dockmod.parse("FROM python:3.12 AS a\nFROM a AS b\nFROM alpine\n")
    first = Context(dockerfile=df).model
    assert Context(dockerfile=df, options={"x": 1}).model is first
    changed = df.with_changes(body=df.body[:2])
    other = Context(dockerfile=changed).model
    assert other is not first and len(other.stages) == 2
    # Only the newest tree's model is cached (see semantic.model_for): the old tree, asked
    # again, gets a model of its own, never the newer tree's.
    again = Context(dockerfile=df).model
    assert again is not other and again.dockerfile is df and len(again.stages) == 3


def test_targets_option_narrows_shipped() -> None:
    df = dockmod.parse("FROM python:3.12 AS base\nFROM base AS prod\nFROM base AS test\n")
    assert Context(dockerfile=df).model.shipped == {0, 1, 2}
    assert Context(dockerfile=df, options={"targets": ["prod"]}).model.shipped == {0, 1}
