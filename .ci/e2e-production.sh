#!/usr/bin/env bash
# End-to-end checks of what production meets, with real processes: the sample app's jar run as
# users run it, raw RESP clients (.ci/resp_clients.py) that tell a cut connection from a
# half-written reply, and Debian's HAProxy.
#
#   1. shutdown under load: 200 clients loop, SIGTERM: every reply complete, exit 0, in time
#   2. descriptors run out (ulimit -n): the listener stays, accepts back off, then serve again
#   3. SO_REUSEPORT: two processes share one port; one stops, the other keeps serving
#   4. HAProxy with PROXY protocol v2 in front of two instances: CLIENT INFO shows the client's
#      own address; SIGTERM one instance under 50 clients: nothing acknowledged is lost, no
#      half-written reply, cut clients finish on the other instance
#   5. gserver.shutdown-delay behind HAProxy checking readiness: SIGTERM one of two instances under
#      clients that open a fresh connection per request: 0 client errors, 0 HAProxy retries,
#      redispatches, connection or response errors, while the stopping instance served on for the
#      delay; without the delay, the same run costs retries
#
# Every process is started here and killed by PID on exit. Prerequisites: a JDK, Maven,
# python3, redis-tools, haproxy, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
E2E_NAME=e2e-production
# shellcheck source=e2e-lib.sh
source .ci/e2e-lib.sh

e2e_workspace

answers_pong() {
	[ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]
}

# wait_ready PORT PID: until the server answers PONG
wait_ready() {
	wait_until "PONG from the server on port $1" "$2" 60 answers_pong "$1"
}

cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# ---- 1. shutdown under load ---------------------------------------------------------------
shutdown_under_load() {
	local port http stop_timeout=3 pid started elapsed status result
	port=$(free_port)
	http=$(free_port)
	start_sample shutdown "$port" "$http" --gserver.stop-timeout="${stop_timeout}s"
	pid=$STARTED
	wait_ready "$port" "$pid"
	python3 .ci/resp_clients.py load --port "$port" --clients 200 --deadline 60 --go-file "$WORK/go-1" \
		>"$WORK/load-1.json" 2>"$WORK/load-1.err" &
	local load=$!
	PIDS+=("$load")
	wait_file "$WORK/go-1" 60
	started=$(now_ms)
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	elapsed=$(( $(now_ms) - started ))
	wait "$load" || fail "the load clients failed: $(cat "$WORK/load-1.err")"
	result=$(cat "$WORK/load-1.json")
	echo "e2e-production: 1. shutdown under load: exit $status after ${elapsed} ms (stop-timeout ${stop_timeout}s); clients: $result"
	[ "$status" -eq 0 ] || fail "SIGTERM under load: exit code $status"
	[ "$elapsed" -le $(( (stop_timeout + 1) * 1000 )) ] || fail "SIGTERM under load took ${elapsed} ms, more than stop-timeout + 1 s"
	[ "$(json_field "$result" half)" -eq 0 ] || fail "a client received a half-written reply"
	[ "$(json_field "$result" wrong)" -eq 0 ] || fail "a client received a wrong reply"
	[ "$(json_field "$result" acknowledged)" -gt 0 ] || fail "no request was answered"
	grep -q "Stopped <StreamServer.*, 0 killed" "$WORK/shutdown.log" || fail "handlers were killed: no reply may be cut, so none should be"
}

# ---- 2. out of descriptors ------------------------------------------------------------------
out_of_descriptors() {
	local port http pid base limit errors_before errors_after ticks_before ticks_after hz cpu_percent window=3
	port=$(free_port)
	http=$(free_port)
	# measure what the app needs, then give it room for 40 clients more
	start_sample fd-probe "$port" "$http"
	pid=$STARTED
	wait_ready "$port" "$pid"
	base=$(ls "/proc/$pid/fd" | wc -l)
	kill -TERM "$pid"
	wait "$pid" || true
	limit=$(( base + 40 ))
	port=$(free_port)
	http=$(free_port)
	(ulimit -n "$limit" && exec java -jar "$JAR" --gserver.address=127.0.0.1 --gserver.port="$port" --gserver.servers.chat.port=0 \
		--server.address=127.0.0.1 --server.port="$http" --gserver.stop-timeout=1s) >"$WORK/fd.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_ready "$port" "$pid"
	python3 .ci/resp_clients.py hold --port "$port" --count 120 --hold-file "$WORK/hold" &
	local holder=$!
	PIDS+=("$holder")
	wait_file "$WORK/hold" 120
	wait_until "an 'accept failed ... Too many open files' line in the log with ulimit -n $limit" "$pid" 10 \
		grep -q "accept failed.*Too many open files" "$WORK/fd.log"
	# observe a window while descriptors stay exhausted: few errors (back-off), little CPU
	errors_before=$(grep -c "accept failed" "$WORK/fd.log")
	ticks_before=$(cpu_ticks "$pid")
	sleep "$window"
	ticks_after=$(cpu_ticks "$pid")
	errors_after=$(grep -c "accept failed" "$WORK/fd.log")
	hz=$(getconf CLK_TCK)
	cpu_percent=$(( (ticks_after - ticks_before) * 100 / (hz * window) ))
	kill -0 "$pid" 2>/dev/null || fail "the server died when descriptors ran out"
	echo "e2e-production: 2. out of descriptors (ulimit -n $limit, $(cat "$WORK/hold") connections held):" \
		"$(( errors_after - errors_before )) accept errors and ${cpu_percent}% CPU in ${window} s;" \
		"delays: $(grep -o 'pausing accepts for [0-9]* ms' "$WORK/fd.log" | awk '{ print $4 }' | head -12 | tr '\n' ' ')"
	[ $(( errors_after - errors_before )) -le 20 ] || fail "$(( errors_after - errors_before )) accept errors in ${window} s: no back-off"
	[ "$cpu_percent" -le 50 ] || fail "${cpu_percent}% CPU while descriptors were exhausted: a busy loop"
	grep -q "pausing accepts for 1000 ms" "$WORK/fd.log" || fail "the back-off never reached max-delay (1000 ms)"
	rm -f "$WORK/hold"
	wait "$holder"
	# descriptors free again: the same listener serves again, no restart
	wait_until "PONG after descriptors were freed" "$pid" 10 answers_pong "$port"
	local metric
	metric=$(curl -fsS "http://127.0.0.1:$http/actuator/prometheus" | grep '^gserver_accept_errors_total' | awk '{ s += $2 } END { print s + 0 }')
	echo "e2e-production:    after release: PONG; gserver_accept_errors_total $metric"
	[ "${metric%.*}" -ge 1 ] || fail "gserver_accept_errors_total is $metric"
	kill -TERM "$pid"
	wait "$pid" || fail "the server exited with an error after descriptors ran out"
}

# ---- 3. SO_REUSEPORT ----------------------------------------------------------------------------
reuse_port() {
	local port a b status
	port=$(free_port)
	start_sample reuse-a "$port" "$(free_port)" --gserver.reuse-port=true
	a=$STARTED
	wait_ready "$port" "$a"
	start_sample reuse-b "$port" "$(free_port)" --gserver.reuse-port=true
	b=$STARTED
	wait_until "a second process listening on port $port with reuse-port" "$b" 60 \
		grep -q "Started SampleApplication" "$WORK/reuse-b.log"
	kill -TERM "$a"
	status=0
	wait "$a" || status=$?
	[ "$status" -eq 0 ] || fail "reuse-port: the first process exited with $status"
	answers_pong "$port" || fail "reuse-port: port $port not served after the first process stopped"
	echo "e2e-production: 3. reuse-port: two processes listened on port $port; after one stopped the other answered PONG"
	kill -TERM "$b"
	wait "$b" || true
}

# ---- 4. HAProxy, PROXY protocol v2, drain ---------------------------------------------------------
behind_haproxy() {
	local front pa pb ha hb a b haproxy status result requests=1000 clients=50
	front=$(free_port)
	pa=$(free_port)
	pb=$(free_port)
	ha=$(free_port)
	hb=$(free_port)
	local proxied=(--gserver.proxy-protocol.mode=required --gserver.proxy-protocol.trusted=127.0.0.1/32 --gserver.stop-timeout=1s)
	start_sample lb-a "$pa" "$ha" "${proxied[@]}"
	a=$STARTED
	start_sample lb-b "$pb" "$hb" "${proxied[@]}"
	b=$STARTED
	wait_http_ready "$ha" "$a"
	wait_http_ready "$hb" "$b"
	# without a header, a client that reaches an instance directly is closed
	[ "$(redis-cli -p "$pa" ping 2>/dev/null || true)" != PONG ] || fail "an instance answered a client without a PROXY header"
	haproxy_config "$WORK/haproxy.cfg" "$front" 1 "" "" "a:$pa:$ha" "b:$pb:$hb"
	haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
	haproxy=$!
	PIDS+=("$haproxy")
	wait_until "PONG through HAProxy" "$haproxy" 10 answers_pong "$front"
	local info
	info=$(python3 .ci/resp_clients.py clientinfo --port "$front") || fail "CLIENT INFO through HAProxy: $info"
	echo "e2e-production: 4. through HAProxy (send-proxy-v2), CLIENT INFO: $info"
	python3 .ci/resp_clients.py load --port "$front" --clients "$clients" --requests "$requests" --reconnect \
		--deadline 120 --go-file "$WORK/go-4" >"$WORK/load-4.json" 2>"$WORK/load-4.err" &
	local load=$!
	PIDS+=("$load")
	wait_file "$WORK/go-4" 60
	kill -TERM "$a"
	status=0
	wait "$a" || status=$?
	wait "$load" || fail "the load clients failed: $(cat "$WORK/load-4.err")"
	result=$(cat "$WORK/load-4.json")
	echo "e2e-production:    SIGTERM to one instance under $clients clients x $requests requests: exit $status; clients: $result"
	[ "$status" -eq 0 ] || fail "the instance stopped under load exited with $status"
	[ "$(json_field "$result" half)" -eq 0 ] || fail "a client received a half-written reply"
	[ "$(json_field "$result" wrong)" -eq 0 ] || fail "a client received a wrong reply"
	[ "$(json_field "$result" clients_finished)" -eq "$clients" ] || fail "not every client finished its requests"
	[ "$(json_field "$result" acknowledged)" -eq $(( clients * requests )) ] || fail "requests were not all acknowledged"
	[ "$(json_field "$result" cut)" -ge 1 ] || fail "no connection was cut: the instance stopped after the load, not during it"
	grep -q "Stopped <StreamServer.*, 0 killed" "$WORK/lb-a.log" || fail "handlers were killed on the instance that stopped"
	kill -TERM "$b" "$haproxy"
	wait "$b" || true
	wait "$haproxy" || true
}

# ---- 5. shutdown delay: HAProxy sees readiness refuse traffic before the listener closes ------
# with fall 2 and inter 200ms HAProxy takes the instance out within about half a second of its
# readiness turning 503; the delay (5s) must outlast that, with room for a loaded machine
drain_behind_haproxy() {
	local front pa pb ha hb b haproxy stats=$WORK/haproxy-5.sock clients=20
	front=$(free_port)
	pa=$(free_port)
	pb=$(free_port)
	ha=$(free_port)
	hb=$(free_port)
	local proxied=(--gserver.proxy-protocol.mode=required --gserver.proxy-protocol.trusted=127.0.0.1/32 --gserver.stop-timeout=1s)
	start_sample drain-b "$pb" "$hb" "${proxied[@]}"
	b=$STARTED
	# a slow answer on a loaded machine is no failed check; a 503 still counts at once
	haproxy_config "$WORK/haproxy-5.cfg" "$front" 2 "stats socket $stats mode 600 level admin" "timeout check 2s" \
		"a:$pa:$ha" "b:$pb:$hb"
	haproxy -db -f "$WORK/haproxy-5.cfg" >"$WORK/haproxy-5.log" 2>&1 &
	haproxy=$!
	PIDS+=("$haproxy")
	wait_http_ready "$hb" "$b"
	drain_one "$front" "$pa" "$ha" "$stats" "$clients" 5s
	local with=("${DRAINED[@]}")
	drain_one "$front" "$pa" "$ha" "$stats" "$clients" 0s
	local without=("${DRAINED[@]}")
	echo "e2e-production: 5. SIGTERM to one of two instances behind HAProxy (inter 200ms fall 2), $clients clients on fresh connections:"
	echo "e2e-production:    shutdown-delay=5s: exit ${with[0]}; clients ${with[1]}; HAProxy ${with[2]}; sessions to the stopping instance after SIGTERM: ${with[3]}"
	echo "e2e-production:    shutdown-delay=0s: exit ${without[0]}; clients ${without[1]}; HAProxy ${without[2]}"
	[ "${with[0]}" -eq 0 ] || fail "the instance stopped with a shutdown delay exited with ${with[0]}"
	[ "$(client_errors "${with[1]}")" -eq 0 ] || fail "clients saw errors with a shutdown delay: ${with[1]}"
	[ "$(json_field "${with[1]}" acknowledged)" -gt 0 ] || fail "no request was answered"
	[ "$(haproxy_errors "${with[2]}")" -eq 0 ] || fail "HAProxy retried, redispatched or failed with a shutdown delay: ${with[2]}"
	[ "${with[3]}" -gt 0 ] || fail "HAProxy sent nothing to the instance after SIGTERM: the delay was not exercised"
	[ "${without[0]}" -eq 0 ] || fail "the instance stopped without a shutdown delay exited with ${without[0]}"
	[ $(( $(client_errors "${without[1]}") + $(haproxy_errors "${without[2]}") )) -gt 0 ] \
		|| fail "without a shutdown delay nothing was retried nor failed: this check cannot tell the delay's effect"
	kill -TERM "$b" "$haproxy"
	wait "$b" || true
	wait "$haproxy" || true
}

# drain_one FRONT PORT HTTP_PORT STATS_SOCKET CLIENTS DELAY: starts instance a with the delay, waits
# until HAProxy routes to it, SIGTERMs it under load; DRAINED=(exit status, clients' JSON,
# HAProxy's JSON for the backend, sessions HAProxy opened to a between SIGTERM and its exit)
drain_one() {
	local front=$1 port=$2 http=$3 stats=$4 clients=$5 delay=$6 a status load before after
	local proxied=(--gserver.proxy-protocol.mode=required --gserver.proxy-protocol.trusted=127.0.0.1/32 --gserver.stop-timeout=1s)
	start_sample "drain-a-$delay" "$port" "$http" "${proxied[@]}" --gserver.shutdown-delay="$delay"
	a=$STARTED
	wait_http_ready "$http" "$a"
	wait_until "HAProxy routing to instance a" "$a" 30 haproxy_server_up "$stats" a
	python3 .ci/haproxy_stats.py "$stats" clear || fail "could not clear HAProxy's counters"
	rm -f "$WORK/go-5" "$WORK/stop-5"
	python3 .ci/resp_clients.py fresh --port "$front" --clients "$clients" --stop-file "$WORK/stop-5" \
		--go-file "$WORK/go-5" >"$WORK/load-5-$delay.json" 2>"$WORK/load-5-$delay.err" &
	load=$!
	PIDS+=("$load")
	wait_file "$WORK/go-5" 60
	# the load flows through both instances before one is stopped
	wait_until "100 sessions through HAProxy to instance a" "$a" 30 haproxy_sessions_at_least "$stats" a 100
	before=$(haproxy_sessions "$stats" a)
	kill -TERM "$a"
	status=0
	wait "$a" || status=$?
	after=$(haproxy_sessions "$stats" a)
	touch "$WORK/stop-5"
	wait "$load" || fail "the load clients failed: $(cat "$WORK/load-5-$delay.err")"
	DRAINED=("$status" "$(cat "$WORK/load-5-$delay.json")" "$(python3 .ci/haproxy_stats.py "$stats" show samples)" $(( after - before )))
}

haproxy_sessions() {
	python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]]["stot"])' \
		"$(python3 .ci/haproxy_stats.py "$1" show samples)" "$2"
}

haproxy_sessions_at_least() {
	[ "$(haproxy_sessions "$1" "$2")" -ge "$3" ]
}

# client_errors JSON: every request that did not get its reply
client_errors() {
	python3 -c 'import json, sys; c = json.loads(sys.argv[1]); print(c["connect_failures"] + c["cut"] + c["half"] + c["wrong"])' "$1"
}

shutdown_under_load
out_of_descriptors
reuse_port
behind_haproxy
drain_behind_haproxy
echo "e2e-production: passed"
