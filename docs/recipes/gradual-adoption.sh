#!/bin/sh
# Check only the lines this branch adds or changes, so a legacy repository can adopt dockmod
# without fixing every old finding first. BASE is the branch pull requests merge into.
set -eu
base=${BASE:-origin/main}
dockmod check --diff-only-changed-lines "$(git merge-base HEAD "$base")" .
