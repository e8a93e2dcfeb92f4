#!/bin/sh
# The build: tsc, then each release command bundled into one file (dist/bundle/<command>.mjs, npm
# packages left as imports). One file loads in one read instead of some forty module resolutions:
# about 25 ms of every command's start, most of the margin the cut's dry run has at 10k commits.
set -e
tsc
esbuild dist/scripts/release-cut.js dist/scripts/release-stage.js dist/scripts/release-promote.js \
  dist/scripts/release-status.js dist/scripts/release-notify.js \
  --bundle --platform=node --format=esm --packages=external --outdir=dist/bundle --out-extension:.js=.mjs --log-level=warning
