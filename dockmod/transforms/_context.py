"""The build context a transform reads, and the option that names it.

DM201, DM203 and DM511 prove things from the files the build sends: the Dockerfile's
folder, or the folder the ``context`` option names (``docker build -f docker/Dockerfile .``
sends the repository root). One option and one opener, so each reads the same folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockmod.transforms._base import Option

if TYPE_CHECKING:
    from dockmod.buildcontext import BuildContext
    from dockmod.transforms._base import Transform

CONTEXT_OPTION = Option("context", str, default=None,
                        help="The build context folder, relative to the Dockerfile's folder "
                             "(default: the Dockerfile's folder)")


def open_build_context(transform: Transform) -> tuple[BuildContext | None, str | None]:
    """The build context of ``transform``'s file (its ``context`` option, else the
    Dockerfile's folder), and why it could not be opened; ``(None, None)`` when there is
    no file on disk (stdin).

    Opened once per file and ``context`` option: the answer is kept on the engine's
    context, which the file's transforms share (four of them read the build context; each
    open stats the folder and reads its ignore file).
    """
    ctx = transform.context
    option = transform.option("context")
    opened = ctx._build_contexts.get(option)
    if opened is None:
        opened = ctx._build_contexts[option] = _open(ctx.path, option)
    return opened


def _open(path: str | None, option: str | None) -> tuple[BuildContext | None, str | None]:
    from dockmod.buildcontext import ContextError, open_context

    try:
        return open_context(path, option), None
    except ContextError as e:
        return None, str(e)
