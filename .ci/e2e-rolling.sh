#!/usr/bin/env bash
# Rolling restart, proven: three instances of the sample's jar behind Debian's HAProxy (PROXY
# protocol v2, readiness checked over HTTP every 200 ms, fall 2), 100 clients running INCR, SET
# and GET through HAProxy the whole time, and every instance restarted in turn: SIGTERM, exit 0,
# started again on the same ports, UP in HAProxy, then the next. Run twice: with
# gserver.shutdown-delay=3s (more than HAProxy's inter x fall plus a check's time) and with 0s:
# the instances start once, and the first run restarts each with the second run's delay.
#
# What is checked. The sample keeps its data in memory, per instance: replicas share nothing, so
# a value written through one connection can be read back only on that connection's instance.
# Each client therefore writes keys of its own connection (a new set per connection) and checks
# every reply against what the server acknowledged on that connection: INCR must answer exactly
# the last reply + 1 (less is a lost acknowledged write, more a duplicated or skipped one), and
# GET the last acknowledged SET. A request left without its reply (a cut connection) is not sent
# again, since it may or may not have been done: the connection's keys are dropped with it, the
# client reconnects and starts new keys. So a connection that HAProxy moved to another instance
# mid-stream, a write lost or done twice, a half-written or wrong reply (after a reconnect too)
# are all caught. Clients check a connection before each request, as pools do (one the server
# closed while idle is replaced, nothing failed), and close each connection cleanly after at most
# 1 s, as a pool with a maximum connection lifetime does (ROLL_CLIENT_LIFETIME=0 keeps them until
# the server closes them): RESP has no "goodbye", so a request in flight when a stopping server
# ends a connection's input is cut, and only clients that leave within the shutdown delay and
# stop timeout avoid that (see docs/production.md#rolling-restart-behind-haproxy).
#
# Fails on: an instance exiting other than 0, any lost or duplicated write, half or wrong reply;
# with the delay also on any failed request (error reply, cut, refused connect, timeout) and any
# HAProxy retry, redispatch, connection or response error (wretr, wredis, econ, eresp). Without
# the delay it only reports, to show the difference.
#
# Prerequisites: a JDK (JAVA, else java on PATH), Maven (to build the jar when missing), python3,
# haproxy. Every process is started here and killed by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
E2E_NAME=e2e-rolling
# shellcheck source=e2e-lib.sh
source .ci/e2e-lib.sh

e2e_workspace

# three JVMs, HAProxy and the clients share the machine (2 cores in CI): the serial collector,
# and C1 only, which starts an instance in about 4 s where both compilers took 11 to 16 s on a
# loaded 2-core machine; the restart is what this measures, not peak throughput
SAMPLE_JVM_OPTIONS=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1)
CLIENTS=100
LOAD_BEFORE=3          # seconds of load before the first SIGTERM
CLIENT_RATE=50         # requests a second per client: load, not a saturated machine that starts JVMs slowly
CLIENT_LIFETIME=${ROLL_CLIENT_LIFETIME:-1}
# > the client lifetime: connections still open as the listener closes end as their clients
# leave them, before the stop ends their input (with the delay, none is left by then)
STOP_TIMEOUT=2s
NAMES=(a b c)

# proxied DELAY: the sample's arguments behind HAProxy
proxied() {
	PROXIED=(--gserver.proxy-protocol.mode=required --gserver.proxy-protocol.trusted=127.0.0.1/32
		--gserver.stop-timeout="$STOP_TIMEOUT" --gserver.shutdown-delay="$1")
}

# start_all DELAY: the three instances and HAProxy in front, once for both runs
start_all() {
	local i servers=() started
	started=$(now_ms)
	FRONT=$(free_port)
	STATS=$WORK/haproxy.sock
	proxied "$1"
	for i in 0 1 2; do
		PORTS[i]=$(free_port)
		HTTPS[i]=$(free_port)
		servers+=("${NAMES[i]}:${PORTS[i]}:${HTTPS[i]}")
		start_sample "${NAMES[i]}" "${PORTS[i]}" "${HTTPS[i]}" "${PROXIED[@]}"
		SAMPLES[i]=$STARTED
	done
	# a slow answer on a loaded machine is no failed check; a 503 still counts at once
	haproxy_config "$WORK/haproxy.cfg" "$FRONT" 2 "stats socket $STATS mode 600 level admin" "timeout check 2s" \
		"${servers[@]}"
	/usr/sbin/haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
	HAPROXY=$!
	PIDS+=("$HAPROXY")
	for i in 0 1 2; do
		wait_until "HAProxy routing to instance ${NAMES[i]}" "${SAMPLES[i]}" 90 haproxy_server_up "$STATS" "${NAMES[i]}"
	done
	echo "$E2E_NAME: three instances started with shutdown-delay=$1 and UP in HAProxy in $(( $(now_ms) - started )) ms"
}

# rolling_restart DELAY NEXT_DELAY: one run under load against instances running with DELAY,
# each restarted with NEXT_DELAY (ready for the next run); ROLLED=(clients' JSON, HAProxy's JSON,
# stop and start times)
rolling_restart() {
	local delay=$1 i name status started times=""
	python3 .ci/haproxy_stats.py "$STATS" clear || fail "could not clear HAProxy's counters"
	python3 .ci/resp_clients.py keyed --port "$FRONT" --clients "$CLIENTS" --lifetime "$CLIENT_LIFETIME" --rate "$CLIENT_RATE" \
		--go-file "$WORK/go-$delay" --phase-file "$WORK/roll-$delay" --stop-file "$WORK/stop-$delay" \
		>"$WORK/clients-$delay.json" 2>"$WORK/clients-$delay.err" &
	local load=$!
	PIDS+=("$load")
	wait_file "$WORK/go-$delay" 60
	sleep "$LOAD_BEFORE"
	touch "$WORK/roll-$delay"
	local roll_started
	roll_started=$(now_ms)
	proxied "$2"
	for i in 0 1 2; do
		name=${NAMES[i]}
		started=$(now_ms)
		kill -TERM "${SAMPLES[i]}"
		status=0
		wait "${SAMPLES[i]}" || status=$?
		[ "$status" -eq 0 ] || fail "shutdown-delay=$delay: instance $name exited with $status after SIGTERM"
		times+="$name stopped in $(( $(now_ms) - started )) ms, "
		# the old process's UP must not pass for the new one's
		wait_until "HAProxy marking instance $name down" "$load" 30 not_up "$STATS" "$name"
		started=$(now_ms)
		start_sample "$name" "${PORTS[i]}" "${HTTPS[i]}" "${PROXIED[@]}"
		SAMPLES[i]=$STARTED
		wait_until "HAProxy routing to the restarted instance $name" "${SAMPLES[i]}" 90 haproxy_server_up "$STATS" "$name"
		times+="UP again in $(( $(now_ms) - started )) ms; "
	done
	times+="the roll took $(( $(now_ms) - roll_started )) ms; "
	touch "$WORK/stop-$delay"
	wait "$load" || fail "the clients failed: $(cat "$WORK/clients-$delay.err")"
	ROLLED=("$(cat "$WORK/clients-$delay.json")" "$(python3 .ci/haproxy_stats.py "$STATS" show samples)" "${times%; }")
	[ ! -s "$WORK/clients-$delay.err" ] || echo "$E2E_NAME: clients' messages: $(head -c 2000 "$WORK/clients-$delay.err")" >&2
}

not_up() {
	! haproxy_server_up "$1" "$2"
}

# server_counter JSON NAME: the counter summed over the backend's servers (the backend's own row left out)
server_counter() {
	python3 -c 'import json, sys; print(sum(e[sys.argv[2]] for n, e in json.loads(sys.argv[1]).items() if n != "samples"))' "$1" "$2"
}

# report_row DELAY: one line of the table from ROLLED
report_row() {
	local c=${ROLLED[0]} h=${ROLLED[1]}
	printf '%-15s %9s %7s %5s %5s %10s %9s %14s %14s %5s %5s %5s %6s\n' "$1" \
		"$(json_field "$c" requests)" "$(json_field "$c" failed)" "$(json_field "$c" lost)" \
		"$(json_field "$c" duplicated)" "$(json_field "$c" reconnects)" "$(json_field "$c" recycled)" \
		"$(json_field "$c" p50_before)/$(json_field "$c" p99_before)" \
		"$(json_field "$c" p50_during)/$(json_field "$c" p99_during)" \
		"$(server_counter "$h" econ)" "$(server_counter "$h" eresp)" "$(server_counter "$h" wretr)" "$(server_counter "$h" wredis)"
}

# check_run DELAY STRICT: what must hold in every run, and with STRICT (the delay) no failure at all
check_run() {
	local c=${ROLLED[0]} h=${ROLLED[1]} key
	for key in lost duplicated half wrong clients_stuck; do
		[ "$(json_field "$c" "$key")" -eq 0 ] || fail "shutdown-delay=$1: $key is not 0: $c"
	done
	[ "$(json_field "$c" acknowledged_before)" -gt 0 ] || fail "shutdown-delay=$1: nothing acknowledged before the roll"
	[ "$(json_field "$c" acknowledged_during)" -gt 0 ] || fail "shutdown-delay=$1: nothing acknowledged during the roll"
	[ "$2" = strict ] || return 0
	[ "$(json_field "$c" failed)" -eq 0 ] || fail "shutdown-delay=$1: failed requests: $c"
	[ "$(haproxy_errors "$h")" -eq 0 ] || fail "shutdown-delay=$1: HAProxy retried, redispatched or failed: $h"
}

echo "$E2E_NAME: $("${JAVA:-java}" -version 2>&1 | head -1); $CLIENTS clients at up to $CLIENT_RATE requests/s each" \
	"(connection lifetime ${CLIENT_LIFETIME}s)," \
	"$LOAD_BEFORE s of load, then each of 3 instances restarted in turn"
FRONT="" STATS="" HAPROXY="" PORTS=() HTTPS=() SAMPLES=() PROXIED=()
start_all 3s
rolling_restart 3s 0s
with=("${ROLLED[@]}")
rolling_restart 0s 0s
without=("${ROLLED[@]}")
kill -TERM "${SAMPLES[@]}" "$HAPROXY"
for pid in "${SAMPLES[@]}" "$HAPROXY"; do
	wait "$pid" || true
done
printf '%-15s %9s %7s %5s %5s %10s %9s %14s %14s %5s %5s %5s %6s\n' "shutdown-delay" requests failed lost dup \
	reconnects recycled "p50/p99 before" "p50/p99 during" econ eresp wretr wredis
ROLLED=("${with[@]}")
report_row 3s
ROLLED=("${without[@]}")
report_row 0s
echo "(latencies in ms; reconnects: after a failure, or when the server had closed the connection while idle;" \
	"recycled: connections the client closed at the end of their lifetime)"
echo "$E2E_NAME: 3s: ${with[2]}"
echo "$E2E_NAME: 0s: ${without[2]}"
echo "$E2E_NAME: 3s: clients ${with[0]}"
echo "$E2E_NAME: 0s: clients ${without[0]}"
ROLLED=("${with[@]}")
check_run 3s strict
ROLLED=("${without[@]}")
check_run 0s report
echo "$E2E_NAME: passed"
