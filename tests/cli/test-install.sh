# make install / uninstall with DESTDIR and PREFIX: binary and both manual
# pages land where they should and go away again.
. "$(dirname "$0")/lib.sh"
command -v make >/dev/null 2>&1 || skip "make not available"
[ -f "$ROOT/man/falco-lint-checks.7" ] || skip "man/falco-lint-checks.7 not generated (make man)"
D=$TMP/dest
# BIN is passed so that make does not rebuild anything
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/opt/fl BIN="$BIN" > out 2>&1 || { fail "make install"; cat out; }
[ -x "$D/opt/fl/bin/falco-lint" ] || fail "binary not installed"
[ -f "$D/opt/fl/share/man/man1/falco-lint.1" ] || fail "falco-lint.1 not installed"
[ -f "$D/opt/fl/share/man/man7/falco-lint-checks.7" ] || fail "falco-lint-checks.7 not installed"
"$D/opt/fl/bin/falco-lint" --version > out 2>&1 || fail "installed binary does not run"
make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX=/opt/fl > out 2>&1 || fail "make uninstall"
[ -e "$D/opt/fl/bin/falco-lint" ] && fail "binary left after uninstall"
[ -e "$D/opt/fl/share/man/man1/falco-lint.1" ] && fail "man page left after uninstall"
finish
