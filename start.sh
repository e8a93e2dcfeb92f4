#!/usr/bin/env bash
# Runs the hello app in the background on $PORT (default 8080), logging to logs/app.log.
#   ./start.sh          build if needed, start, wait until /healthz answers, print the URL
#   ./start.sh stop     stop it gracefully (SIGTERM; in-flight requests finish)
#   ./start.sh status   say whether it runs, and where
# The app rotates logs/app.log itself (LOG_MAX_SIZE, default 10M; LOG_KEEP old files, default 5).
# The pid file is trusted only when that process is this checkout's app listening on $PORT:
# nothing else is ever signalled.
set -euo pipefail

cd "$(dirname "$0")"
PORT="${PORT:-8080}"
HOST="${HOST:-0.0.0.0}"
LOG_DIR=logs
LOG_FILE="$LOG_DIR/app.log"
CONSOLE_FILE="$LOG_DIR/console.log"
PID_FILE="$LOG_DIR/app.pid"
# Held by the start or stop under way, so two of them at once never start two apps.
LOCK_DIR="$LOG_DIR/start.lock"
# Absolute, so that the command line names this checkout's app and no other.
ENTRY="$PWD/dist/app/server.js"
START_TIMEOUT_S="${START_TIMEOUT_S:-10}"
# Where the app answers: the address it listens on (a wildcard is reached on loopback).
case "$HOST" in
  0.0.0.0) PROBE_HOST=127.0.0.1 ;;
  ::) PROBE_HOST=::1 ;;
  *) PROBE_HOST=$HOST ;;
esac
case "$PROBE_HOST" in
  *:*) URL="http://[$PROBE_HOST]:$PORT" ;;
  *) URL="http://$PROBE_HOST:$PORT" ;;
esac

fail() {
  echo "start.sh: $*" >&2
  exit 1
}

# mkdir is atomic, and unlike a flock the lock is not inherited by the app started in the background.
take_lock() {
  mkdir -p "$LOG_DIR"
  local deadline=$((SECONDS + START_TIMEOUT_S + 10)) holder
  until mkdir "$LOCK_DIR" 2>/dev/null; do
    holder=$(cat "$LOCK_DIR/pid" 2>/dev/null || true)
    if [[ "$holder" =~ ^[0-9]+$ ]] && ! kill -0 "$holder" 2>/dev/null; then
      echo "start.sh: removed the lock of a start.sh that is gone (pid $holder)" >&2
      rm -rf "$LOCK_DIR"
      continue
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "another ./start.sh (pid ${holder:-unknown}) has held $LOCK_DIR for too long; if none runs, remove it"
    sleep 0.05
  done
  echo "$$" >"$LOCK_DIR/pid"
  trap 'rm -rf "$LOCK_DIR"' EXIT
}

# The command line of a live process; fails for no process and for a zombie (it has exited).
live_command() {
  local pid=$1 state
  if [ -r "/proc/$pid/stat" ]; then
    state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null
  else
    state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
    case "$state" in Z*) return 1 ;; esac
    ps -o args= -p "$pid" 2>/dev/null
  fi
}

is_our_app() {
  local command
  command=$(live_command "$1") || return 1
  case "$command " in
    node" $ENTRY "* | */node" $ENTRY "*) return 0 ;;
    *) return 1 ;;
  esac
}

listens_on_port() {
  local pid=$1
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$PORT" 2>/dev/null | grep -q "pid=$pid,"
  elif command -v lsof >/dev/null 2>&1; then
    lsof -nP -a -p "$pid" -iTCP:"$PORT" -sTCP:LISTEN >/dev/null 2>&1
  else
    local inode
    while read -r inode; do
      [ -n "$(find "/proc/$pid/fd" -lname "socket:\[$inode\]" -print -quit 2>/dev/null)" ] && return 0
    done < <(awk -v port="$(printf ':%04X' "$PORT")" '$2 ~ port "$" && $4 == "0A" { print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
    return 1
  fi
}

# Reads the pid file into APP_PID and APP_STATE: running (the app, listening on $PORT), elsewhere
# (the app, not on $PORT) or stopped. A pid file naming anything else is stale (a pid reused after
# a crash or reboot, an exited process): reported and removed.
read_pid_file() {
  APP_PID=""
  APP_STATE=stopped
  [ -f "$PID_FILE" ] || return 0
  APP_PID=$(cat "$PID_FILE")
  if [[ "$APP_PID" =~ ^[0-9]+$ ]] && is_our_app "$APP_PID"; then
    APP_STATE=elsewhere
    if listens_on_port "$APP_PID"; then APP_STATE=running; fi
    return 0
  fi
  local what="no such process"
  if [[ "$APP_PID" =~ ^[0-9]+$ ]]; then
    if what=$(live_command "$APP_PID"); then
      what="${what:0:80}"
    elif ps -p "$APP_PID" >/dev/null 2>&1; then
      what="a zombie: it has exited"
    else
      what="no such process"
    fi
  fi
  echo "start.sh: $PID_FILE named pid ${APP_PID:-(empty)}, which is not this app ($what): removed it" >&2
  rm -f "$PID_FILE"
  APP_PID=""
}

elsewhere() {
  fail "the app runs as pid $APP_PID but does not listen on port $PORT; give the port it was started with: PORT=<port> ./start.sh ${1:-status}"
}

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/$PROBE_HOST/$PORT") 2>/dev/null
  fi
}

port_holder() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$PORT" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1 | sed -E 's/users:\(\("([^"]*)",pid=([0-9]+).*/\1 (pid \2)/'
  elif command -v lsof >/dev/null 2>&1; then
    lsof -nP -iTCP:"$PORT" -sTCP:LISTEN 2>/dev/null | awk 'NR == 2 { print $1 " (pid " $2 ")" }'
  fi
}

healthy() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 1 "$URL/healthz" >/dev/null 2>&1
  else
    local status
    exec 3<>"/dev/tcp/$PROBE_HOST/$PORT" || return 1
    printf 'GET /healthz HTTP/1.0\r\nHost: %s\r\n\r\n' "$PROBE_HOST" >&3
    read -r _ status _ <&3 || true
    exec 3>&-
    [ "$status" = "200" ]
  fi
}

needs_build() {
  [ ! -f "$ENTRY" ] && return 0
  [ -n "$(find app tsconfig.json tsconfig.app.json -newer "$ENTRY" \( -name '*.ts' -o -name '*.json' \) -print -quit 2>/dev/null)" ]
}

start() {
  take_lock
  read_pid_file
  case "$APP_STATE" in
    running) echo "already running (pid $APP_PID) at $URL/ — stop it with ./start.sh stop" && return 0 ;;
    elsewhere) elsewhere stop ;;
  esac
  if port_in_use; then
    local holder
    holder=$(port_holder || true)
    fail "port $PORT is already in use${holder:+ by $holder}; stop that process or choose another port: PORT=8081 ./start.sh"
  fi
  if needs_build; then
    echo "building (compiled output missing or older than the sources)..."
    [ -x node_modules/.bin/tsc ] || fail "dependencies are not installed; run npm ci first"
    node_modules/.bin/tsc -p tsconfig.app.json >&2 || fail "the build failed; fix the errors above"
  fi

  mkdir -p "$LOG_DIR"
  # What the process prints outside its logger (a bad setting, a crash): this run's, and the previous run's in .1.
  [ -s "$CONSOLE_FILE" ] && mv -f "$CONSOLE_FILE" "$CONSOLE_FILE.1"
  PORT="$PORT" HOST="$HOST" LOG_FILE="$LOG_FILE" nohup node "$ENTRY" >"$CONSOLE_FILE" 2>&1 &
  local pid=$!
  echo "$pid" >"$PID_FILE"

  local deadline=$((SECONDS + START_TIMEOUT_S))
  until healthy; do
    # Alive is enough here: until nohup has exec'd node, the command line is not yet the app's.
    if ! live_command "$pid" >/dev/null; then
      rm -f "$PID_FILE"
      echo "start.sh: the app exited during start-up; last lines of $CONSOLE_FILE and $LOG_FILE:" >&2
      tail -n 20 "$CONSOLE_FILE" >&2
      [ -f "$LOG_FILE" ] && tail -n 5 "$LOG_FILE" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      fail "the app did not answer /healthz within ${START_TIMEOUT_S}s; see $LOG_FILE and $CONSOLE_FILE"
    fi
    sleep 0.05
  done
  echo "running (pid $pid) at $URL/ — logs in $LOG_FILE, stop with ./start.sh stop"
}

stop() {
  take_lock
  read_pid_file
  case "$APP_STATE" in
    stopped) echo "not running" && return 0 ;;
    elsewhere) elsewhere stop ;;
  esac
  local pid=$APP_PID
  kill -TERM "$pid"
  for _ in $(seq 1 200); do
    is_our_app "$pid" || break
    sleep 0.05
  done
  if is_our_app "$pid"; then
    kill -KILL "$pid"
    echo "start.sh: pid $pid did not stop within 10s; killed it" >&2
  fi
  rm -f "$PID_FILE"
  echo "stopped (pid $pid)"
}

status() {
  read_pid_file
  case "$APP_STATE" in
    running) echo "running (pid $APP_PID) at $URL/" ;;
    elsewhere) elsewhere status ;;
    stopped) echo "not running" && return 3 ;;
  esac
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: ./start.sh [start|stop|status]" >&2
    exit 2
    ;;
esac
