#!/usr/bin/env bash
# Debian/Ubuntu packages the test suite uses, installed only when missing: the start.sh and
# workflow-script linter (shellcheck). Without it those tests are skipped locally, but fail under
# CI=true. (PostgreSQL comes from npm: embedded-postgres, see test/helpers/postgres.ts.)
set -euo pipefail

missing=()
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
[ "${#missing[@]}" -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "installing ${missing[*]} from the distribution's packages"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
