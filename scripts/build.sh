#!/bin/sh
# The build: tsc, then each release command bundled into one file (dist/bundle/<command>.mjs).
# One file loads in one read instead of some forty module resolutions: about 25 ms of every
# command's start, most of the margin the cut's dry run has at 10k commits. npm packages stay
# imports (all but the commit parser are loaded lazily, by the paths that need them), except
# conventional-commits-parser: every cut loads it, and bundled it costs no resolution of its six files.
set -e
tsc
external=$(node -e "const { dependencies } = require('./package.json'); console.log(Object.keys(dependencies).filter((name) => name !== 'conventional-commits-parser').map((name) => '--external:' + name).join(' '))")
# shellcheck disable=SC2086 # one word per package
esbuild dist/scripts/release-cut.js dist/scripts/release-stage.js dist/scripts/release-promote.js \
  dist/scripts/release-status.js dist/scripts/release-notify.js \
  --bundle --platform=node --format=esm $external --outdir=dist/bundle --out-extension:.js=.mjs --log-level=warning
