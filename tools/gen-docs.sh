#!/bin/sh
# gen-docs.sh BIN [--check] — regenerates the documents built from the check
# table (man/falco-lint-checks.7 and README.md's table of checks) so they
# cannot drift from the code; with --check, only reports whether they are
# current (exit 1 if not).
set -eu
BIN=$1
CHECK=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN" checks --format=man > "$tmp/checks.7"
"$BIN" checks --format=markdown > "$tmp/table.md"
awk -v table="$tmp/table.md" '
	/<!-- checks:begin -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
	/<!-- checks:end -->/ { skip = 0 }
	!skip { print }
' "$ROOT/README.md" > "$tmp/README.md"
if [ "$CHECK" = --check ]; then
	status=0
	cmp -s "$tmp/checks.7" "$ROOT/man/falco-lint-checks.7" ||
		{ echo "man/falco-lint-checks.7 is out of date: run 'make docs'"; status=1; }
	cmp -s "$tmp/README.md" "$ROOT/README.md" ||
		{ echo "README.md's table of checks is out of date: run 'make docs'"; status=1; }
	exit $status
fi
cp "$tmp/checks.7" "$ROOT/man/falco-lint-checks.7"
cp "$tmp/README.md" "$ROOT/README.md"
