#!/bin/sh
# Run by `multi-gitter run ./dockmod-fix.sh` in each cloned repository (the current folder).
# multi-gitter commits what changed and opens the pull request; this script only fixes.
dockmod fix --apply --quiet .
status=$?
# 0: nothing left to fix; 1: findings without a safe fix remain (the fixes are still written).
# 2: an error (a Dockerfile that does not parse, a bad config): multi-gitter reports the repository.
if [ "$status" -le 1 ]; then
    exit 0
fi
exit "$status"
