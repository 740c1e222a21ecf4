#!/bin/sh
# Check only the lines this branch adds or changes, so a legacy repository can adopt dockmod
# without fixing every old finding first. BASE is the branch pull requests merge into.
set -eu
base=${BASE:-origin/main}
ref=$(git merge-base HEAD "$base") || {
    echo "gradual-adoption: no merge base of HEAD and $base (fetch it, or set BASE)" >&2
    exit 2
}
dockmod check --diff-only-changed-lines "$ref" .
