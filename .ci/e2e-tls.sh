#!/usr/bin/env bash
# End-to-end check of the sample app's TLS profile: a self-signed certificate from openssl, the
# packaged jar run with --spring.profiles.active=tls and GSERVER_TLS_CERT / GSERVER_TLS_KEY, then
# openssl s_client gets +PONG over TLS (and sees that certificate), while a plaintext redis-cli
# gets no PONG and the failed handshake shows in gserver.tls.handshake.errors, and a TLS 1.2
# s_client asking to renegotiate is refused and counted. SIGTERM then stops
# the app with exit code 0.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=16390
HTTP_PORT=18091
JAR=sample-app/target/gserver-sample-app.jar
START_BUDGET_SECONDS=120

for port in "$PORT" "$HTTP_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "e2e-tls: port $port is already in use; stop what listens there first" >&2
		exit 1
	fi
done

if [ ! -f "$JAR" ]; then
	echo "e2e-tls: $JAR is missing: building it"
	mvn -B -q -DskipTests package
fi

WORK=$(mktemp -d)
APP=""
cleanup() {
	if [ -n "$APP" ] && kill -0 "$APP" 2>/dev/null; then
		kill -KILL "$APP" 2>/dev/null || true
		wait "$APP" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
	echo "e2e-tls: $*" >&2
	echo "e2e-tls: the app's output:" >&2
	cat "$WORK/app.log" >&2 || true
	exit 1
}

# handshake_errors REASON: gserver.tls.handshake.errors{reason=REASON} from Actuator, once it has a
# series (polled for up to 10 s: the count follows the client's close); empty when it never has
handshake_errors() {
	local metrics="http://127.0.0.1:$HTTP_PORT/actuator/metrics/gserver.tls.handshake.errors?tag=reason:$1" value=""
	for _ in $(seq 1 20); do
		value=$(curl -fsS "$metrics" 2>/dev/null | grep -o '"value":[0-9.]*' | head -1 | cut -d: -f2) || true
		[ -n "$value" ] && break
		sleep 0.5
	done
	echo "$value"
}
# a self-signed certificate for 127.0.0.1 and localhost, valid for a day
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=gserver e2e' \
	-addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>"$WORK/openssl.log" \
	|| { cat "$WORK/openssl.log" >&2; exit 1; }
expected_fingerprint=$(openssl x509 -in "$WORK/cert.pem" -noout -fingerprint -sha256)

echo "e2e-tls: starting $JAR with the tls profile on port $PORT"
GSERVER_TLS_CERT="$WORK/cert.pem" GSERVER_TLS_KEY="$WORK/key.pem" \
	java -jar "$JAR" --spring.profiles.active=tls --gserver.port="$PORT" --gserver.servers.chat.port=0 --server.port="$HTTP_PORT" \
	>"$WORK/app.log" 2>&1 &
APP=$!

started=$(date +%s)
until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
	kill -0 "$APP" 2>/dev/null || fail "the sample app ended before listening on $PORT"
	[ $(( $(date +%s) - started )) -lt "$START_BUDGET_SECONDS" ] || fail "port $PORT not open after ${START_BUDGET_SECONDS}s"
	sleep 0.5
done
# the port opens as the listener binds, a moment before the start line is logged: wait for it, bounded
started=$(date +%s)
until grep -q 'Started <StreamServer' "$WORK/app.log"; do
	[ $(( $(date +%s) - started )) -lt 10 ] || fail "no start line in the log 10s after the port opened"
	sleep 0.2
done
grep -q 'tls=on' "$WORK/app.log" || fail "the start line does not say tls=on"
echo "e2e-tls: port $PORT answers after $(( $(date +%s) - started ))s"

# over TLS: s_client -quiet ignores the end of its input and keeps the connection open until the
# server closes it, which a Redis server does not do: timeout ends it (exit code 124), and what it
# printed until then is the answer
answer=$(printf 'PING\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -quiet 2>"$WORK/s_client.log") || true
answer=${answer//$'\r'/}
[ "$answer" = "+PONG" ] || { cat "$WORK/s_client.log" >&2; fail "openssl s_client got '$answer', not +PONG"; }
echo "e2e-tls: PING over TLS -> $answer"

presented=$(timeout 10 openssl s_client -connect "127.0.0.1:$PORT" </dev/null 2>/dev/null \
	| openssl x509 -noout -fingerprint -sha256) || true
[ "$presented" = "$expected_fingerprint" ] || fail "the server presented '$presented', not the generated certificate ($expected_fingerprint)"
echo "e2e-tls: the server presents the generated certificate"

# plaintext: the server expects a TLS ClientHello, answers with an alert and closes
plain=$(timeout 10 redis-cli -p "$PORT" ping 2>&1) || true
if [ "$plain" = "PONG" ]; then
	fail "plaintext redis-cli got PONG from a TLS-only port"
fi
echo "e2e-tls: plaintext redis-cli ping -> ${plain:-<nothing>} (refused, as it should be)"

# the refused plaintext client is counted: one failed handshake, reason protocol
count=$(handshake_errors protocol)
[ "$count" = "1.0" ] || fail "gserver.tls.handshake.errors{reason=protocol} reads '$count', not 1.0"
echo "e2e-tls: gserver.tls.handshake.errors{reason=protocol} = $count"

# a TLS 1.2 client asking to renegotiate (s_client's R command) is refused and counted; the
# pauses pace the interactive client: the PING is answered before the R is sent
(printf 'PING\r\n'; sleep 1; printf 'R\n'; sleep 2) \
	| timeout 10 openssl s_client -tls1_2 -connect "127.0.0.1:$PORT" >"$WORK/renegotiate.log" 2>&1 || true
grep -q '+PONG' "$WORK/renegotiate.log" || { cat "$WORK/renegotiate.log" >&2; fail "no +PONG before the renegotiation"; }
grep -q 'RENEGOTIATING' "$WORK/renegotiate.log" || { cat "$WORK/renegotiate.log" >&2; fail "s_client did not try to renegotiate"; }
count=$(handshake_errors renegotiation)
[ "$count" = "1.0" ] || { cat "$WORK/renegotiate.log" >&2; fail "gserver.tls.handshake.errors{reason=renegotiation} reads '$count', not 1.0"; }
echo "e2e-tls: openssl s_client -tls1_2 renegotiation refused: gserver.tls.handshake.errors{reason=renegotiation} = $count"
stop_started=$(date +%s)
kill -TERM "$APP"
status=0
wait "$APP" || status=$?
APP=""
echo "e2e-tls: SIGTERM -> exit code $status after $(( $(date +%s) - stop_started ))s"
[ "$status" -eq 0 ] || fail "the app exited with $status"
grep -q 'Stopped <StreamServer' "$WORK/app.log" || fail "no 'Stopped' line in the log"
echo "e2e-tls: passed"
