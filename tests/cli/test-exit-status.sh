# Exit statuses: 0 clean, 1 findings at or above the fail level, 2 usage.
. "$(dirname "$0")/lib.sh"
write_clean clean.yaml
write_warn warn.yaml
write_error bad.yaml

expect_exit 0 "$BIN" clean.yaml
expect_exit 1 "$BIN" warn.yaml
expect_exit 1 "$BIN" bad.yaml
expect_exit 0 "$BIN" --fail-on=error warn.yaml
expect_exit 1 "$BIN" --fail-on=error bad.yaml
expect_exit 0 "$BIN" --ignore FL022,FL023 warn.yaml
expect_exit 1 "$BIN" --fail-on info warn.yaml
expect_exit 1 "$BIN" missing.yaml
has "cannot open 'missing.yaml'"
for f in text json sarif github gitlab falco; do
	expect_exit 0 "$BIN" --format=$f clean.yaml
	expect_exit 1 "$BIN" --format=$f warn.yaml
done

# usage errors
expect_exit 2 "$BIN"
has "no rules file given"
expect_exit 2 "$BIN" --no-such-option clean.yaml
has "unknown option '--no-such-option'"
expect_exit 2 "$BIN" --format=xml clean.yaml
expect_exit 2 "$BIN" --fail-on=fatal clean.yaml
expect_exit 2 "$BIN" --color=sometimes clean.yaml
expect_exit 2 "$BIN" --select FLX1 clean.yaml
has "unknown check code or prefix 'FLX1'"
expect_exit 2 "$BIN" --target-falco 9.9.9 clean.yaml
expect_exit 2 "$BIN" --max-file-size -5 clean.yaml
expect_exit 2 "$BIN" --quiet=yes clean.yaml
expect_exit 2 "$BIN" --format
expect_exit 2 "$BIN" explain FL9999
expect_exit 2 "$BIN" explain
expect_exit 2 "$BIN" checks --format=pdf

expect_exit 0 "$BIN" --help
has "usage: falco-lint"
expect_exit 0 "$BIN" --version
expect_exit 0 "$BIN" checks
has "FL001"
expect_exit 0 "$BIN" explain FL001
expect_exit 0 "$BIN" -- clean.yaml
finish
