"""BuildKit's word rules, parser directives and instruction checks: the bottom layer.

``words`` ports BuildKit's ``splitCommand``, ``extractBuilderFlags``, ``parseWords``,
``parseJSON`` and the shell-word lexer (``ProcessWord``); ``directives`` reads
``# syntax=``, ``# escape=`` and ``# check=``; ``instructions`` ports what
``instructions.Parse`` rejects in a file the parser accepts. Nothing here imports another
dockmod package, so ``grammar``, ``cst``, ``shell`` and ``semantic`` can all use it.
"""
