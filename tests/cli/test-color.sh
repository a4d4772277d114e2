# Colour: off when NO_COLOR is set and non-empty or stdout is not a
# terminal; --color=always/never override.  A terminal comes from script(1).
. "$(dirname "$0")/lib.sh"
write_warn warn.yaml
esc=$(printf '\033')

"$BIN" warn.yaml > plain 2>&1
grep -q "$esc" plain && fail "colour on a pipe"
"$BIN" --color=always warn.yaml > always 2>&1
grep -q "$esc" always || fail "--color=always gave no colour"
NO_COLOR=1 "$BIN" --color=always warn.yaml > always2 2>&1
grep -q "$esc" always2 || fail "--color=always should win over NO_COLOR"
"$BIN" --color=always --format=json warn.yaml > json 2>&1
grep -q "$esc" json && fail "colour in JSON"

command -v script >/dev/null 2>&1 || skip "script(1) not available: terminal cases not run"
script -qec "'$BIN' warn.yaml" /dev/null > tty 2>&1
grep -q "$esc" tty || fail "no colour on a terminal"
NO_COLOR=1 script -qec "'$BIN' warn.yaml" /dev/null > tty_nc 2>&1
grep -q "$esc" tty_nc && fail "colour on a terminal with NO_COLOR=1"
NO_COLOR= script -qec "'$BIN' warn.yaml" /dev/null > tty_empty 2>&1
grep -q "$esc" tty_empty || fail "an empty NO_COLOR must not turn colour off"
script -qec "'$BIN' --color=never warn.yaml" /dev/null > tty_never 2>&1
grep -q "$esc" tty_never && fail "colour with --color=never"
finish
