#!/usr/bin/env bash
# End-to-end check of the docs as a new user reads them: gserver installed into the local Maven
# repository (the README's "mvn -B install -DskipTests"), then a new Spring Boot project made of
# nothing but the docs' snippets (.ci/user_project.py: the dependencies of README.md and
# docs/testing.md, the application and the three tests of docs/testing.md), built and tested with
# plain mvn. Every test of the docs must run and pass: the socket test with @LocalGServerPort, the
# in-memory handler test, the ApplicationContextRunner recipe.
set -euo pipefail
cd "$(dirname "$0")/.."

EXPECTED_TESTS=6

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "e2e-user-project: installing gserver into the local Maven repository"
mvn -B -q install -DskipTests

python3 .ci/user_project.py . "$WORK/project"
(cd "$WORK/project" && mvn -B -q test) || {
	echo "e2e-user-project: the project written from the docs does not build or its tests fail" >&2
	exit 1
}

reports=("$WORK"/project/target/surefire-reports/TEST-*.xml)
total=0
for report in "${reports[@]}"; do
	read -r tests failures errors skipped < <(python3 - "$report" <<'PY'
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
print(suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped"))
PY
	)
	if [ "$failures" != 0 ] || [ "$errors" != 0 ] || [ "$skipped" != 0 ]; then
		echo "e2e-user-project: $report: $failures failed, $errors errors, $skipped skipped" >&2
		exit 1
	fi
	total=$((total + tests))
done
if [ "$total" -ne "$EXPECTED_TESTS" ]; then
	echo "e2e-user-project: $total tests ran, not the docs' $EXPECTED_TESTS" >&2
	exit 1
fi
echo "e2e-user-project: passed ($total tests from docs/testing.md in ${#reports[@]} classes)"
