# lib.sh — helpers for the command-line tests (sourced).  Each test runs in
# its own scratch directory, removed on exit; `fails` counts failed checks.
set -u
fails=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fl-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
unset GITHUB_ACTIONS NO_COLOR

fail() {
	echo "not ok: $*"
	fails=$((fails + 1))
}

# expect_exit N CMD... — runs CMD (output in $TMP/out) and checks its status.
expect_exit() {
	want=$1
	shift
	"$@" >"$TMP/out" 2>&1
	got=$?
	[ "$got" -eq "$want" ] || { fail "exit $got, expected $want: $*"; sed 's/^/    | /' "$TMP/out" | head -20; }
}

# has PATTERN [FILE] / lacks PATTERN [FILE] — fixed-string search in output.
has() {
	grep -qF -- "$1" "${2:-$TMP/out}" || { fail "missing '$1' in ${2:-output}"; sed 's/^/    | /' "${2:-$TMP/out}" | head -20; }
}
lacks() {
	! grep -qF -- "$1" "${2:-$TMP/out}" || fail "unexpected '$1' in ${2:-output}"
}

skip() {
	echo "$*"
	exit 77
}

finish() {
	[ "$fails" -eq 0 ] && exit 0
	echo "$fails check(s) failed"
	exit 1
}

# A rules file with two warnings (FL022 unknown key at 3:3, FL023
# duplicate key at 6:3 with a note at 5:3); its items are all used.
write_warn() {
	cat > "$1" <<'YAML'
- list: shells
  items: [bash, sh]
  bogus: 1
- macro: spawned
  condition: evt.type = execve
  condition: evt.type = execveat
- rule: warn rule
  desc: uses the items above
  condition: spawned and proc.name in (shells)
  output: shell %proc.name
  priority: WARNING
YAML
}

write_clean() {
	cat > "$1" <<'YAML'
- list: clean_shells
  items: [bash, sh]
- rule: clean rule
  desc: a shell runs
  condition: evt.type = execve and proc.name in (clean_shells)
  output: shell %proc.name
  priority: WARNING
YAML
}

# The codes the format tests count on, so that new checks do not change
# their totals.
SEL="--select FL002,FL022,FL023"

write_error() {
	printf -- '- rule: r\n  desc: [unclosed\n' > "$1"
}
