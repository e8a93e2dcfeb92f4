#!/usr/bin/env bash
# Runs the hello app in the background on $PORT (default 8080), logging to logs/app.log.
#   ./start.sh          build if needed, start, wait until /healthz answers, print the URL
#   ./start.sh stop     stop it gracefully (SIGTERM; in-flight requests finish)
#   ./start.sh status   say whether it runs, and where
set -euo pipefail

cd "$(dirname "$0")"
PORT="${PORT:-8080}"
HOST="${HOST:-0.0.0.0}"
LOG_DIR=logs
LOG_FILE="$LOG_DIR/app.log"
PID_FILE="$LOG_DIR/app.pid"
ENTRY=dist/app/server.js
START_TIMEOUT_S="${START_TIMEOUT_S:-10}"

fail() {
  echo "start.sh: $*" >&2
  exit 1
}

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "$pid"
    return 0
  fi
  return 1
}

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
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
    curl -fsS --max-time 1 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1
  else
    local status
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
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
  local pid
  if pid=$(running_pid); then
    echo "already running (pid $pid) at http://127.0.0.1:$PORT/ — stop it with ./start.sh stop"
    return 0
  fi
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
  PORT="$PORT" HOST="$HOST" nohup node "$ENTRY" >>"$LOG_FILE" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"

  local deadline=$((SECONDS + START_TIMEOUT_S))
  until healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      echo "start.sh: the app exited during start-up; last lines of $LOG_FILE:" >&2
      tail -n 20 "$LOG_FILE" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      fail "the app did not answer /healthz within ${START_TIMEOUT_S}s; see $LOG_FILE"
    fi
    sleep 0.05
  done
  echo "running (pid $pid) at http://127.0.0.1:$PORT/ — logs in $LOG_FILE, stop with ./start.sh stop"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    echo "not running"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    echo "start.sh: pid $pid did not stop within 10s; killed it" >&2
  fi
  rm -f "$PID_FILE"
  echo "stopped (pid $pid)"
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "running (pid $pid) at http://127.0.0.1:$PORT/"
  else
    echo "not running"
    return 3
  fi
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
