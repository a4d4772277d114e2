# Rule files of 256 KB and more are mapped, not read (fl_options.map_files):
# a mapped file, one whose size is a multiple of the page size (read, as it
# leaves no terminating zero byte after its end) and the same bytes on
# standard input (always read) give the same diagnostics.
. "$(dirname "$0")/lib.sh"
{
	i=0
	while [ $i -lt 4000 ]; do
		printf -- '- macro: m%d\n  condition: (proc.name = "p%d" and evt.type = execve)\n\n' $i $i
		i=$((i + 1))
	done
	printf -- '- rule: r\n  desc: d\n  condition: m1 and proc.nme = x\n  output: o\n  priority: WARNING\n'
} >big.yaml
size=$(wc -c <big.yaml)
[ "$size" -gt 262144 ] || fail "big.yaml is only $size bytes"
page=$(getconf PAGESIZE)
cp big.yaml paged.yaml
pad=$(( (page - size % page) % page ))
[ "$pad" -gt 0 ] && head -c $((pad - 1)) /dev/zero | tr '\0' '#' >>paged.yaml && echo >>paged.yaml
[ $(( $(wc -c <paged.yaml) % page )) -eq 0 ] || fail "paged.yaml is not a multiple of $page bytes"

expect_exit 1 "$BIN" --format=json big.yaml
sed 's/big\.yaml/F/g' out >mapped.json
has "proc.nme" mapped.json
expect_exit 1 "$BIN" --format=json paged.yaml
sed 's/paged\.yaml/F/g' out >paged.json
"$BIN" --format=json - <big.yaml >stdin.out 2>&1
sed 's/<stdin>/F/g' stdin.out >stdin.json
cmp -s mapped.json stdin.json || fail "mapped file and standard input differ: $(diff mapped.json stdin.json | head -5)"
cmp -s mapped.json paged.json || fail "mapped and page-multiple file differ: $(diff mapped.json paged.json | head -5)"

# A mapped file that shrinks during the run raises SIGBUS: the command
# reports it and exits 3.  The signal is sent to a run blocked reading its
# standard input, once /proc shows the handler installed (SigCgt has bit
# number - 1 of a caught signal); AddressSanitizer's own SIGBUS handler,
# installed before main, is turned off so that the bit is the command's.
bus=
i=1
while [ $i -lt 65 ] && [ -z "$bus" ]; do
	[ "$(kill -l $i 2>/dev/null)" = BUS ] && bus=$i
	i=$((i + 1))
done
if [ -r /proc/self/status ] && [ -n "$bus" ]; then
	mkfifo in.fifo
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_sigbus=0" "$BIN" - <in.fifo >bus.out 2>&1 &
	pid=$!
	exec 3>in.fifo
	n=0
	while [ $n -lt 500 ]; do
		cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/$pid/status 2>/dev/null)
		[ -n "$cgt" ] && [ $(( 0x$cgt >> (bus - 1) & 1 )) -ne 0 ] && break
		n=$((n + 1))
		sleep 0.01
	done
	kill -BUS $pid
	wait $pid
	got=$?
	exec 3>&-
	[ "$got" -eq 3 ] || fail "SIGBUS: exit $got, expected 3"
	has "falco-lint: a rule file shrank while it was being read (changed during the run)" bus.out
fi
finish
