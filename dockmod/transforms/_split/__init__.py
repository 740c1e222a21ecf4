"""Strategies of DM401 ``split-builder-runtime``, one module per ecosystem.

Each strategy reads one single-stage file through the semantic model and returns a
:class:`~dockmod.transforms._split.common.Plan` (the two stages' instructions), a
:class:`~dockmod.transforms._split.common.Decline` (why the file cannot be split without
guessing), or None when the file is not its ecosystem's.
"""
