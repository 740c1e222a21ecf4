"""Write ``AS`` in the same case as ``FROM``.

## What it does
Finds ``FROM … AS name`` lines whose ``AS`` is cased differently from the ``FROM``
keyword (BuildKit check ``FromAsCasing``) and re-cases ``AS``: ``FROM x as y`` becomes
``FROM x AS y``, ``from x AS y`` becomes ``from x as y``.

## Why
Keywords are case-insensitive, but mixing cases on one line is harder to read. A mixed-case
``FROM`` (``From``) is left to ``use-consistent-keyword-casing``, as BuildKit leaves it to
``ConsistentInstructionCasing``; once that has run, this one aligns ``AS``.

## Example
``FROM golang:1.22 as build`` becomes ``FROM golang:1.22 AS build``.

## Fix safety
Safe: BuildKit reads ``AS`` case-insensitively.

## Options
None.
"""

from __future__ import annotations

from dockmod.cst import From
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta


class MatchFromAsCasing(Transform):
    meta = TransformMeta(
        code="DM503",
        name="match-from-as-casing",
        summary="`{as_}` and `{from_}` keywords' casing do not match",
        fix_title="Write `{fixed}`",
        safety=FixSafety.SAFE,
        reference="BuildKit check FromAsCasing",
        examples=(
            Example(before="FROM alpine as build\n", after="FROM alpine AS build\n"),
            Example(before="from alpine AS build\n", after="from alpine as build\n"),
            Example(before="From alpine as build\n"),
        ),
    )

    def leave_From(self, original: From, updated: From) -> From:
        as_word = updated.as_keyword
        keyword = updated.keyword
        if as_word is None:
            return updated
        if keyword.isupper() and keyword == keyword.upper():
            fixed = as_word.raw.upper()
        elif keyword.islower() and keyword == keyword.lower():
            fixed = as_word.raw.lower()
        else:
            return updated
        if fixed == as_word.raw:
            return updated
        return self.propose(original, updated.with_changes(as_keyword=as_word.with_changes(raw=fixed)),
                            updated=updated, loc=original.as_keyword, as_=as_word.raw, from_=keyword,
                            fixed=fixed)
