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
finish
