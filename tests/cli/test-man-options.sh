# The manual and --help name the same options, and the manual is clean
# under mandoc -T lint (when mandoc is installed).
. "$(dirname "$0")/lib.sh"
MAN=$ROOT/man/falco-lint.1
"$BIN" --help | grep -E '^  +(-[a-zA-Z], )?--' | grep -oE -- '--[a-z][a-z-]*' | sort -u > help.txt
# man: the options of the OPTIONS section entries (.TP lines), and every
# option mentioned anywhere
sed 's/\\-/-/g' "$MAN" | awk '/^\.TP/ { tp = 1; next } tp { print; tp = 0 }' |
	grep -oE -- '--[a-z][a-z-]*' | sort -u > man_tp.txt
sed 's/\\-/-/g' "$MAN" | grep -oE -- '--[a-z][a-z-]*' | sort -u > man_all.txt
[ -s help.txt ] || fail "no options found in --help"
for o in $(cat help.txt); do
	grep -qx -- "$o" man_tp.txt || fail "option $o of --help has no entry in falco-lint.1"
done
for o in $(cat man_all.txt); do
	grep -qx -- "$o" help.txt || fail "falco-lint.1 mentions $o, which --help does not list"
done
# every short option too
for s in $("$BIN" --help | grep -oE '^  +-[a-zA-Z],' | tr -d ' ,'); do
	sed 's/\\-/-/g' "$MAN" | grep -qE -- "^\.BR $s " || fail "short option $s not documented"
done
if command -v mandoc >/dev/null 2>&1; then
	mandoc -T lint -W warning "$MAN" > lint.txt 2>&1 || { fail "mandoc -T lint falco-lint.1"; cat lint.txt; }
	"$BIN" checks --format=man > checks.7
	mandoc -T lint -W warning checks.7 > lint7.txt 2>&1 || { fail "mandoc -T lint on checks --format=man"; cat lint7.txt; }
	# the committed catalogue page should match the catalogue
	cmp -s checks.7 "$ROOT/man/falco-lint-checks.7" ||
		echo "note: man/falco-lint-checks.7 is out of date; run 'make man'"
else
	echo "note: mandoc not installed, lint not run"
fi
finish
