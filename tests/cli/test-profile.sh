# --profile: the stages' time and memory go to standard error; standard
# output (the diagnostics) and the exit status are those of a plain run.
. "$(dirname "$0")/lib.sh"
write_warn warn.yaml

"$BIN" --format=json warn.yaml >plain.json 2>/dev/null
"$BIN" --profile --format=json warn.yaml >prof.json 2>prof.err
[ $? -eq 1 ] || fail "--profile changed the exit status"
cmp -s plain.json prof.json || fail "--profile changed standard output"
for stage in read yaml load compile checks evaluate report total "peak RSS"; do
	has "$stage" prof.err
done
# every stage line has a number of seconds and of megabytes
n=$(grep -cE '^  [a-z]+ +[0-9]+\.[0-9]{4} +[0-9]+\.[0-9]$' prof.err)
[ "$n" -eq 8 ] || fail "expected 8 stage lines (7 stages + total), got $n"
finish
