#!/bin/sh
# run-cli.sh BIN — command-line tests: every tests/cli/test-*.sh runs with
# BIN (absolute path of falco-lint), ROOT (the repository) and SHARED (the
# reference directory, may be absent) in its environment.  A test exits 0
# (pass), 77 (skipped: it printed why) or anything else (fail).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${FL_SHARED:-$ROOT/../shared}
export BIN ROOT SHARED
pass=0 fail=0 skip=0
for t in "$ROOT"/tests/cli/test-*.sh; do
	name=$(basename "$t" .sh)
	out=$(sh "$t" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
	elif [ "$rc" -eq 77 ]; then
		skip=$((skip + 1))
		printf 'SKIP cli %s: %s\n' "$name" "$(printf '%s' "$out" | tail -1)"
	else
		fail=$((fail + 1))
		echo "FAIL cli $name"
		printf '%s\n' "$out" | tail -30 | sed 's/^/    /'
	fi
done
[ "$skip" -gt 0 ] && echo "cli: $skip skipped"
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
