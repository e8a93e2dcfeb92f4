# shellcheck shell=bash
# Sourced by the release workflows' command step (release-cut, release-stage, release-promote), so
# the push token and the deploy remotes exist only while that step runs, never in .git/config:
# - RELEASE_PUSH_TOKEN (may push to the protected main and develop) becomes a credential helper in
#   git's command-line configuration (environment); git's shell expands $RELEASE_PUSH_TOKEN when asked;
# - STAGING_REMOTE_URL / PRODUCTION_REMOTE_URL, when set, become the `staging` / `production`
#   remotes, removed again when the step's shell exits.
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=credential.https://github.com.helper
# shellcheck disable=SC2016
export GIT_CONFIG_VALUE_0='!f() { test "$1" = get && printf "username=x-access-token\npassword=%s\n" "$RELEASE_PUSH_TOKEN"; }; f'
release_remotes=()
if [ -n "${STAGING_REMOTE_URL:-}" ]; then git remote add staging "$STAGING_REMOTE_URL" && release_remotes+=(staging); fi
if [ -n "${PRODUCTION_REMOTE_URL:-}" ]; then git remote add production "$PRODUCTION_REMOTE_URL" && release_remotes+=(production); fi
remove_release_remotes() {
  local remote
  for remote in "${release_remotes[@]}"; do git remote remove "$remote"; done
}
trap remove_release_remotes EXIT
