#!/bin/sh
# The pre-scripts of release:cut, release:notify, demo and bench: runs tsc only when a source
# (or a directory, for added and deleted files) is newer than the last build, so a command
# whose build is up to date starts in node's time, not tsc's. npm puts tsc and esbuild on PATH.
stamp=dist/.build-stamp
if [ -f "$stamp" ] && [ -z "$(find src scripts app test bench tsconfig.json package.json -newer "$stamp" \( -type d -o -name '*.ts' -o -name '*.json' \) -print -quit 2>/dev/null)" ]; then
  exit 0
fi
# Stamped before compiling: a file saved while tsc runs is newer than the stamp and rebuilt next time.
mkdir -p dist && touch "$stamp.next" && sh scripts/build.sh && mv "$stamp.next" "$stamp"
