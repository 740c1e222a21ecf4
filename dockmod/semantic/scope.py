"""The state in effect at each instruction: ARGs, ENV, USER, WORKDIR, HOME, SHELL.

Scopes are built per stage on first use and share structure: an instruction that changes
nothing shares its predecessor's :class:`Scope`, and ARG/ENV values live in chained
layers (:class:`Layered`), so no instruction copies the whole environment.

BuildKit's rules, as followed here (``frontend/dockerfile/dockerfile2llb/convert.go``):

* ARGs before the first FROM are the global scope, seen by FROM lines only. A stage sees
  an ARG from its declaration on; ``ARG X`` without a default takes the global value.
* The automatic platform ARGs (``TARGETPLATFORM``, ``BUILDARCH`` …) are set in the global
  scope and by ``ARG TARGETARCH`` in a stage. Their values come from the build's
  ``--platform`` and the builder (``FROM --platform`` does not change them), so they are
  ``UNKNOWN``. The proxy ARGs (``HTTP_PROXY`` …) reach ``RUN`` without a declaration, with
  an ``UNKNOWN`` value.
* An ARG's value is its default, or the build argument when ``build_args`` are given; an
  ARG without a default is ``UNKNOWN`` unless ``build_args`` say otherwise. (Assuming the
  default is what ``docker build`` without ``--build-arg`` does.)
* ENV is inherited through ``FROM <stage>``; ARGs are not. ENV wins over an ARG of the
  same name. Values are expanded against the scope *before* the instruction, all pairs of
  one ENV alike.
* WORKDIR: a relative path joins the previous one (``system.NormalizeWorkdir``); the
  default is the image's, ``/`` for ``scratch``.
* HOME: ``ENV HOME`` if set, else the user's home from ``/etc/passwd`` as far as it is
  known, ``/root`` for root.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from dockmod.lang.words import UNKNOWN, Unknown
from dockmod.semantic.expand import expand, expand_list
from dockmod.semantic.users import CreatedGroup, CreatedUser, UserInfo, resolve_user

if TYPE_CHECKING:
    from dockmod.cst.instructions import Run


PLATFORM_ARGS = ("TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
                 "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT")
PROXY_ARGS = frozenset(
    ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]
)
POSIX_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
DEFAULT_SHELL = ("/bin/sh", "-c")


class Layered(Mapping[str, Any]):
    """A read-only mapping made of a parent and one layer of its own (a persistent map)."""

    __slots__ = ("_own", "_parent")

    def __init__(self, parent: Layered | None, own: Mapping[str, Any]) -> None:
        # Collapse long chains now and then so lookups stay short.
        if parent is not None and parent._depth() > 16:
            parent = Layered(None, dict(parent.items()))
        self._parent = parent
        self._own = own

    def _depth(self) -> int:
        d, p = 0, self._parent
        while p is not None:
            d += 1
            p = p._parent
        return d

    def __getitem__(self, key: str) -> Any:
        m: Layered | None = self
        while m is not None:
            own = m._own
            if key in own:
                return own[key]
            m = m._parent
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        m: Layered | None = self
        while m is not None:
            if key in m._own:
                return True
            m = m._parent
        return False

    def _flat(self) -> dict[str, Any]:
        chain = []
        m: Layered | None = self
        while m is not None:
            chain.append(m._own)
            m = m._parent
        out: dict[str, Any] = {}
        for own in reversed(chain):
            out.update(own)
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self._flat())

    def __len__(self) -> int:
        return len(self._flat())

    def with_values(self, values: Mapping[str, Any]) -> Layered:
        return Layered(self, values) if values else self

    def __repr__(self) -> str:
        return f"Layered({self._flat()!r})"


EMPTY = Layered(None, {})


class Scope:
    """The state in effect when an instruction runs (before its own effect)."""

    __slots__ = (
        "_arg_deps",
        "_global",
        "_image_user_reason",
        "_user",
        "_user_inherited",
        "_user_runs",
        "_user_spec",
        "_user_table",
        "_user_args",
        "args",
        "env",
        "env_complete",
        "escape",
        "shell",
        "stage",
        "volumes",
        "workdir",
    )

    def __init__(self, *, args: Layered, env: Layered, env_complete: bool, workdir: str | None,
                 shell: tuple[str, ...], escape: str, stage: int | None, user_spec: str | None,
                 user_inherited: bool, user_table: Mapping[str, Any] | None,
                 image_user_reason: str | None, user_runs: tuple[tuple[Run, bool], ...],
                 is_global: bool = False, volumes: tuple[str, ...] = (),
                 arg_deps: Mapping[str, frozenset[str]] | None = None,
                 user_args: frozenset[str] = frozenset()) -> None:
        #: ARGs in scope (declared in the stage, or the global ones for FROM lines).
        self.args = args
        #: ENV in effect: the base image's (as far as known) and the Dockerfile's.
        self.env = env
        #: False when the base image is unknown: it may set variables dockmod cannot see.
        self.env_complete = env_complete
        #: Absolute working directory, None when unknown.
        self.workdir = workdir
        self.shell = shell
        self.escape = escape
        #: The stage index, None for the global scope (before the first FROM).
        self.stage = stage
        #: VOLUME paths declared so far (the base image's and the Dockerfile's): a RUN's
        #: writes under them are discarded. A path that cannot be expanded is kept as written.
        self.volumes = volumes
        self._user_spec = user_spec
        self._user_inherited = user_inherited
        self._user_table = user_table
        self._image_user_reason = image_user_reason
        #: The RUNs so far that may create users or groups, each with whether its shell is
        #: POSIX: read only when a USER must be resolved. (No reference to the model: a
        #: cycle would keep every file's tree alive until the garbage collector runs.)
        self._user_runs = user_runs
        self._user: UserInfo | None = None
        self._global = is_global
        #: Name → the ARGs its value (an ARG's, or an ENV's that expands ARGs) comes from:
        #: a default that ``--build-arg`` can change (see :meth:`from_args`).
        self._arg_deps: Mapping[str, frozenset[str]] = arg_deps if arg_deps is not None else {}
        #: The ARGs the ``USER`` value expands (``USER ${UID}``).
        self._user_args = user_args

    def _replace(self, **kw: Any) -> Scope:
        """A copy with the fields ``kw`` names (``__init__``'s names) changed. Copies the
        slots directly (no keyword dict for ``__init__``): a stage walk makes one per
        instruction that changes anything."""
        new = _new_scope(Scope)
        new.args = self.args
        new.env = self.env
        new.env_complete = self.env_complete
        new.workdir = self.workdir
        new.shell = self.shell
        new.escape = self.escape
        new.stage = self.stage
        new.volumes = self.volumes
        new._user_spec = self._user_spec
        new._user_inherited = self._user_inherited
        new._user_table = self._user_table
        new._image_user_reason = self._image_user_reason
        new._user_runs = self._user_runs
        new._user = None
        new._global = self._global
        new._arg_deps = self._arg_deps
        new._user_args = self._user_args
        for key, value in kw.items():
            if key == "arg_deps" and value is None:
                value = {}
            setattr(new, _SLOT_OF[key], value)
        return new

    # -- variables -------------------------------------------------------------------
    def get(self, name: str) -> str | Unknown | None:
        """What ``$name`` means in this instruction: None if not set at all.

        ENV wins over ARG. A name neither declared nor set is ``UNKNOWN`` when the base
        image is unknown (it may set it), else None.
        """
        env = self.env
        if name in env:
            return env[name]  # type: ignore[no-any-return]
        args = self.args
        if name in args:
            return args[name]  # type: ignore[no-any-return]
        return None if self.env_complete else UNKNOWN

    def run_get(self, name: str) -> str | Unknown | None:
        """What ``$name`` is in a ``RUN``'s shell: also HOME and the undeclared proxy ARGs."""
        v = self.get(name)
        if v is None or (v is UNKNOWN and name not in self.env and name not in self.args):
            if name in PROXY_ARGS:
                return UNKNOWN
            if name == "HOME":
                return self.home if self.home is not None else UNKNOWN
            if name == "PATH" and v is None:
                return None
        return v

    def from_args(self, name: str) -> frozenset[str]:
        """The ARGs whose build-time value ``$name`` (as :meth:`run_get` reads it) depends
        on: the ARG itself, the ARGs an ``ENV`` value expands, or for ``HOME`` from the
        user, those of ``USER``. Empty when no ``--build-arg`` can change it."""
        if name in self.env or name in self.args:
            return self._arg_deps.get(name, frozenset())
        return self._user_args if name == "HOME" else frozenset()

    @property
    def user_args(self) -> frozenset[str]:
        """The ARGs the ``USER`` in effect expands (``USER ${UID}``): its uid and home are
        those of the ARG's default, which ``--build-arg`` can change."""
        return self._user_args

    def expand(self, word: str) -> str | None:
        """``word`` expanded by BuildKit's rules (quotes removed); None if unknown."""
        return expand(word, self.get, self.escape)

    def expand_words(self, word: str) -> list[str] | None:
        """``word`` expanded and split into words (``ProcessWords``); None if unknown."""
        return expand_list(word, self.get, self.escape)

    # -- user ------------------------------------------------------------------------
    @property
    def user(self) -> UserInfo:
        """The user the instruction runs as, resolved as far as known."""
        u = self._user
        if u is None:
            u = self._user = self._resolve_user()
        return u

    def _resolve_user(self) -> UserInfo:
        spec = self._user_spec
        if spec is None:
            return UserInfo(spec="", name=None, uid=None, gid=None, home=None,
                            reason=self._image_user_reason or "the user depends on a value dockmod cannot know",
                            inherited=self._user_inherited)
        created: list[CreatedUser | CreatedGroup] = []
        if self._user_runs:
            from dockmod.semantic.runs import content

            for run, posix in self._user_runs:
                facts = content(run, posix)
                created.extend(facts.users_created)
                created.extend(facts.groups_created)
        return resolve_user(spec, created, self._user_table, inherited=self._user_inherited)

    @property
    def home(self) -> str | None:
        """HOME when the instruction runs: ``ENV HOME``, else the user's home; None if unknown."""
        v = self.env.get("HOME")
        if v is not None:
            return v if isinstance(v, str) else None
        if not self.env_complete and not self._global:
            return None
        return self.user.home

    @property
    def posix_shell(self) -> bool:
        """The SHELL is a POSIX shell (``sh``, ``bash``, ``ash`` …)."""
        shell = self.shell
        if shell is DEFAULT_SHELL:  # most scopes: ``/bin/sh``, POSIX, without the name's parsing
            return True
        return bool(shell) and posixpath.basename(shell[0]).lower() in POSIX_SHELLS

    def __repr__(self) -> str:
        return (f"Scope(stage={self.stage}, workdir={self.workdir!r}, user={self._user_spec!r}, "
                f"args={dict(self.args)!r}, env={dict(self.env)!r})")


_new_scope = object.__new__
#: ``Scope.__init__``'s parameter → the slot holding it.
_SLOT_OF = {
    "args": "args", "env": "env", "env_complete": "env_complete", "workdir": "workdir",
    "shell": "shell", "escape": "escape", "stage": "stage", "volumes": "volumes",
    "user_spec": "_user_spec", "user_inherited": "_user_inherited", "user_table": "_user_table",
    "image_user_reason": "_image_user_reason", "user_runs": "_user_runs", "is_global": "_global",
    "arg_deps": "_arg_deps", "user_args": "_user_args",
}


def join_workdir(current: str | None, requested: str) -> str | None:
    """``system.NormalizeWorkdir``: an absolute path as given, a relative one joined and cleaned."""
    if requested.startswith("/"):
        return requested
    if current is None:
        return None
    return posixpath.normpath(posixpath.join("/", current or "/", requested))
