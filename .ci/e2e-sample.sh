#!/usr/bin/env bash
# End-to-end check of the sample app, as a new user runs it: the README's run command starts it,
# redis-cli (Debian's redis-tools) gets PONG on port 6380, redis-py (Debian's python3-redis) runs
# its ordinary calls (.ci/redis_py_check.py), redis-benchmark runs clean, and SIGTERM stops it
# within gserver.stop-timeout with exit code 0.
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
# the JVM this script started, not another checkout's sample: the runner itself when bash exec'd
# the run command's last step, else the runner's child
sample_pid() {
	local cmdline
	cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$RUNNER/cmdline" || true)
	if [[ "$cmdline" == *gserver-sample-app.jar* ]]; then
		echo "$RUNNER"
	else
		pgrep -P "$RUNNER" -f 'gserver-sample-app.jar' | head -1 || true
	fi
}
cleanup() {
	local app
	app=$(sample_pid)
	[ -z "$app" ] || kill -KILL "$app" 2>/dev/null || true
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

# redis-py: Debian's python3-redis is for Debian's python3, which need not be the first on PATH
PYTHON=""
for candidate in python3 /usr/bin/python3; do
	if "$candidate" -c 'import redis' 2>/dev/null; then
		PYTHON=$candidate
		break
	fi
done
[ -n "$PYTHON" ] || { echo "e2e: no python3 with redis-py (python3-redis)" >&2; exit 1; }
"$PYTHON" .ci/redis_py_check.py "$PORT" || { cat "$LOG" >&2; exit 1; }

# redis-benchmark: it asks CONFIG GET first, then runs each test; a refused command shows as an
# "Error from server" line, a missing CONFIG as a WARNING. Its progress lines end in CR, not LF.
BENCH_TESTS="ping,set,get,incr,mset"
bench=$(redis-benchmark -p "$PORT" -q -t "$BENCH_TESTS" -n 2000 2>&1 | tr '\r' '\n' | grep -v '^[[:space:]]*$' |
	grep -v 'rps=' || true)
echo "$bench" | sed 's/^/e2e: redis-benchmark: /'
# here-strings, not echo | grep -q: under pipefail, grep -q's early exit could fail the echo
if grep -Eiq 'error|warn' <<<"$bench"; then
	echo "e2e: redis-benchmark reported errors" >&2
	exit 1
fi
for test in PING_INLINE PING_MBULK SET GET INCR 'MSET (10 keys)'; do
	grep -q "^$test: .* requests per second" <<<"$bench" || {
		echo "e2e: redis-benchmark has no result for $test" >&2
		exit 1
	}
done

APP=$(sample_pid)
[ -n "$APP" ] || { echo "e2e: no sample JVM under the run command" >&2; exit 1; }
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
