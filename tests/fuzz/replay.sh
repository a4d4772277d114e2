#!/bin/sh
# replay.sh BUILD HARNESS... — feeds every saved input of
# tests/fuzz/regressions/HARNESS/ to BUILD/tests/replay_HARNESS; a crash or a
# sanitizer report fails the run.
set -u
BUILD=$1
shift
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0
for h in "$@"; do
	dir=$ROOT/tests/fuzz/regressions/$h
	mkdir -p "$dir" 2>/dev/null
	if "$BUILD/tests/replay_$h" "$dir" >/dev/null; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL fuzz-replay $h (run: $BUILD/tests/replay_$h $dir)"
	fi
done
n=$(find "$ROOT/tests/fuzz/regressions" -type f ! -name '.*' | wc -l)
echo "fuzz-replay: $pass passed, $fail failed ($n saved inputs)"
[ "$fail" -eq 0 ]
