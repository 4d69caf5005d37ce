# Helpers shared by the end-to-end scripts that run the sample behind HAProxy
# (e2e-production.sh, e2e-rolling.sh); sourced, not run. The caller sets E2E_NAME (the prefix of
# its messages) and calls e2e_workspace, which sets JAR, WORK (a scratch directory; each process's
# log is WORK/NAME.log) and PIDS (every process started, killed on exit); JAVA (default: java on
# PATH) and SAMPLE_JVM_OPTIONS (an array) are optional.

# the sample's jar (built when missing), a scratch directory, and the exit trap that kills every
# process started and removes the directory
e2e_workspace() {
	JAR=sample-app/target/gserver-sample-app.jar
	[ -f "$JAR" ] || mvn -B -q -DskipTests package
	WORK=$(mktemp -d)
	PIDS=()
	trap e2e_cleanup EXIT
}

e2e_cleanup() {
	for pid in ${PIDS[@]+"${PIDS[@]}"}; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}

fail() {
	echo "$E2E_NAME: FAILED: $*" >&2
	for log in "$WORK"/*.log; do
		[ -f "$log" ] || continue
		echo "---- $log (last 40 lines)" >&2
		tail -n 40 "$log" >&2
	done
	exit 1
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now_ms() {
	date +%s%3N
}

# start_sample NAME PORT HTTP_PORT [ARGS...]: runs the jar in the background; its PID goes to $STARTED
start_sample() {
	local name=$1 port=$2 http=$3
	shift 3
	# the chat server on a free port too, so that instances run side by side
	"${JAVA:-java}" ${SAMPLE_JVM_OPTIONS[@]+"${SAMPLE_JVM_OPTIONS[@]}"} -jar "$JAR" --gserver.address=127.0.0.1 \
		--gserver.port="$port" --gserver.servers.chat.port=0 --server.address=127.0.0.1 --server.port="$http" "$@" \
		>>"$WORK/$name.log" 2>&1 &
	STARTED=$!
	PIDS+=("$STARTED")
}

# wait_until WHAT PID SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; fails when
# PID ends first (0: no process to watch) or after SECONDS
wait_until() {
	local what=$1 pid=$2 seconds=$3
	shift 3
	for _ in $(seq 1 $(( seconds * 10 ))); do
		"$@" && return 0
		[ "$pid" = 0 ] || kill -0 "$pid" 2>/dev/null || fail "$what: the process ended first"
		sleep 0.1
	done
	fail "$what: not within $seconds s"
}

is_ready() {
	curl -fsS "http://127.0.0.1:$1/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'
}

# wait_http_ready HTTP_PORT PID: until the readiness probe says UP
wait_http_ready() {
	wait_until "readiness UP on HTTP port $1" "$2" 60 is_ready "$1"
}

# wait_file PATH SECONDS: until the file has content
wait_file() {
	wait_until "$1 written" 0 "$2" test -s "$1"
}

# json_field JSON NAME
json_field() {
	python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}

# HAProxy in front of samples, with PROXY v2 and a readiness check every 200 ms (retries and
# redispatch on, as docs/production.md#haproxy advises):
# haproxy_config FILE FRONT_PORT FALL GLOBAL_EXTRA DEFAULTS_EXTRA NAME:PORT:HTTP_PORT...
haproxy_config() {
	local file=$1 front=$2 fall=$3 global=$4 defaults=$5 server
	shift 5
	{
		printf 'global\n    maxconn 2000\n'
		[ -z "$global" ] || printf '    %s\n' "$global"
		printf 'defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n'
		[ -z "$defaults" ] || printf '    %s\n' "$defaults"
		printf '    retries 3\n    option redispatch\n'
		printf 'frontend redis\n    bind 127.0.0.1:%s\n    default_backend samples\n' "$front"
		printf 'backend samples\n    balance roundrobin\n    option httpchk GET /actuator/health/readiness\n'
		printf '    http-check expect status 200\n    default-server inter 200ms fall %s rise 2 send-proxy-v2\n' "$fall"
		for server in "$@"; do
			IFS=: read -r name port http <<<"$server"
			printf '    server %s 127.0.0.1:%s check port %s\n' "$name" "$port" "$http"
		done
	} >"$file"
}

# haproxy_server_status STATS_SOCKET SERVER: UP, DOWN, MAINT, ... as HAProxy sees it
haproxy_server_status() {
	python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]]["status"])' \
		"$(python3 .ci/haproxy_stats.py "$1" show samples)" "$2"
}

haproxy_server_up() {
	[ "$(haproxy_server_status "$1" "$2")" = UP ]
}

# haproxy_errors JSON: retries, redispatches, connection and response errors of the backend and its servers
haproxy_errors() {
	python3 -c 'import json, sys; print(sum(e[k] for e in json.loads(sys.argv[1]).values() for k in ("econ", "eresp", "wretr", "wredis")))' "$1"
}
