"""BuildKit's word rules and parser directives: the bottom layer.

``words`` ports BuildKit's ``splitCommand``, ``extractBuilderFlags``, ``parseWords``,
``parseJSON`` and the shell-word lexer (``ProcessWord``); ``directives`` reads
``# syntax=``, ``# escape=`` and ``# check=``. Nothing here imports another dockmod
package, so ``grammar``, ``cst``, ``shell`` and ``semantic`` can all use it.
"""
