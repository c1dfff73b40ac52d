#!/usr/bin/env bash
# Run the development server and a background-job worker side by side; stop both when either stops or on
# Ctrl-C (SIGINT) or SIGTERM. Usage: scripts/serve-with-worker.sh .venv/bin/dangjian 127.0.0.1:8000
set -u
dangjian=$1
host=$2

"$dangjian" fail_abandoned_jobs -v0 >/dev/null  # jobs left "running" by a worker that was killed
"$dangjian" db_worker --no-reload &
worker=$!
"$dangjian" runserver "$host" &
server=$!

stop() {
    trap - INT TERM
    kill -TERM "$server" "$worker" 2>/dev/null
    wait "$server" "$worker" 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

# Whichever ends first (a crash, or a Ctrl-C that reached both) ends the other.
wait -n "$server" "$worker"
status=$?
stop
exit "$status"
