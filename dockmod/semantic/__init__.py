"""The semantic model of a Dockerfile: the facts every transform reads.

::

    from dockmod.semantic import Model, build_model, UNKNOWN

    model = build_model(df)
    for stage in model.stages: ...
    scope = model.scope_at(run)        # ARGs, ENV, USER, WORKDIR, HOME, SHELL at `run`
    scope.expand("${HOME}/.cache")     # BuildKit's expansion; None if anything is unknown
    facts = model.run(run)             # commands, package-manager calls, writes, users
    env_at(model, run, cmd)("GOFLAGS") # $GOFLAGS where `cmd` (a command of `run`) runs
    model.shipped, model.needs(i), model.copies_from(i), model.descendants(i)
    model.before(ins), model.after(ins), model.writes_before(ins)

Modules: :mod:`~dockmod.semantic.model` (stages, graph, the per-stage walk),
:mod:`~dockmod.semantic.scope` (Scope and its rules), :mod:`~dockmod.semantic.expand`
(BuildKit's lexer over a scope), :mod:`~dockmod.semantic.env` (a command's environment),
:mod:`~dockmod.semantic.users` (useradd and USER),
:mod:`~dockmod.semantic.runs` (RUN facts, cached by text). Base-image knowledge is data
in :mod:`dockmod.ecosystems.images`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence

from dockmod.cst.module import Dockerfile
from dockmod.lang.words import UNKNOWN, Unknown
from dockmod.semantic.env import env_at
from dockmod.semantic.model import CopyEdge, Edge, Model, StageInfo, Write
from dockmod.semantic.runs import RunFacts
from dockmod.semantic.scope import Scope
from dockmod.semantic.users import CreatedGroup, CreatedUser, UserInfo

__all__ = [
    "UNKNOWN", "CopyEdge", "CreatedGroup", "CreatedUser", "Edge", "Model", "RunFacts", "Scope",
    "StageInfo", "Unknown", "UserInfo", "Write", "build_model", "env_at", "model_for",
]


def build_model(df: Dockerfile, *, targets: Sequence[str] | None = None,
                build_args: Mapping[str, str] | None = None) -> Model:
    """Build the model of ``df``. Cheap: scopes and RUN facts are computed on first use.

    ``targets`` narrows :attr:`Model.shipped` to those stages (names or indexes);
    ``build_args`` gives the build's ``--build-arg`` values (then an ARG without a
    default and without a build arg is empty, not unknown).
    """
    return Model(df, targets=targets, build_args=build_args)


# One model per tree, shared by every transform of a pass: the engine builds one Context
# per transform, all on the same Dockerfile object. Keyed by identity; the entry holds the
# tree so that its id cannot be reused while cached. Only the newest tree's models are kept:
# a check reads one tree per file and a fix pass one tree at a time (the corpus's check and
# fix build as many models as with 8 trees kept), and dropping the last tree's model when
# the next tree's is built frees both while their memory is still warm, not 8 files later.
_MODELS: OrderedDict[tuple[int, tuple[str, ...] | None], tuple[Dockerfile, Model]] = OrderedDict()
_MODELS_SIZE = 8


def model_for(df: Dockerfile, targets: Sequence[str] | None = None) -> Model:
    """The cached model of the tree object ``df`` (built on first use)."""
    key = (id(df), tuple(targets) if targets is not None else None)
    hit = _MODELS.get(key)
    if hit is not None and hit[0] is df:
        _MODELS.move_to_end(key)
        return hit[1]
    model = Model(df, targets=targets)
    if _MODELS and next(reversed(_MODELS.values()))[0] is not df:
        _MODELS.clear()  # every entry is of one tree: the last one's
    _MODELS[key] = (df, model)
    if len(_MODELS) > _MODELS_SIZE:
        _MODELS.popitem(last=False)
    return model
