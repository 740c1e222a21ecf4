"""The shell inside ``RUN``: the one package that understands shell text.

* :mod:`~dockmod.shell.parse`: tree-sitter-bash over the logical text, spans that map
  back to the raw bytes (continuations and comment lines included);
* :mod:`~dockmod.shell.commands`: generic call splitting (wrappers, options, operands,
  subcommands) driven by a spec that :mod:`dockmod.ecosystems` (the layer above) supplies;
* :mod:`~dockmod.shell.edits`: byte-exact removals and insertions that verify themselves.

tree-sitter is imported on first parse, never by ``import dockmod``::

    script = parse_shell(run.command)
    for call in dockmod.ecosystems.calls(script):
        opt = call.option("--no-cache-dir")
        if opt is not None:
            run = run.with_changes(command=remove_words(run.command, opt.words))
"""

from dockmod.shell.commands import CommandSpec, Option, SplitCall, split_call, unwrap
from dockmod.shell.edits import insert_words_after, remove_command, remove_word, remove_words
from dockmod.shell.parse import (
    Operator,
    ShellScript,
    ShellWord,
    SimpleCommand,
    parse_heredoc_body,
    parse_shell,
)

__all__ = [
    "CommandSpec",
    "Operator",
    "Option",
    "ShellScript",
    "ShellWord",
    "SimpleCommand",
    "SplitCall",
    "insert_words_after",
    "parse_heredoc_body",
    "parse_shell",
    "remove_command",
    "remove_word",
    "remove_words",
    "split_call",
    "unwrap",
]
