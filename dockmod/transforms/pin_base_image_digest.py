"""Pin images to the digest their tag points at: ``FROM python:3.11-slim@sha256:…``.

## What it does
Finds every place a Dockerfile names an image from a registry and pins it to a digest,
keeping the tag next to it (``name:tag@sha256:…``) and any ``--platform`` flag:

- ``FROM image``;
- ``COPY --from=image`` and ``RUN --mount=…,from=image``;
- ``ARG BASE=python:3.11-slim`` + ``FROM ${BASE}``: the digest goes into the ARG's
  default, so ``--build-arg BASE=…`` still overrides it. A reference built from several
  parts (``FROM ${REGISTRY}/python:${VERSION}``) is reported without a fix.

Stage names, stage indexes, ``scratch`` and references whose variables have no default
are skipped: they name no registry image dockmod can know.

With ``refresh = true`` (``--refresh``), references already pinned are checked again: a
tag that moved gets the new digest, and a tag that is gone is reported (the digest is
dangling: nothing tells when to update it). ``latest`` and untagged references are
reported; where the registry lists tags, the fix names the most specific tag that serves
the same digest (``python`` becomes ``python:3.12.1@sha256:…``).

The registry is never asked from here: the run looks every reference up once, in one
batch before the transforms (``dockmod.pinning``), and this transform reads the answers
from ``context.resolver``. Failed look-ups are reported with the registry's reason.

## Why
A tag is a moving pointer. Two builds of the same Dockerfile a week apart can get
different base images; a digest makes the build reproducible and makes base-image
updates show up as reviewed diffs (the Renovate/Dependabot workflow).

## Example
``FROM python:3.11-slim`` becomes ``FROM python:3.11-slim@sha256:…``.

## Fix safety
Safe for the default pin. BuildKit ignores the tag when a digest is present, and the
digest is the one the tag points at when dockmod asks, which is exactly what a build
that pulls at that moment gets, for every stage and every ``--target``: the index digest
of a multi-platform image still lets each platform pick its own manifest. (A builder
that still has an older copy of the tag in its local cache would have built from that
copy; after pinning it pulls the current one. That is the intent of pinning.) Offering a
more specific tag for ``latest`` keeps the same digest, so it is safe as well.

Unsafe: pinning one platform's manifest (``platform`` option), since builds for other
platforms then get the wrong image or fail; ``--refresh`` updates, since they change the
image a build uses; and pinning an ARG default that a stage also re-declares (``ARG
BASE`` inside a stage), since the new value then reaches that stage's instructions too.

Off by default: it needs the network (or a lock file), and pinning commits a project to
a refresh workflow (``dockmod fix --refresh``, ``dockmod lock``). Select it with
``--select DM101`` or ``extend-select``.

## Options
- ``platform`` (str, default ``""``): ``""`` pins the digest the tag points at (the index
  of a multi-platform image); ``"stage"`` pins the manifest for the stage's literal
  ``--platform``; ``"linux/arm64"`` (any ``os/arch[/variant]``) pins that platform's manifest.
- ``refresh`` (bool, default false): also update pinned references whose tag moved.
- ``insecure-registries`` (list): hosts reached over plain HTTP (loopback always is).
- ``mirrors`` (table): ``{"docker.io" = "mirror.example:5000"}``: look images up there.
- ``ca-bundle`` (str): a PEM file of CA certificates to trust for registries.
- ``concurrency`` (int, default 8): look-ups in flight at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dockmod.cst import Arg, Copy, From, Run
from dockmod.cst.arguments import Flag, ImageRef, KeyValue
from dockmod.cst.instructions import Instruction
from dockmod.cst.module import Dockerfile
from dockmod.lang.words import LexError, process_word
from dockmod.registry.model import Failed, FailureKind, Request, Resolutions, Resolved
from dockmod.registry.reference import Reference, ReferenceError, parse
from dockmod.transforms._base import Example, FixSafety, Option, Transform, TransformMeta

_EXAMPLE_DIGEST = "sha256:" + "0" * 63 + "1"
_SIMPLE_VAR = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")
_VAR_NAME = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_PLATFORM = re.compile(r"^[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_.]+)?$")


@dataclass
class Site:
    """One place an image is named."""

    #: from | copy | mount | arg
    kind: str
    instruction: Instruction
    #: The node to point a finding at.
    leaf: Any
    #: The reference text after expansion (what BuildKit pulls).
    text: str
    ref: Reference | None = None
    #: The platform to pin for, or None for the tag's own digest (the index).
    platform: str | None = None
    #: kind == "mount": the flag; kind == "arg": the KeyValue holding the default.
    node: Any = None
    #: Why this site gets a report but no fix (a composed reference, …).
    no_fix: str | None = None
    unsafe_reason: str | None = None
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def follows_latest(self) -> bool:
        return self.ref is not None and self.ref.tag in (None, "latest")

    def request(self, refresh: bool) -> Request | None:
        if self.ref is None or self.no_fix:
            return None
        if self.ref.digest and not (refresh and self.ref.tag):
            return None
        return Request(self.ref.key, self.platform, similar_tags=self.follows_latest)


def _global_args(df: Dockerfile) -> tuple[dict[str, str], dict[str, tuple[Arg, KeyValue]]]:
    """Global ARG defaults (BuildKit: the last declaration wins) and where each is written."""
    env: dict[str, str] = {}
    where: dict[str, tuple[Arg, KeyValue]] = {}
    escape = df.escape
    for arg in df.global_args:
        for kv in arg.pairs:
            if not kv.has_value:
                env.pop(kv.key, None)
                where.pop(kv.key, None)
                continue
            try:
                env[kv.key] = process_word(kv.value or "", escape, env)
            except LexError:
                env.pop(kv.key, None)
                continue
            where[kv.key] = (arg, kv)
    return env, where


def _platform_for(option: str, stage_platform: str | None) -> str | None:
    if not option:
        return None
    if option == "stage":
        if stage_platform and "$" not in stage_platform and _PLATFORM.match(stage_platform):
            return stage_platform
        return None
    return option


def sites(df: Dockerfile, platform_option: str = "", model: Any = None) -> Iterator[Site]:
    """Every image reference in ``df`` that names a registry image, in file order.

    Stage-vs-image and ARG expansion come from the semantic model (``dockmod.semantic``)
    when it is there; otherwise from the CST with the global ARGs (the same rules, fewer
    cases: a ``--from`` with a variable is skipped instead of expanded).
    """
    if model is None:
        model = _semantic_model(df)
    env, arg_where = _global_args(df)
    stage_declared: set[str] = {kv.key for s in df.stages for a in s.args for kv in a.pairs}
    from_texts = [s.from_.image.text for s in df.stages if s.from_.image is not None]
    # COPY --from / --mount from images have no --platform of their own: "stage" pins the index.
    other_plat = None if platform_option == "stage" else _platform_for(platform_option, None)
    if model is not None:
        yield from _model_sites(model, platform_option, other_plat, arg_where, stage_declared, from_texts)
        return
    stages = df.stages
    names = {s.name for s in stages if s.name}

    def is_stage(text: str) -> bool:
        return text.lower() in names or text.isdigit()

    for stage in stages:
        frm = stage.from_
        image = frm.image
        if image is not None:
            expanded = _expand_global(image.text, env, df.escape)
            if expanded is not None and expanded.lower() != "scratch" and not is_stage(expanded):
                yield _from_site(frm, image, expanded, arg_where, stage_declared, from_texts,
                                 _platform_for(platform_option, frm.platform))
        for ins in stage.instructions[1:]:
            if isinstance(ins, Copy):
                f = ins.flag("from")
                if f is not None and f.value and "$" not in f.value and not is_stage(f.value):
                    yield _ref_site("copy", ins, f, f.value, other_plat, node=f)
            elif isinstance(ins, Run):
                for f in ins.flags:
                    spec = f.mount
                    src = spec.from_ if spec is not None else None
                    if src and "$" not in src and not is_stage(src):
                        yield _ref_site("mount", ins, f, src, other_plat, node=f)


def _semantic_model(df: Dockerfile) -> Any:
    try:
        from dockmod.semantic import model_for  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # a tree without the semantic layer: the CST path below
        return None
    return model_for(df)


def _expand_global(text: str, env: dict[str, str], escape: str) -> str | None:
    """``text`` with the global ARG defaults expanded; None when any part is unknown."""
    if "$" not in text:
        return text
    try:
        value = process_word(text, escape, env)
    except LexError:
        return None
    return None if "$" in value or not value else value


def _model_sites(model: Any, platform_option: str, other_plat: str | None,
                 arg_where: dict[str, tuple[Arg, KeyValue]], stage_declared: set[str],
                 from_texts: list[str]) -> Iterator[Site]:
    for stage in model.stages:
        frm = stage.from_
        # `FROM 0`: buildah reads a stage index there, BuildKit an image name; unknown, so skipped.
        if stage.base_kind == "image" and frm.image is not None and stage.image and not stage.image.isdigit():
            yield _from_site(frm, frm.image, stage.image, arg_where, stage_declared, from_texts,
                             _platform_for(platform_option, stage.platform))
        seen: dict[int, int] = {}
        for edge in stage.edges:
            if edge.kind == "from" or edge.image is None:
                continue
            flag = _edge_flag(edge, seen)
            if flag is None:
                continue
            site = _ref_site(edge.kind, edge.instruction, flag, edge.image, other_plat, node=flag)
            if "$" in edge.ref:
                site.no_fix = site.no_fix or f"`{edge.ref}` is built from variables; pin the image where it is set"
            yield site


def _edge_flag(edge: Any, seen: dict[int, int]) -> Flag | None:
    """The flag an edge comes from (the n-th matching one, for several mounts from one image)."""
    ins = edge.instruction
    if edge.kind == "copy":
        return ins.flag("from")
    n = seen.get(id(ins), 0)
    matches = [f for f in ins.flags if f.mount is not None and f.mount.from_ == edge.ref]
    seen[id(ins)] = n + 1
    return matches[n] if n < len(matches) else None


def _ref_site(kind: str, ins: Instruction, leaf: Any, text: str, platform: str | None, **kw: Any) -> Site:
    try:
        ref = parse(text)
    except ReferenceError as e:
        return Site(kind, ins, leaf, text, None, platform, no_fix=str(e), **kw)
    return Site(kind, ins, leaf, text, ref, platform, **kw)


def _from_site(frm: From, image: ImageRef, expanded: str, arg_where: dict[str, tuple[Arg, KeyValue]],
               stage_declared: set[str], from_texts: list[str], platform: str | None) -> Site:
    """The site of a FROM naming an image (``expanded``: its text with global ARGs expanded)."""
    text = image.text
    if not image.has_variables:
        return _ref_site("from", frm, image, text, platform)
    m = _SIMPLE_VAR.match(text)
    var = (m.group(1) or m.group(2)) if m else None
    if var is None or var not in arg_where:
        site = _ref_site("from", frm, image, expanded, platform)
        site.no_fix = site.no_fix or f"`{text}` is built from several parts, so no one ARG default can hold the digest"
        return site
    site = _ref_site("arg", frm, image, expanded, platform, node=arg_where[var])
    site.source = text
    others = [t for t in from_texts if var in _VAR_NAME.findall(t) and not _SIMPLE_VAR.match(t)]
    if others:
        site.no_fix = f"`{var}` is also part of `FROM {others[0]}`, which a new default would break"
    elif var in stage_declared:
        site.unsafe_reason = f"a stage re-declares `ARG {var}`, so the new default reaches its instructions"
    return site


def _rewrite_arg(kv: KeyValue, old: str, new: str) -> KeyValue | None:
    """``KEY=old`` → ``KEY=new``, keeping quotes; None when the value is not written plainly."""
    head, eq, value = kv.raw.partition("=")
    if not eq or value.count(old) != 1 or "\n" in kv.raw:
        return None
    return kv.with_changes(raw=f"{head}={value.replace(old, new)}")


def _rewrite_flag(flag: Flag, kind: str, old: str, new: str) -> Flag | None:
    if kind == "mount":
        try:
            return flag.with_mount_field("from", new)
        except ValueError:
            return None
    if flag.raw != f"--from={old}":
        return None
    return flag.with_changes(raw=f"--from={new}")


def _pinned_text(ref: Reference, written: str, digest: str, tag: str | None = None) -> str:
    """``written`` with its digest replaced (or added), the tag kept or replaced by ``tag``."""
    base = written.split("@", 1)[0]
    if tag is not None:
        slash = base.rfind("/")
        colon = base.rfind(":")
        if colon > slash:
            base = base[:colon]
        base = f"{base}:{tag}"
    return f"{base}@{digest}"


class PinBaseImageDigest(Transform):
    meta = TransformMeta(
        code="DM101",
        name="pin-base-image-digest",
        summary="{message}",
        fix_title="{action}",
        safety=FixSafety.SAFE,
        safety_varies="unsafe when it pins one platform's manifest, or a default a stage re-declares",
        default_enabled=False,
        reference="hadolint DL3006/DL3007; Renovate pinDigests",
        options=(
            Option("platform", str, "", "``\"\"`` pins the index; ``stage`` or ``os/arch`` pins one platform's manifest"),
            Option("refresh", bool, False, "update pinned references whose tag moved"),
            Option("insecure-registries", list, [], "registry hosts reached over plain HTTP", item=str),
            Option("mirrors", dict, {}, "registry host -> mirror host to look images up at", item=str),
            Option("ca-bundle", str, "", "PEM file of CA certificates to trust for registries"),
            Option("concurrency", int, 8, "registry look-ups in flight at once", minimum=1),
        ),
        examples=(
            Example(before="FROM python:3.11-slim\n",
                    after=f"FROM python:3.11-slim@{_EXAMPLE_DIGEST}\n"),
            Example(before="ARG BASE=python:3.11-slim\nFROM ${BASE}\n",
                    after=f"ARG BASE=python:3.11-slim@{_EXAMPLE_DIGEST}\nFROM ${{BASE}}\n"),
            Example(before="FROM golang:1.22 AS build\nFROM scratch\nCOPY --from=build /app /app\n",
                    after=f"FROM golang:1.22@{_EXAMPLE_DIGEST} AS build\nFROM scratch\nCOPY --from=build /app /app\n"),
        ),
    )
    #: What the examples run against (tests/transforms/test_examples.py), no registry involved.
    example_resolver: ClassVar[Resolutions] = Resolutions([
        Resolved("docker.io/library/python:3.11-slim", _EXAMPLE_DIGEST),
        Resolved("docker.io/library/golang:1.22", _EXAMPLE_DIGEST),
    ])

    def transform(self, df: Dockerfile) -> Dockerfile:
        refresh = bool(self.option("refresh"))
        replaced: dict[int, Instruction] = {}
        seen_args: set[int] = set()
        for site in sites(df, self.option("platform")):
            current = replaced.get(id(site.instruction), site.instruction)
            if site.kind == "arg":
                arg, kv = site.node
                if id(kv) in seen_args:  # several FROM ${BASE}: one finding, at the ARG
                    continue
                seen_args.add(id(kv))
                site.instruction, site.leaf = arg, kv
                current = replaced.get(id(arg), arg)
                new = self._visit_site(site, current, refresh, original=arg)
                if new is not current:
                    replaced[id(arg)] = new
                continue
            new = self._visit_site(site, current, refresh, original=site.instruction)
            if new is not current:
                replaced[id(site.instruction)] = new
        if not replaced:
            return df
        return df.with_changes(body=tuple(replaced.get(id(i), i) for i in df.body))

    # -- one site ----------------------------------------------------------------------
    def _visit_site(self, site: Site, current: Instruction, refresh: bool, original: Instruction) -> Instruction:
        ref = site.ref
        shown = site.text
        at = site.instruction
        if ref is None:
            self.report(site.instruction, at=at, loc=site.leaf,
                        message=f"Image `{shown}` cannot be pinned: {site.no_fix}", action="")
            return current
        if ref.digest and not (refresh and ref.tag):
            return current
        if site.no_fix:
            self.report(site.instruction, at=at, loc=site.leaf, no_fix_reason=site.no_fix,
                        message=f"Image `{shown}` is not pinned to a digest; {site.no_fix}",
                        action=f"Pin `{shown}` to a digest")
            return current
        request = site.request(refresh)
        result = self._lookup(request) if request is not None else None
        what = f"Image `{shown}`" + (f" (from `{site.source}`)" if site.source else "")
        if result is None:
            if ref.digest:
                return current
            self.report(site.instruction, at=at, loc=site.leaf,
                        no_fix_reason="no registry look-up in this run",
                        message=f"{what} is not pinned to a digest", action=f"Pin `{shown}` to a digest")
            return current
        if isinstance(result, Failed):
            if ref.digest:
                if result.kind is FailureKind.NOT_FOUND:
                    self.report(site.instruction, at=at, loc=site.leaf,
                                message=f"{what} has a dangling digest: tag `{ref.tag}` is gone from "
                                        f"`{ref.domain}`", action="")
                else:
                    self.report(site.instruction, at=at, loc=site.leaf, no_fix_reason=result.message,
                                message=f"{what} could not be checked for a newer digest: {result.message}",
                                action=f"Refresh `{shown}`")
                return current
            self.report(site.instruction, at=at, loc=site.leaf, no_fix_reason=result.message,
                        message=f"{what} is not pinned to a digest and could not be resolved: {result.message}",
                        action=f"Pin `{shown}` to a digest")
            return current
        digest = result.digest
        if ref.digest == digest:
            return current
        safety = FixSafety.SAFE
        tag = None
        if ref.digest:
            message = f"{what} is pinned to `{_short(ref.digest)}` but tag `{ref.tag}` now points at `{_short(digest)}`"
            action = f"Update `{shown}` to `{_short(digest)}`"
            safety = FixSafety.UNSAFE
        elif site.follows_latest:
            label = "follows `latest`" if ref.tag else "has no tag (it follows `latest`)"
            message = f"{what} {label} and is not pinned to a digest"
            if result.similar_tags:
                tag = result.similar_tags[0]
                action = f"Pin `{shown}` to tag `{tag}` at `{_short(digest)}` (same digest as `{ref.tag_or_latest}`)"
            else:
                action = f"Pin `{shown}` to `{_short(digest)}`"
        else:
            message = f"{what} is not pinned to a digest"
            action = f"Pin `{shown}` to `{_short(digest)}`"
        if site.platform:
            safety = FixSafety.UNSAFE
            action += f" (the `{site.platform}` manifest only)"
        if site.unsafe_reason:
            safety = FixSafety.UNSAFE
        replacement = self._replace(site, current, digest, tag)
        if replacement is None:
            self.report(site.instruction, at=at, loc=site.leaf,
                        no_fix_reason="the reference is not written plainly (quotes or line continuations)",
                        message=message, action=action)
            return current
        return self.propose(original, replacement, updated=current, safety=safety, at=at, loc=site.leaf,
                            message=message, action=action)

    def _lookup(self, request: Request) -> Resolved | Failed | None:
        resolver = self.context.resolver
        if resolver is None:
            return None
        return resolver.get((request.key, request.platform))

    def _replace(self, site: Site, current: Instruction, digest: str, tag: str | None) -> Instruction | None:
        ref = site.ref
        assert ref is not None
        if site.kind == "from":
            assert isinstance(current, From) and current.image is not None
            new_text = _pinned_text(ref, current.image.text, digest, tag)
            return current.with_changes(image=current.image.with_changes(raw=new_text))
        if site.kind == "arg":
            _, kv = site.node
            pairs = current.pairs  # type: ignore[attr-defined]
            for i, p in enumerate(pairs):
                if p.key == kv.key and p.has_value:
                    value = p.unquoted_value or ""
                    new_kv = _rewrite_arg(p, value, _pinned_text(ref, value, digest, tag))
                    if new_kv is None:
                        return None
                    return current.with_changes(pairs=pairs[:i] + (new_kv,) + pairs[i + 1:])
            return None
        flags = current.flags
        for i, f in enumerate(flags):
            if f.raw == site.node.raw:
                new_flag = _rewrite_flag(f, site.kind, site.text, _pinned_text(ref, site.text, digest, tag))
                if new_flag is None:
                    return None
                return current.with_changes(flags=flags[:i] + (new_flag,) + flags[i + 1:])
        return None


def _short(digest: str) -> str:
    algo, _, hexpart = digest.partition(":")
    return f"{algo}:{hexpart[:12]}" if hexpart else digest


def requests(df: Dockerfile, options: dict[str, Any] | None = None) -> list[Request]:
    """The look-ups a run of this transform on ``df`` will read, for the batch step."""
    options = options or {}
    refresh = bool(options.get("refresh", False))
    out = []
    for site in sites(df, options.get("platform", "")):
        r = site.request(refresh)
        if r is not None:
            out.append(r)
    return out
