#!/bin/sh
# run-fuzz.sh SECONDS HARNESS... — runs each libFuzzer harness of build-fuzz/
# for SECONDS.  Seeds are generated here from rules-corpus/ (and ../shared's
# corpus when present) into build-fuzz/seeds/; the growing corpus stays in
# build-fuzz/corpus/.  A crasher is copied to tests/fuzz/regressions/HARNESS/
# (commit it with the fix) and fails the run.
set -u
T=$1
shift
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build-fuzz
SHARED=${FL_SHARED:-$ROOT/../shared}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# Rule files below 64 KiB: the fuzzer's max_len, and small seeds mutate best.
rule_files() {
	{
		find "$ROOT/rules-corpus" -name '*.yaml' -size -64k
		[ -d "$SHARED/corpus" ] && find "$SHARED/corpus" -name '*.yaml' -size -64k
	} 2>/dev/null | sort
}

seed() {
	h=$1
	d=$OUT/seeds/$h
	rm -rf "$d"
	mkdir -p "$d"
	i=0
	for f in $(rule_files); do
		i=$((i + 1))
		case $h in
		yaml) cp "$f" "$d/$i" ;;
		pipeline) { printf '\000'; cat "$f"; } > "$d/$i" ;;
		expr)
			# one condition per seed: the text after 'condition:' on one line
			sed -n 's/^ *condition: *//p' "$f" | head -20 | while IFS= read -r c; do
				i=$((i + 1000))
				printf '%s' "$c" > "$d/$i.$(printf '%s' "$c" | cksum | cut -d' ' -f1)"
			done ;;
		esac
	done
	[ "$h" = pipeline ] && printf '\001- macro: m\n  condition: evt.type=open\n\n#--8<--\n- rule: r\n  desc: d\n  condition: m and proc.name=x\n  output: o\n  priority: WARNING\n' > "$d/split"
	echo "fuzz $h: $(ls "$d" | wc -l) seeds"
}

status=0 pass=0 fail=0
for h in "$@"; do
	bin=$OUT/fuzz/fuzz_$h
	[ -x "$bin" ] || { echo "fuzz $h: missing $bin (make fuzz-build)"; status=1; fail=$((fail + 1)); continue; }
	seed "$h"
	mkdir -p "$OUT/corpus/$h" "$OUT/artifacts/$h"
	log=$OUT/fuzz-$h.log
	"$bin" -max_total_time="$T" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-dict="$ROOT/tests/fuzz/falco.dict" -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$h/" \
		"$OUT/corpus/$h" "$OUT/seeds/$h" > "$log" 2>&1
	rc=$?
	stats=$(grep -aE '^stat::(number_of_executed_units|peak_rss_mb)' "$log" | tr '\n' ' ')
	if [ "$rc" -ne 0 ]; then
		status=1
		fail=$((fail + 1))
		mkdir -p "$ROOT/tests/fuzz/regressions/$h"
		for a in "$OUT/artifacts/$h"/*; do
			[ -f "$a" ] && cp "$a" "$ROOT/tests/fuzz/regressions/$h/"
		done
		echo "FAIL fuzz $h (exit $rc; log $log; crasher saved to tests/fuzz/regressions/$h/)"
		grep -aE "ERROR|SUMMARY|runtime error" "$log" | head -5
	else
		pass=$((pass + 1))
		echo "fuzz $h: ok, $T s, $stats"
	fi
done
echo "fuzz: $pass passed, $fail failed"
exit $status
