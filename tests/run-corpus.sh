#!/bin/sh
# run-corpus.sh BIN — conformance against the real rule corpus and Falco's
# own results in ../shared; skipped with a message when it is absent.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${FL_SHARED:-$ROOT/../shared}
if [ ! -d "$SHARED/corpus" ]; then
	echo "corpus: skipped (no shared corpus at $SHARED)"
	exit 0
fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
status=0
for t in "$ROOT"/tests/corpus_*.py; do
	[ -f "$t" ] || continue
	FL_SHARED="$SHARED" "$PY" "$t" "$1" || status=1
done
exit $status
