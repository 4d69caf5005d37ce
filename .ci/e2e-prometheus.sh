#!/usr/bin/env bash
# End-to-end check of the observability the docs promise, with a real Prometheus (Debian's
# prometheus package) scraping the running sample every second. It first forces every event a
# documented query or alert watches, then asserts, with no fallback in any query:
#   - each PromQL query of the README and of the Grafana dashboard returns a non-zero value;
#   - the alerts these events must fire have a series (GServerDown has none); the rules pass
#     promtool check and promtool test, and load;
#   - every metric name the docs mention is in a live scrape (.ci/check_metric_names.py).
# The sample runs three TCP servers here:
#   gserver  (GSERVER_PORT)  the Redis-compatible server with a pool of $POOL: held clients fill it
#   chat     (CHAT_PORT)     the chat room, requiring a PROXY header: a plain client is refused;
#                            one connection per client address: a second one is rejected (per-address);
#                            flooded while the app's descriptor limit is lowered: accept errors
#   secure   (SECURE_PORT)   the Redis handler again over TLS, from a certificate valid 7 days
#   gserverUdp (UDP_PORT)    the sample's UDP echo, for the datagram meters
set -euo pipefail
cd "$(dirname "$0")/.."

GSERVER_PORT=16380
CHAT_PORT=16381
SECURE_PORT=16382
UDP_PORT=16383
HTTP_PORT=18081
PROMETHEUS_PORT=19090
POOL=4
MONITORING=sample-app/monitoring
JAR=sample-app/target/gserver-sample-app.jar
WORK=$(mktemp -d)
HOLDERS=()

for port in $GSERVER_PORT $CHAT_PORT $SECURE_PORT $HTTP_PORT $PROMETHEUS_PORT; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "e2e-prometheus: port $port is in use" >&2
		exit 1
	fi
done
[ -f "$JAR" ] || mvn -B -q -DskipTests package

cleanup() {
	rm -f "$WORK"/hold-*
	for pid in "${HOLDERS[@]}" "${APP:-}" "${PROM:-}"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
	echo "e2e-prometheus: FAILED: $*" >&2
	echo "---- the app's log (last 30 lines)" >&2
	tail -n 30 "$WORK/app.log" >&2 || true
	echo "---- Prometheus's log (last 10 lines)" >&2
	tail -n 10 "$WORK/prometheus.log" >&2 || true
	exit 1
}

openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj '/CN=gserver e2e' \
	-addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>"$WORK/openssl.log" || fail "openssl: $(cat "$WORK/openssl.log")"

java -jar "$JAR" --gserver.port=$GSERVER_PORT --server.port=$HTTP_PORT --gserver.spawn=$POOL --gserver.handler=redisHandler \
	--gserver.servers.chat.port=$CHAT_PORT --gserver.servers.chat.spawn=default \
	--gserver.servers.chat.proxy-protocol.mode=required --gserver.servers.chat.max-connections-per-address=1 \
	--gserver.servers.secure.port=$SECURE_PORT --gserver.servers.secure.handler=redisHandler \
	--gserver.servers.secure.spawn=default --gserver.servers.secure.ssl.bundle=e2e \
	--spring.ssl.bundle.pem.e2e.keystore.certificate="file:$WORK/cert.pem" \
	--spring.ssl.bundle.pem.e2e.keystore.private-key="file:$WORK/key.pem" \
	--sample.udp-echo=true --gserver.udp.port=$UDP_PORT >"$WORK/app.log" 2>&1 &
APP=$!

promtool check rules "$MONITORING/alerts.yml"
promtool test rules "$MONITORING/alerts-test.yml"
sed -e "s/scrape_interval: 15s/scrape_interval: 1s/" -e "s/evaluation_interval: 15s/evaluation_interval: 1s/" \
	-e "s/127.0.0.1:8081/127.0.0.1:$HTTP_PORT/" -e "s#- alerts.yml#- $PWD/$MONITORING/alerts.yml#" \
	"$MONITORING/prometheus.yml" >"$WORK/prometheus.yml"
promtool check config "$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
	--web.listen-address=127.0.0.1:$PROMETHEUS_PORT >"$WORK/prometheus.log" 2>&1 &
PROM=$!

# prints how many series a PromQL query returns: all of them, or (with "nonzero") those whose value
# is a number other than 0
series() { # query [nonzero]
	curl -s --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json, math, sys
try:
    answer = json.load(sys.stdin)
except ValueError:
    print(0); sys.exit()
result = answer.get("data", {}).get("result", []) if answer.get("status") == "success" else []
if sys.argv[1] == "nonzero":
    result = [r for r in result if not math.isnan(float(r["value"][1])) and float(r["value"][1]) != 0]
print(len(result))' "${2:-all}"
}

# waits up to 90 s for QUERY to return a series (with "nonzero": a non-zero one)
wait_for() { # query what [nonzero]
	case "$1" in
		*vector\(*|*absent\(*) fail "$2 has a fallback that returns a series whether or not the real one exists: $1" ;;
	esac
	for _ in $(seq 1 90); do
		[ "$(series "$1" "${3:-all}")" -gt 0 ] && return 0
		kill -0 "$APP" 2>/dev/null || fail "the app ended"
		sleep 1
	done
	fail "no ${3:+non-zero }series for $2: $1"
}

# sends BYTES (with \r, \n escapes) to PORT and reads until the server closes
send_and_read() { # port bytes
	python3 - "$1" "$2" <<'EOF'
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass  # a reset is a close too
EOF
}

# opens two connections at once to PORT as one client (the same PROXY header source): with
# max-connections-per-address=1, the server closes exactly one of them
two_from_one_address() { # port
	python3 - "$1" <<'EOF'
import select, socket, sys
port = int(sys.argv[1])
header = b"PROXY TCP4 192.0.2.50 127.0.0.1 40000 6381\r\n"
clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(2)]
try:
    for client in clients:
        client.sendall(header)
    closed, _, _ = select.select(clients, [], [], 10)
    assert len(closed) == 1, "%d of the 2 connections were closed, not 1" % len(closed)
    try:
        assert closed[0].recv(1) == b"", "the refused connection got a reply"
    except ConnectionResetError:
        pass  # a reset is a close too
finally:
    for client in clients:
        client.close()
EOF
}

# holds COUNT connections to PORT open in the background until `release NAME`
hold() { # name port count
	python3 .ci/resp_clients.py hold --port "$2" --count "$3" --hold-file "$WORK/hold-$1" &
	HOLDERS+=($!)
	for _ in $(seq 1 300); do
		[ -s "$WORK/hold-$1" ] && return 0
		sleep 0.1
	done
	fail "$3 connections to port $2 not opened within 30 s"
}

release() { # name
	rm -f "$WORK/hold-$1"
	wait "${HOLDERS[-1]}"
	unset 'HOLDERS[-1]'
}

accept_errors_in_log() {
	grep -c "accept failed.*Too many open files" "$WORK/app.log" || true
}

# floods the chat server while the app may open only a few more descriptors: its accepts fail
# with "Too many open files" until the flood is released and the limit restored
descriptor_flood() {
	local soft base before
	soft=$(prlimit --pid "$APP" --nofile --output SOFT --noheadings | tr -d ' ')
	base=$(ls "/proc/$APP/fd" | wc -l)
	before=$(accept_errors_in_log)
	prlimit --pid "$APP" --nofile="$(( base + 20 )):"
	hold flood $CHAT_PORT 100
	for _ in $(seq 1 300); do
		[ "$(accept_errors_in_log)" -gt "$before" ] && break
		sleep 0.1
	done
	release flood
	prlimit --pid "$APP" --nofile="$soft:"
	[ "$(accept_errors_in_log)" -gt "$before" ] || fail "no accept error with the descriptor limit at $(( base + 20 ))"
}

wait_for 'up{job="gserver-sample"} == 1' "the scrape target"

# ---- the events --------------------------------------------------------------------------------
[ "$(timeout 10 redis-cli -p $GSERVER_PORT ping)" = PONG ] || fail "no PONG from port $GSERVER_PORT"
# it warns that CONFIG is unknown
timeout 120 redis-benchmark -p $GSERVER_PORT -n 3000 -c $(( POOL - 1 )) -q -t ping,set,get >/dev/null 2>&1 \
	|| fail "redis-benchmark failed or took more than 120 s"
send_and_read $GSERVER_PORT '*x\r\n'          # a malformed RESP frame
send_and_read $CHAT_PORT 'hello\r\n'          # no PROXY header: refused
two_from_one_address $CHAT_PORT || fail "no connection over the cap per address refused by port $CHAT_PORT"
# s_client keeps the connection open until the server closes it, which a Redis server does not: timeout ends it
answer=$(printf 'PING\r\n' | timeout 5 openssl s_client -connect 127.0.0.1:$SECURE_PORT -quiet 2>/dev/null) || true
[ "${answer//$'\r'/}" = "+PONG" ] || fail "no +PONG over TLS from port $SECURE_PORT: '$answer'"
send_and_read $SECURE_PORT 'PING\r\n'         # plaintext to the TLS server: a failed handshake
python3 - $UDP_PORT <<'EOF' || fail "no UDP echo from port $UDP_PORT"
import socket, sys
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(10)
    s.sendto(b"hello", ("127.0.0.1", int(sys.argv[1])))
    assert s.recvfrom(64)[0] == b"hello"
EOF
# twice, with a scrape between: a counter's rate needs two samples, and its series starts at the first error
descriptor_flood
wait_for 'gserver_accept_errors_total' "the accept errors of the first flood"
descriptor_flood
echo "e2e-prometheus: $(accept_errors_in_log) accept errors forced by two descriptor floods"
hold pool $GSERVER_PORT $(( POOL + 2 ))       # fills the pool; released at exit

# ---- the checks --------------------------------------------------------------------------------
checked=0
# the README's queries: the lines of its ```promql block that are not comments
while IFS= read -r query; do
	wait_for "$query" "a README query" nonzero
	echo "e2e-prometheus: README query is non-zero: $query"
	checked=$((checked + 1))
done < <(awk '/^```promql/{on=1; next} /^```/{on=0} on && !/^#/ && NF' README.md)
[ "$checked" -ge 3 ] || fail "expected at least 3 PromQL queries in README.md, found $checked"

panels=0
while IFS= read -r query; do
	wait_for "$query" "a dashboard panel" nonzero
	echo "e2e-prometheus: dashboard query is non-zero: $query"
	panels=$((panels + 1))
done < <(python3 -c 'import json,sys
for panel in json.load(open(sys.argv[1]))["panels"]:
    for target in panel["targets"]:
        print(target["expr"])' "$MONITORING/grafana-dashboard.json")

# each alert's expression: those the events above must fire return a series, GServerDown none
while IFS=$'\t' read -r alert expr; do
	if [ "$alert" = GServerDown ]; then
		[ "$(series "$expr")" -eq 0 ] || fail "GServerDown's expression returns a series while every server runs: $expr"
	else
		wait_for "$expr" "alert $alert"
	fi
	echo "e2e-prometheus: alert $alert: $expr"
done < <(python3 -c 'import re,sys
text = open(sys.argv[1]).read()
for alert, expr in re.findall(r"- alert: (\S+)\n(?:\s+#.*\n)*\s+expr: (.*)", text):
    print(alert + "\t" + expr)' "$MONITORING/alerts.yml")

# the cap per address, counted with its reason (its series exists from start-up: it must have moved)
wait_for 'gserver_connections_rejected_connections_total{name="chat",reason="per-address"}' "the per-address rejection" nonzero
echo "e2e-prometheus: the per-address rejection is counted"

rules=$(curl -s --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/rules" |
	python3 -c 'import json,sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))')
[ "$rules" -eq 4 ] || fail "Prometheus loaded $rules alert rules, expected 4"

curl -fsS --max-time 10 "http://127.0.0.1:$HTTP_PORT/actuator/prometheus" >"$WORK/scrape.txt" || fail "no scrape"
python3 .ci/check_metric_names.py "$WORK/scrape.txt" || fail "a metric name in the docs is not in a live scrape"
release pool
echo "e2e-prometheus: passed ($checked README queries and $panels dashboard queries non-zero, $rules alert rules loaded)"
