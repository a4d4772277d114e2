#!/bin/sh
# run-golden.sh BIN — golden cases: every directory rules-corpus/cases/NAME/
# holds rules files, `args` (the command-line arguments, one line) and
# `expected` (exact stdout+stderr, then a last line "exit: N").
# UPDATE=1 rewrites `expected` from the current output (review the diff!).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
for dir in "$ROOT"/rules-corpus/cases/*/; do
	[ -f "$dir/args" ] || continue
	name=$(basename "$dir")
	actual=$(cd "$dir" && NO_COLOR=1 GITHUB_ACTIONS= FL_SHARED=/nonexistent sh -c "exec ${VALGRIND:-} \"\$0\" $(cat args) </dev/null 2>&1" "$BIN"; echo "exit: $?")
	if [ "${UPDATE:-}" = 1 ]; then
		printf '%s\n' "$actual" > "$dir/expected"
		pass=$((pass + 1))
		continue
	fi
	if [ -f "$dir/expected" ] && [ "$actual" = "$(cat "$dir/expected")" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL golden $name"
		printf '%s\n' "$actual" | diff -u "$dir/expected" - | head -40
	fi
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
