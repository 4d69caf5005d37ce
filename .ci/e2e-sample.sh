#!/usr/bin/env bash
# End-to-end check of the sample app, as a new user runs it: the README's run command starts it,
# redis-cli (Debian's redis-tools) gets PONG on port 6380, redis-py (Debian's python3-redis) runs
# its ordinary calls (.ci/redis_py_check.py), redis-benchmark runs clean, two clients of the chat
# room on port 6381 hear each other, and SIGTERM stops it within gserver.stop-timeout with exit
# code 0.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=6380
CHAT_PORT=6381
STOP_BUDGET_SECONDS=15   # gserver.stop-timeout (10s in application.yml) plus start-up slack of the JVM's exit

# the run command is read from the README, so that the README stays true
RUN_COMMAND=$(grep -m1 '# run the sample' README.md | sed 's/[[:space:]]*# run the sample.*$//')
if [ -z "$RUN_COMMAND" ]; then
	echo "e2e: no line marked '# run the sample' in README.md" >&2
	exit 1
fi
for port in "$PORT" "$CHAT_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "e2e: port $port is already in use; stop what listens there first" >&2
		exit 1
	fi
done

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

# the chat room: what one client says, the other hears as "<id>: <line>"; an over-long line is refused
python3 - "$CHAT_PORT" <<'PY' || { echo "e2e: the chat room failed" >&2; cat "$LOG" >&2; exit 1; }
import socket, sys, time
port = int(sys.argv[1])
alice = socket.create_connection(("127.0.0.1", port), timeout=10)
bob = socket.create_connection(("127.0.0.1", port), timeout=10)
received = b""
def line(sock, timeout):
    """The next line bob received, or None when none came within timeout."""
    global received
    sock.settimeout(timeout)
    while b"\n" not in received:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            return None
        if not chunk:
            return b""
        received += chunk
    first, _, received = received.partition(b"\n")
    return first + b"\n"
deadline = time.monotonic() + 10
while True:   # a line said before both have joined reaches no one: say it again
    assert time.monotonic() < deadline, "bob never heard alice"
    alice.sendall(b"hello from alice\n")
    heard = line(bob, 0.5)
    if heard is not None and heard.endswith(b": hello from alice\n"):
        break
while line(bob, 0.5) is not None:   # a repeat still in flight is not the answer below
    pass
bob.sendall(b"x" * 1025 + b"\n")
assert line(bob, 10) == b"ERR line too long\n"
assert line(bob, 10) == b"", "the connection stayed open"
print("e2e: chat: bob heard alice; an over-long line got ERR line too long and the connection closed")
PY

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
