"""The node classes: ``from dockmod import cst; cst.From``."""

from dockmod.cst._base import REMOVE, CSTValidationError, FlattenSentinel, Node, RemovalSentinel
from dockmod.cst.arguments import (
    Flag,
    Heredoc,
    ImageRef,
    JsonArray,
    KeyValue,
    LegacyKeyValue,
    MountSpec,
    ShellCommand,
    Word,
)
from dockmod.cst.instructions import (
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Instruction,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    UnknownInstruction,
    User,
    Volume,
    Workdir,
)
from dockmod.cst.module import Dockerfile, Stage, Style
from dockmod.cst.trivia import Directive, EmptyLine, TrailingWhitespace
from dockmod.cst.visitors import Transformer, Visitor

__all__ = [
    "REMOVE", "CSTValidationError", "FlattenSentinel", "Node", "RemovalSentinel", "Flag", "Heredoc", "ImageRef", "JsonArray", "KeyValue", "LegacyKeyValue",
    "MountSpec", "ShellCommand", "Word", "Add", "Arg", "Cmd", "Copy", "Entrypoint", "Env",
    "Expose", "From", "Healthcheck", "Instruction", "Label", "Maintainer", "Onbuild", "Run",
    "Shell", "Stopsignal", "UnknownInstruction", "User", "Volume", "Workdir", "Dockerfile",
    "Stage", "Style", "Directive", "EmptyLine", "TrailingWhitespace", "Transformer", "Visitor",
]
