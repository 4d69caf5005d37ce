# Sourced by bench.sh, syscalls.sh and readiness/compare.sh: start one RESP server pinned to core 0
# and wait for its PONG, stop it, read its CPU so far. The caller sets OUT (where server logs go)
# and its own trap on exit calls stop.

SERVER=""
start() { # command port
	taskset -c 0 bash -c "exec $1" >"$OUT/server-$2.log" 2>&1 &
	SERVER=$!
	for _ in $(seq 1 120); do
		[ "$(redis-cli -p "$2" ping 2>/dev/null)" = PONG ] && return 0
		sleep 0.5
	done
	echo "$(basename "$0"): the server on port $2 did not answer; see $OUT/server-$2.log" >&2
	return 1
}
stop() {
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
	SERVER=""
}
cpu_ticks() { # pid: the process's user + system CPU so far, in clock ticks (/proc/PID/stat)
	local stat fields
	stat=$(<"/proc/$1/stat") || return 1
	stat=${stat##*) } # the command name may hold spaces; the fields after it are fixed
	read -r -a fields <<<"$stat"
	echo $((fields[11] + fields[12])) # utime and stime, fields 14 and 15 of the whole line
}
