# shellcheck shell=sh disable=SC2034,SC2154,SC3013
# (a library: its variables are set and read across the hook files; -nt is in every sh git runs hooks with)
# The commit hooks' shell fast path (POSIX sh, git, sed, grep): sourced first by commit-msg and
# prepare-commit-msg with JIRA_HOOKS set to their folder and jira_git_dir to the work tree's git
# dir. The key patterns come from the rules file that src/hook-rules.ts generates from
# package.json and src/jira-keys.ts, so the hooks and the release cut agree; node starts only to
# refresh stale rules or to explain a refusal.
# Git runs these tracked files itself (core.hooksPath is .husky, relative: see install.mjs), from
# the top of the work tree, so every linked worktree and a moved checkout run their own.

# husky's conventions, as its wrapper kept them: errexit, HUSKY=2 traces, HUSKY=0 turns the hooks
# off, and ~/.config/husky/init.sh sets up PATH (nvm) for hooks started outside a shell.
set -e
[ "${HUSKY-}" != 2 ] || set -x
jira_init=${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh
# shellcheck source=/dev/null
[ ! -f "$jira_init" ] || . "$jira_init"
[ "${HUSKY-}" != 0 ] || exit 0

# Each work tree's own (its git dir moves with it), so two work trees committing at once never
# write one file, nor read each other's configuration.
jira_rules_file=$jira_git_dir/jira-rules.sh

# What the rules were generated from; src/hook-rules.ts rulesStamp() computes the same text.
jira_rules_stamp() {
  sed -n '/"releaseCut"[[:space:]]*:/,/}/p' "${JIRA_PACKAGE_DIR}package.json" 2>/dev/null || :
  if [ -f "${JIRA_PACKAGE_DIR}.env" ]; then
    grep -E '^[[:space:]]*(export[[:space:]]+)?JIRA_PROJECT_KEYS[[:space:]]*=' "${JIRA_PACKAGE_DIR}.env" || :
  fi
  echo "${JIRA_PROJECT_KEYS+env:$JIRA_PROJECT_KEYS}"
}

jira_config_files() { # -> jira_files: which of package.json (p) and .env (e) there are; src/hook-context.ts writes the same
  jira_files=
  [ ! -f "${JIRA_PACKAGE_DIR}package.json" ] || jira_files=p
  [ ! -f "${JIRA_PACKAGE_DIR}.env" ] || jira_files=${jira_files}e
}

jira_node() { # script, args...: runs a node script of this package when node and a build are there
  command -v node >/dev/null 2>&1 || return 127
  jira_node_scripts=$JIRA_HOOKS/../dist/scripts
  if [ ! -f "$jira_node_scripts/$1.js" ]; then
    # A linked worktree nobody ran npm ci in: the main work tree's build, with this one's configuration.
    jira_main_tree=$(git worktree list --porcelain 2>/dev/null | sed -n '1s/^worktree //p')
    jira_node_scripts=$jira_main_tree/$JIRA_HOOKS/../dist/scripts
    [ -f "$jira_node_scripts/$1.js" ] || return 127
  fi
  jira_script=$1
  shift
  node "$jira_node_scripts/$jira_script.js" "$@"
}

# Loads the rules, refreshing them first when the configuration changed (needs node).
jira_load_rules() {
  JIRA_RULES=
  # shellcheck source=/dev/null
  [ -f "$jira_rules_file" ] && . "$jira_rules_file"
  if [ -n "$JIRA_RULES" ]; then
    # Cheap first: same environment, configuration files not written since.
    # (-nt is not in POSIX test, but every sh git runs hooks with has it.)
    jira_config_files
    [ "${JIRA_PROJECT_KEYS+env:$JIRA_PROJECT_KEYS}" = "$JIRA_RULES_ENV" ] && [ "$jira_files" = "${JIRA_RULES_FILES-}" ] &&
      ! [ "${JIRA_PACKAGE_DIR}package.json" -nt "$jira_rules_file" ] && ! [ "${JIRA_PACKAGE_DIR}.env" -nt "$jira_rules_file" ] && return 0
    if [ "$(jira_rules_stamp)" = "$JIRA_RULES_STAMP" ]; then
      touch "$jira_rules_file" 2>/dev/null || :
      return 0
    fi
  fi
  jira_status=0
  jira_node commit-rules "$JIRA_HOOKS" "$jira_rules_file" || jira_status=$?
  if [ "$jira_status" = 0 ]; then
    # shellcheck source=/dev/null
    . "$jira_rules_file"
    return 0
  fi
  # node said what is wrong with the configuration
  [ "$jira_status" = 127 ] || return 1
  if [ -n "$JIRA_RULES" ]; then
    echo "$jira_hook: the Jira key rules predate your package.json releaseCut / JIRA_PROJECT_KEYS settings and node is not on PATH to refresh them; using them as they are (npm install refreshes them)." >&2
    return 0
  fi
  if command -v node >/dev/null 2>&1; then jira_missing='dist/ is not built'; else jira_missing='no node on PATH to write it'; fi
  echo "$jira_hook: the commit hooks are not set up here (no $jira_rules_file, $jira_missing): run npm install (or npm run build), or commit with --no-verify." >&2
  return 1
}

# core.commentChar, and sed -E commands that drop what git drops: comment lines, and everything
# below the scissors line of --verbose. 'auto' is what git picks (see jira_auto_comment_char).
# prepare-commit-msg reads it from git and leaves it for the commit-msg hook of the same commit.
jira_comment_char() { # file to leave it in (or ''), the message file
  if [ "${GIT_EDITOR-}" = : ]; then
    # git sets GIT_EDITOR=: for hooks when no editor opens (-m, -F): then it cleans up only
    # whitespace, and comment lines are part of the message, unless commit.cleanup=strip.
    jira_cc=
    jira_uncomment=
    case $(git config --get commit.cleanup 2>/dev/null) in strip) ;; *) return 0 ;; esac
    jira_cc=$(git config --get core.commentChar 2>/dev/null) || jira_cc='#'
    [ "$jira_cc" != auto ] || jira_auto_comment_char "$2" unused
  elif [ -n "${1-}" ] || ! { [ -f "$jira_git_dir/JIRA_HOOK_COMMENT_CHAR" ] && IFS= read -r jira_cc <"$jira_git_dir/JIRA_HOOK_COMMENT_CHAR"; }; then
    jira_cc=$(git config --get core.commentChar 2>/dev/null) || jira_cc='#'
    [ "$jira_cc" != auto ] || jira_auto_comment_char "$2" written
    [ -z "${1-}" ] || printf '%s\n' "$jira_cc" >"$1"
  fi
  case $jira_cc in ?) ;; *) jira_cc='#' ;; esac
  case $jira_cc in '^') jira_cc_re='\^' ;; '/') jira_cc_re='\/' ;; \\ | ']') jira_cc_re="\\$jira_cc" ;; *) jira_cc_re="[$jira_cc]" ;; esac
  jira_uncomment="/^$jira_cc_re ------------------------ >8 ------------------------\$/,\$d
/^$jira_cc_re/d"
}

# core.commentChar=auto: git takes the first of #;@!$%^&|: that starts no line of the message.
# `unused`: the file is the message alone, so that is the first one no line starts with; `written`:
# git has written its comment lines into the file, so it is the last of the leading run of
# candidates that start some line.
jira_auto_comment_char() { # message file, unused | written
  jira_firsts=$jira_nl$(LC_ALL=C sed -n 's/^\(.\).*/\1/p' "$1" 2>/dev/null)$jira_nl
  jira_cc='#'
  for jira_candidate in '#' ';' '@' '!' '$' '%' '^' '&' '|' ':'; do
    case $jira_firsts in
      *"$jira_nl$jira_candidate$jira_nl"*) [ "$2" = unused ] || jira_cc=$jira_candidate ;;
      *) [ "$2" = written ] || jira_cc=$jira_candidate; break ;;
    esac
  done
}

# The helpers below set variables rather than print: a command substitution of a plain command
# costs one process, of a shell function two.
jira_read_message() { # file -> jira_message: the message as git stores it, without blank lines
  jira_message=$(LC_ALL=C sed -E -e "$jira_uncomment" -e 's/[[:space:]]*$//' -e '/^$/d' "$1")
}

jira_has_key() { # file: does the message in it have a Jira key?
  jira_found=$(LC_ALL=C sed -nE -e "$jira_uncomment" -e "$JIRA_FIRST_KEY_SED" "$1")
  [ -n "$jira_found" ]
}

jira_read_branch_key() { # -> jira_key: the first key of the checked-out branch, as people type them (dev-12_x)
  jira_key=
  # HEAD of this work tree sits next to the message file (.git/ or .git/worktrees/<name>/).
  jira_head=
  [ ! -f "$jira_git_dir/HEAD" ] || IFS= read -r jira_head <"$jira_git_dir/HEAD" || :
  case $jira_head in
    'ref: refs/heads/.invalid') jira_branch=$(git symbolic-ref --quiet --short HEAD 2>/dev/null) || return 0 ;; # reftable
    'ref: refs/heads/'*) jira_branch=${jira_head#ref: refs/heads/} ;;
    '') jira_branch=$(git symbolic-ref --quiet --short HEAD 2>/dev/null) || return 0 ;;
    *) return 0 ;; # detached
  esac
  case $jira_branch in
    *[1-9]*) jira_key=$(LC_ALL=C sed -nE "$JIRA_BRANCH_KEY_SED" <<BRANCH
$jira_branch
BRANCH
    ) ;;
  esac
}

jira_exempt() { # cleaned message: fixup!/squash!/amend!, a revert, the release cut's own subject
  jira_subject=${1%%"$jira_nl"*}
  LC_ALL=C grep -Eq "$JIRA_EXEMPT_SUBJECT_ERE|$JIRA_REVERT_SUBJECT_ERE" <<SUBJECT || return 1
$jira_subject
SUBJECT
  # a revert subject also needs git's "This reverts commit" line
  LC_ALL=C grep -Eq "$JIRA_EXEMPT_SUBJECT_ERE" <<SUBJECT || LC_ALL=C grep -Eq "$JIRA_REVERT_BODY_ERE" <<MESSAGE
$jira_subject
SUBJECT
$1
MESSAGE
}

# stdin -> jira_placed: the message with the key placed as releaseCut.commitKeyPlacement says.
jira_place_key() { # key, the cleaned message
  case $JIRA_KEY_PLACEMENT in
    trailer)
      if [ -z "$2" ]; then
        # room for the subject above the trailer
        jira_placed=$(printf '\n\nRefs: %s\n' "$1"; cat)
      else
        jira_placed=$(git interpret-trailers --if-exists addIfDifferent --trailer "Refs: $1")
      fi ;;
    prefix) jira_placed=$(sed -e "1s/^/$1: /") ;;
    *)
      jira_script="1{
s/^([A-Za-z0-9_]+(\\([^()]*\\))?!?: )/\\1$1 /
t
s/^/$1: /
}"
      # scope: a header without a scope takes the key as its scope; one with a scope falls back.
      [ "$JIRA_KEY_PLACEMENT" != scope ] || jira_script="1s/^([A-Za-z0-9_]+)(!?: )/\\1($1)\\2/
t
$jira_script"
      jira_placed=$(sed -E "$jira_script") ;;
  esac
}

jira_nl='
'
