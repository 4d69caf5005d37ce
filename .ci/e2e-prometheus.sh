#!/usr/bin/env bash
# End-to-end check of the observability the README promises: a real Prometheus (Debian's
# prometheus package) scrapes the running sample every second; each PromQL query of the README
# and of the Grafana dashboard returns a series through Prometheus's HTTP API; the alert rules
# pass promtool and load.
set -euo pipefail
cd "$(dirname "$0")/.."

GSERVER_PORT=16380
HTTP_PORT=18081
PROMETHEUS_PORT=19090
MONITORING=sample-app/monitoring
JAR=sample-app/target/gserver-sample-app.jar
WORK=$(mktemp -d)

for port in $GSERVER_PORT $HTTP_PORT $PROMETHEUS_PORT; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "e2e-prometheus: port $port is in use" >&2
		exit 1
	fi
done
[ -f "$JAR" ] || mvn -B -q -DskipTests package

cleanup() {
	[ -n "${APP:-}" ] && kill "$APP" 2>/dev/null || true
	[ -n "${PROM:-}" ] && kill "$PROM" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

java -jar "$JAR" --gserver.port=$GSERVER_PORT --gserver.servers.chat.port=0 --server.port=$HTTP_PORT --gserver.spawn=64 >"$WORK/app.log" 2>&1 &
APP=$!

promtool check rules "$MONITORING/alerts.yml"
sed -e "s/scrape_interval: 15s/scrape_interval: 1s/" -e "s/evaluation_interval: 15s/evaluation_interval: 1s/" \
	-e "s/127.0.0.1:8081/127.0.0.1:$HTTP_PORT/" -e "s#- alerts.yml#- $PWD/$MONITORING/alerts.yml#" \
	"$MONITORING/prometheus.yml" >"$WORK/prometheus.yml"
promtool check config "$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
	--web.listen-address=127.0.0.1:$PROMETHEUS_PORT >"$WORK/prometheus.log" 2>&1 &
PROM=$!

# prints how many series a PromQL query returns
series() {
	curl -s --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json,sys
try:
    answer = json.load(sys.stdin)
except ValueError:
    print(0); sys.exit()
print(len(answer.get("data", {}).get("result", [])) if answer.get("status") == "success" else 0)'
}

wait_for_series() { # query what
	for _ in $(seq 1 90); do
		if [ "$(series "$1")" -gt 0 ]; then
			return 0
		fi
		sleep 1
	done
	echo "e2e-prometheus: no series for $2: $1" >&2
	tail -20 "$WORK/prometheus.log" >&2
	return 1
}

wait_for_series 'up{job="gserver-sample"} == 1' "the scrape target"
redis-benchmark -p $GSERVER_PORT -n 3000 -c 10 -q -t ping,set,get >/dev/null 2>&1 # it warns that CONFIG is unknown
sleep 3 # three more scrapes after the traffic, so that rate() over them has something to see

checked=0
# the README's queries: the lines of its ```promql block that are not comments
while IFS= read -r query; do
	wait_for_series "$query" "a README query"
	echo "e2e-prometheus: README query returns a series: $query"
	checked=$((checked + 1))
done < <(awk '/^```promql/{on=1; next} /^```/{on=0} on && !/^#/ && NF' README.md)
[ "$checked" -ge 3 ] || { echo "e2e-prometheus: expected at least 3 PromQL queries in README.md, found $checked" >&2; exit 1; }

# the dashboard's queries
while IFS= read -r query; do
	wait_for_series "$query" "a dashboard panel"
	echo "e2e-prometheus: dashboard query returns a series: $query"
done < <(python3 -c 'import json,sys
for panel in json.load(open(sys.argv[1]))["panels"]:
    for target in panel["targets"]:
        print(target["expr"])' "$MONITORING/grafana-dashboard.json")

rules=$(curl -s --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/rules" |
	python3 -c 'import json,sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))')
[ "$rules" -eq 3 ] || { echo "e2e-prometheus: Prometheus loaded $rules alert rules, expected 3" >&2; exit 1; }
echo "e2e-prometheus: passed ($checked README queries, $rules alert rules loaded)"
