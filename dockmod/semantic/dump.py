"""``dockmod parse --format model`` / ``model-json``: the model, readable and as JSON.

The JSON shape is ``dockmod/schemas/model.schema.json``. ``null`` stands for a value that
cannot be known (``UNKNOWN``).
"""

from __future__ import annotations

import json
from typing import Any

from dockmod.cst.instructions import Instruction, Run
from dockmod.cst.module import Dockerfile
from dockmod.lang.words import UNKNOWN
from dockmod.semantic.model import Model
from dockmod.semantic.scope import Scope


def instruction_lines(df: Dockerfile) -> dict[int, int]:
    """1-based line of each top-level instruction's keyword, by identity."""
    line = 1 + sum(d.code.count("\n") for d in df.directives)
    out: dict[int, int] = {}
    for ins in df.body:
        lead = sum(x.code.count("\n") for x in ins.leading_lines)
        out[id(ins)] = line + lead
        line += ins.code.count("\n")
    return out


def _value(v: Any) -> Any:
    return None if v is UNKNOWN else v


def _user(scope: Scope) -> dict[str, Any]:
    u = scope.user
    return {"spec": u.spec, "name": u.name, "uid": u.uid, "gid": u.gid, "home": u.home,
            "reason": u.reason, "inherited": u.inherited, "from_args": sorted(scope.user_args)}


def to_json(model: Model, path: str) -> dict[str, Any]:
    df = model.dockerfile
    lines = instruction_lines(df)
    shipped = model.shipped
    unreachable = model.unreachable
    stages = []
    for s in model.stages:
        f = s.image_facts
        stages.append({
            "index": s.index,
            "name": s.name,
            "line": lines[id(s.from_)],
            "base": {
                "kind": s.base_kind, "stage": s.base_stage, "image": s.image,
                "text": s.image_text, "candidates": list(s.base_candidates),
                "family": f.family if f else None, "distro": f.distro if f else None,
                "package_manager": f.package_manager if f else None,
                "slim": f.slim if f else None,
            },
            "platform": s.platform,
            "edges": [{"kind": e.kind, "line": lines[id(e.instruction)], "stage": e.stage,
                       "image": e.image, "ref": e.ref, "candidates": list(e.candidates)}
                      for e in s.edges],
            "shipped": s.index in shipped,
            "reachable": s.index not in unreachable,
            "needs": sorted(model.needs(s.index)),
            "descendants": list(model.descendants(s.index)),
        })
    instructions = []
    for ins in df.body:
        scope = model.scope_at(ins)
        stage = model.stage_of(ins)
        item: dict[str, Any] = {
            "line": lines[id(ins)],
            "instruction": ins.name,
            "stage": stage.index if stage is not None else None,
            "user": _user(scope),
            "workdir": scope.workdir,
            "home": scope.home,
            "shell": list(scope.shell),
            "env": {k: _value(v) for k, v in sorted(scope.env.items())},
            "env_complete": scope.env_complete,
            "args": {k: _value(v) for k, v in sorted(scope.args.items())},
        }
        if isinstance(ins, Run):
            facts = model.run(ins)
            item["run"] = {
                "posix": facts.posix,
                "calls": [{"manager": str(c.manager), "action": c.action,
                           "files": list(c.files), "manifests": list(c.manifests)}
                          for c in facts.calls],
                "reads": sorted(facts.reads),
                "assigns": sorted(facts.assigns),
                "cds": list(facts.cds),
                "writes": list(facts.writes),
                "users_created": [{"name": u.name, "uid": u.uid, "gid": u.gid, "home": u.home,
                                   "system": u.system} for u in facts.users_created],
            }
        instructions.append(item)
    return {"path": path, "stages": stages, "instructions": instructions}


def _fmt(v: Any) -> str:
    return "?" if v is UNKNOWN or v is None else str(v)


def _user_text(scope: Scope) -> str:
    u = scope.user
    # A USER that expands ARGs (`USER ${UID}`): its value is the ARG's default, which
    # `--build-arg` can change.
    args = scope.user_args
    via = f" [from ARG {', '.join(sorted(args))}]" if args else ""
    if u.uid is None:
        who = u.name or u.spec or "?"
        return f"{who} (uid ?{': ' + u.reason if u.reason else ''}){via}"
    gid = "?" if u.gid is None else u.gid
    return f"{u.name or u.spec}({u.uid}:{gid}){via}"


def to_text(model: Model, path: str) -> str:
    df = model.dockerfile
    lines = instruction_lines(df)
    out = [f"{path}:"]
    shipped = model.shipped
    unreachable = model.unreachable
    for s in model.stages:
        tags = []
        if s.index in shipped:
            tags.append("shipped")
        if s.index in unreachable:
            tags.append("unreachable")
        base = {"stage": f"stage {s.base_stage}", "scratch": "scratch",
                "image": f"image {s.image}", "unknown": f"unknown {s.image_text}"}[s.base_kind]
        if s.base_kind == "unknown":
            base += _could_be(s.base_candidates)
        fam = f" [{s.image_facts.family}, {s.image_facts.distro or '?'}]" if s.image_facts else ""
        name = f" {s.name}" if s.name else ""
        plat = f" platform={s.platform}" if s.platform else ""
        out.append(f"stage {s.index}{name}: {base}{fam}{plat}{' (' + ', '.join(tags) + ')' if tags else ''}")
        for e in s.edges:
            if e.kind == "from":
                continue
            target = (f"stage {e.stage}" if e.stage is not None else f"image {e.image}" if e.image
                      else f"unknown {e.ref}{_could_be(e.candidates)}")
            out.append(f"  {e.kind} line {lines[id(e.instruction)]} <- {target}")
        needs = sorted(model.needs(s.index) - {s.index})
        if needs:
            out.append(f"  needs {', '.join(map(str, needs))}")
    prev: Scope | None = None
    for ins in df.body:
        scope = model.scope_at(ins)
        out.append(f"{lines[id(ins)]:>4} {_head(ins)}")
        stage = model.stage_of(ins)
        if stage is not None and ins is stage.from_:
            continue  # FROM lines see the global scope, shown once at the top
        if scope is not prev:
            same = prev is not None and prev.stage == scope.stage
            moved = not same or _user_text(prev) != _user_text(scope) \
                or prev.workdir != scope.workdir or prev.home != scope.home  # type: ignore[union-attr]
            if moved and stage is not None:
                out.append(f"       user {_user_text(scope)}  workdir {_fmt(scope.workdir)}  "
                           f"home {_fmt(scope.home)}")
            changed_env = _changes(prev.env if same else None, scope.env)
            changed_args = _changes(prev.args if same else None, scope.args)
            if changed_env:
                out.append(f"       env {changed_env}")
            if changed_args:
                out.append(f"       args {changed_args}")
            if not scope.env_complete and not same:
                out.append("       env of the base image unknown")
        if isinstance(ins, Run):
            facts = model.run(ins)
            for c in facts.calls:
                extra = ""
                if c.files or c.manifests:
                    extra = " reads " + ", ".join([*c.files, *c.manifests])
                out.append(f"       call {c.manager} {c.action}{extra}")
            if facts.writes:
                out.append(f"       writes {', '.join(facts.writes)}")
            for u in facts.users_created:
                verb = "changes" if u.changes else "creates"
                out.append(f"       {verb} user {u.name} uid={_fmt(u.uid)} gid={_fmt(u.gid)} home={_fmt(u.home)}")
        prev = scope
    return "\n".join(out) + "\n"


def _head(ins: Instruction) -> str:
    text = ins.with_changes(leading_lines=(), heredocs=()).code.strip()
    first = text.split("\n", 1)[0]
    return first if len(first) <= 60 else first[:57] + "..."


def _changes(before: Any, after: Any) -> str:
    items = []
    for k, v in sorted(after.items()):
        if before is not None and k in before and before[k] is v:
            continue
        if before is not None and k in before and before[k] == v:
            continue
        items.append(f"{k}={_fmt(v)}")
    return " ".join(items)


def render(df: Dockerfile, path: str, *, as_json: bool = False) -> str:
    """The text ``dockmod parse --format model`` (or ``model-json``) prints for ``df``."""
    from dockmod.semantic import build_model

    model = build_model(df)
    if as_json:
        return json.dumps(to_json(model, path), ensure_ascii=False) + "\n"
    return to_text(model, path)


def _could_be(candidates: tuple[int, ...]) -> str:
    if not candidates:
        return " (an image: no stage matches)"
    return f" (could be stage {', '.join(map(str, candidates))})"
