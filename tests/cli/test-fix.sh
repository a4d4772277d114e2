# `falco-lint fix -o FILE`: created when missing, merged otherwise (the old
# bytes kept, entries not added twice, a second run changes nothing),
# written atomically (no partial file when a write fails), the rules files
# read are never written, a read-only directory is a clear error (exit 2);
# the same for the Helm values form.
. "$(dirname "$0")/lib.sh"
cp "$ROOT/rules-corpus/cases/scen-fl501-vulnerable/falco_rules.yaml" rules.yaml
FIX="$BIN fix --no-config --only runc-*"

expect_exit 0 $FIX rules.yaml
cp out stdout.yaml
has "- macro: known_memfd_execution_processes"

# created when missing: the same text as on standard output
expect_exit 0 $FIX rules.yaml -o local.yaml
cmp -s local.yaml stdout.yaml || fail "-o FILE differs from standard output"
# a second run changes nothing
cp local.yaml before.yaml
expect_exit 0 $FIX rules.yaml -o local.yaml
has "already has every entry"
cmp -s local.yaml before.yaml || fail "second run changed local.yaml"
# loading the file too: nothing left to fix, nothing written
expect_exit 0 $FIX rules.yaml local.yaml -o other.yaml
[ -e other.yaml ] && fail "other.yaml written with nothing to fix"

# merged into an existing file: its bytes come first, unchanged
printf '# my overrides\n- list: mine   # keep this comment\n  items: [a]\n' > mine.yaml
cp mine.yaml mine.orig
chmod 640 mine.yaml
expect_exit 0 $FIX rules.yaml -o mine.yaml
head -c "$(wc -c < mine.orig)" mine.yaml | cmp -s - mine.orig || fail "existing content not kept"
grep -q "condition: append" mine.yaml || fail "entry not merged"
[ "$(stat -c %a mine.yaml)" = 640 ] || fail "mode of mine.yaml not kept"
cp mine.yaml mine.once
expect_exit 0 $FIX rules.yaml -o mine.yaml
cmp -s mine.yaml mine.once || fail "second merge changed mine.yaml"
expect_exit 1 "$BIN" --no-config --select FL501 rules.yaml mine.yaml
has "benign scenario 'crun-"
lacks "benign scenario 'runc-"

# the rules files read are never written
cp rules.yaml rules.orig
expect_exit 2 $FIX rules.yaml -o rules.yaml
has "refusing to write"
cmp -s rules.yaml rules.orig || fail "rules.yaml modified"

# a failed write (file size limit) leaves the old file and no temporary
cp mine.orig big.yaml
# (the output goes through a pipe: the limit applies to files only)
( ulimit -f 0; trap '' XFSZ; $FIX rules.yaml -o big.yaml; echo "exit=$?" ) 2>&1 | cat > out
has "exit=2"
has "cannot write 'big.yaml'"
cmp -s big.yaml mine.orig || fail "big.yaml changed by a failed write"
[ -z "$(ls -A | grep '^\.')" ] || fail "temporary file left behind: $(ls -A | grep '^\.')"

# a read-only directory: clear error, exit 2 (as nobody when run as root)
mkdir ro
cp rules.yaml ro/rules.yaml
chmod 755 "$TMP"
chmod 555 ro
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null 2>&1; then
		AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
	else
		AS=""
	fi
else
	AS=" "
fi
if [ -n "$AS" ]; then
	( cd ro && $AS $FIX rules.yaml -o fixes.yaml ) > out 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || { fail "read-only directory: exit $rc"; cat out; }
	has "cannot create a temporary file in '.'"
	[ -e ro/fixes.yaml ] && fail "fixes.yaml created in a read-only directory"
else
	echo "note: read-only directory not tested (root without setpriv)"
fi
chmod 755 ro

# Helm values: merged under customRules, other bytes kept, idempotent
cat > values.yaml <<'YAML'
# chart values
image: &img
  registry: docker.io  # keep
mirror: *img
customRules: {}
falco:
  json_output: true
YAML
expect_exit 0 $FIX --format-fix=helm rules.yaml --helm-values values.yaml -o values.yaml
[ "$(head -4 values.yaml)" = "$(printf '# chart values\nimage: &img\n  registry: docker.io  # keep\nmirror: *img')" ] ||
	fail "values.yaml head changed"
[ "$(tail -2 values.yaml)" = "$(printf 'falco:\n  json_output: true')" ] || fail "values.yaml tail changed"
has_entry=$(grep -c 'falco-lint-fixes.yaml: |-' values.yaml)
[ "$has_entry" -eq 1 ] || fail "customRules entry missing"
cp values.yaml values.once
expect_exit 0 $FIX --format-fix=helm rules.yaml --helm-values values.yaml -o values.yaml
cmp -s values.yaml values.once || fail "second Helm merge changed values.yaml"
expect_exit 1 "$BIN" --no-config --select FL501 rules.yaml --helm-values values.yaml
lacks "benign scenario 'runc-"
finish
