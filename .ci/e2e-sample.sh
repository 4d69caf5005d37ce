#!/usr/bin/env bash
# End-to-end check of the sample app, as a new user runs it: the README's run command starts it,
# redis-cli (Debian's redis-tools) gets PONG on port 6380, and SIGTERM stops it within
# gserver.stop-timeout with exit code 0.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=6380
STOP_BUDGET_SECONDS=15   # gserver.stop-timeout (10s in application.yml) plus start-up slack of the JVM's exit

# the run command is read from the README, so that the README stays true
RUN_COMMAND=$(grep -m1 '# run the sample' README.md | sed 's/[[:space:]]*# run the sample.*$//')
if [ -z "$RUN_COMMAND" ]; then
	echo "e2e: no line marked '# run the sample' in README.md" >&2
	exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
	echo "e2e: port $PORT is already in use; stop what listens there first" >&2
	exit 1
fi

LOG=$(mktemp)
echo "e2e: running: $RUN_COMMAND"
bash -c "$RUN_COMMAND" >"$LOG" 2>&1 &
RUNNER=$!
cleanup() {
	pkill -KILL -f 'gserver-sample-app.jar' 2>/dev/null || true
	kill "$RUNNER" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 1 300); do
	if [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = "PONG" ]; then
		break
	fi
	if ! kill -0 "$RUNNER" 2>/dev/null; then
		echo "e2e: the sample app ended before answering; its output:" >&2
		cat "$LOG" >&2
		exit 1
	fi
	sleep 1
done
answer=$(redis-cli -p "$PORT" ping)
[ "$answer" = "PONG" ] || { echo "e2e: redis-cli ping answered '$answer'" >&2; cat "$LOG" >&2; exit 1; }
echo "e2e: redis-cli -p $PORT ping -> $answer"
[ "$(redis-cli -p "$PORT" set e2e works)" = "OK" ]
[ "$(redis-cli -p "$PORT" get e2e)" = "works" ]

APP=$(pgrep -f 'gserver-sample-app.jar' | head -1)
started=$(date +%s)
kill -TERM "$APP"
status=0
wait "$RUNNER" || status=$?
elapsed=$(( $(date +%s) - started ))
echo "e2e: SIGTERM -> exit code $status after ${elapsed}s"
if [ "$status" -ne 0 ]; then
	cat "$LOG" >&2
	exit 1
fi
if [ "$elapsed" -gt "$STOP_BUDGET_SECONDS" ]; then
	echo "e2e: stopping took ${elapsed}s, more than ${STOP_BUDGET_SECONDS}s" >&2
	exit 1
fi
grep -q 'Stopped <StreamServer' "$LOG" || { echo "e2e: no 'Stopped' line in the log" >&2; exit 1; }
echo "e2e: passed"
