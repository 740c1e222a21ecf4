#!/bin/sh
# Instructions (valgrind callgrind) of one in-process corpus pass of benchmarks/check.py,
# imports and warm-up included, for comparing two trees whatever the machine's load:
#
#   benchmarks/icount.sh [TREE] [CORPUS] [KIND...]     KIND: parse, check (default: both)
#
# TREE defaults to this checkout, CORPUS to ../shared/corpus beside it, PYTHON to the
# checkout's .venv. PYTHONHASHSEED=0 makes the count repeatable. Compare trees at paths of
# the same length: the count moves with the path's length (module file names are hashed
# and copied). With PYTHONDONTWRITEBYTECODE=1 the imports compile every module, so more
# source costs more; take imports and warm-up off by a pass over an empty folder
# (`icount.sh TREE EMPTY_DIR check`). Each pass takes a few minutes under valgrind.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tree=$(cd "${1:-$here}" && pwd)
corpus=$(cd "${2:-$here/../shared/corpus}" && pwd)  # absolute: the passes run in TREE
[ $# -gt 2 ] && shift 2 || set --
python=${PYTHON:-$here/.venv/bin/python}
for kind in ${@:-parse check}; do
  n=$(cd "$tree" && PYTHONPATH="$tree" PYTHONHASHSEED=0 valgrind --tool=callgrind \
        --callgrind-out-file=/dev/null "$python" "$tree/benchmarks/check.py" --_inner "$kind" \
        "$corpus" tuned 2>&1 | sed -n 's/.*Collected : //p')
  echo "$kind $n"
done
