#!/usr/bin/env bash
# gserver's JMH benchmarks (module benchmarks/): the server's hot paths, each against the same path
# with the feature off, so that the ratios say what each feature costs.
#
#   bench/jmh.sh                        # 3 rounds of every benchmark, 1 thread (~9 minutes)
#   bench/jmh.sh AcceptBenchmark        # only those matching a regular expression
#   bench/jmh.sh --rounds 5 -prof gc    # more rounds; any JMH option, which replaces the default of its name
#   bench/jmh.sh --smoke                # 1 round, tiny counts: checks that everything runs, measures nothing
#
# AcceptBenchmark: a connect and end-of-stream round trip per connection, against a blocking
# ServerSocket loop (gserver off), Spawn.NONE (spawn off), Spawn.DEFAULT and a pool.
# SpawnBenchmark: spawning a trivial task pooled or not, and a pool slot's acquire and release.
# MetricsBenchmark: the events of one connection through the server's dispatch, and a whole
# connection, with the Micrometer listener (simple or Prometheus registry) or none.
# RespBenchmark: parsing pipelined SET/GET commands with the core's RespReader, against the
# sample's own reader before issue 13 (SampleRespReaderBaseline).
# LineBenchmark: reading lines of 32 and 512 bytes from memory with FrameReader (readLine,
# readLineBytes) against BufferedReader.readLine.
# ObservationBenchmark: one request through RequestObservations, direct, through the no-op
# registry, and timed by Micrometer's meter handler.
# Each round is one JMH run (1 fork per variant: 3 x 2 s warm-up, 3 x 2 s measured) that visits
# each benchmark's variants in a rotated order: this machine drifts by a fifth over minutes, so
# ratios are taken within a round, and the table gives their median over the rounds.
# Runs on $JAVA, else the newest JDK under /usr/lib/jvm; JSON results and logs go to
# /tmp/gserver-jmh/<time>/ ($JMH_RESULTS).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# the options each round passes to JMH, as option/value pairs
DEFAULTS=(-f 1 -wi 3 -w 2s -i 3 -r 2s -t 1)
SMOKE=(-f 1 -wi 0 -w 100ms -i 1 -r 100ms -t 1)
ROUNDS=3
JMH_ARGS=()
while [ $# -gt 0 ]; do
	case "$1" in
		--smoke) DEFAULTS=("${SMOKE[@]}"); ROUNDS=1; shift ;;
		--rounds) ROUNDS=$2; shift 2 ;;
		-h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) JMH_ARGS+=("$1"); shift ;;
	esac
done

# the newest JDK under /usr/lib/jvm, by the version in its release file
newest_jdk() {
	local dir version
	for dir in /usr/lib/jvm/*/; do
		dir="${dir%/}"
		[ -L "$dir" ] && continue
		[ -x "$dir/bin/java" ] && [ -f "$dir/release" ] || continue
		version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$dir/release")
		[ -n "$version" ] && echo "$version $dir"
	done | sort -V | tail -1 | cut -d' ' -f2-
}

JAVA=${JAVA:-$(newest_jdk)/bin/java}
for c in mvn python3 "$JAVA"; do
	command -v "$c" >/dev/null 2>&1 || { echo "jmh: missing $c" >&2; exit 1; }
done

# JMH rejects an option given twice: a default gives way to the caller's option of the same name
given() {
	local arg
	for arg in "${JMH_ARGS[@]+"${JMH_ARGS[@]}"}"; do
		[ "$arg" = "$1" ] && return 0
	done
	return 1
}
OPTIONS=()
for ((k = 0; k < ${#DEFAULTS[@]}; k += 2)); do
	given "${DEFAULTS[k]}" || OPTIONS+=("${DEFAULTS[k]}" "${DEFAULTS[k + 1]}")
done

mvn -B -q -DskipTests package -pl benchmarks -am
JAR=benchmarks/target/benchmarks.jar
OUT=${JMH_RESULTS:-/tmp/gserver-jmh}/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
echo "jmh: $JAVA ($("$JAVA" -version 2>&1 | head -1)); $ROUNDS round(s); results in $OUT"

# every parameter of the benchmarks and its values, "name v1,v2,...", as JMH lists them;
# a parameter the caller sets with -p is left alone
PARAMS=()
while read -r name values; do
	case " ${JMH_ARGS[*]+"${JMH_ARGS[*]}"} " in *" $name="*) continue ;; esac
	PARAMS+=("$name ${values// /}")
done < <("$JAVA" -jar "$JAR" -lp | sed -n 's/^ *param "\([^"]*\)" = {\(.*\)}$/\1 \2/p' | sort -u)

# -p options listing each parameter's values rotated by $1 places: JMH runs them in that order
rotated_params() {
	local shift=$1 entry name values n k list
	for entry in "${PARAMS[@]+"${PARAMS[@]}"}"; do
		name=${entry%% *}
		IFS=, read -r -a values <<<"${entry#* }"
		n=${#values[@]}
		list=""
		for ((k = 0; k < n; k++)); do
			list+="${list:+,}${values[(k + shift) % n]}"
		done
		printf '%s\n' -p "$name=$list"
	done
}

start=$(date +%s)
for ((round = 1; round <= ROUNDS; round++)); do
	echo "jmh: round $round of $ROUNDS"
	mapfile -t ORDER < <(rotated_params $((round - 1)))
	"$JAVA" -jar "$JAR" "${OPTIONS[@]}" "${ORDER[@]+"${ORDER[@]}"}" -rf json -rff "$OUT/round-$round.json" \
		"${JMH_ARGS[@]+"${JMH_ARGS[@]}"}" 2>&1 | tee "$OUT/round-$round.log"
done
echo
echo "jmh: took $(($(date +%s) - start)) s"
python3 bench/jmh_summary.py "$OUT"/round-*.json | tee "$OUT/summary.md"
