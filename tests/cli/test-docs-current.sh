#!/bin/sh
# The man page of checks and README's table are generated from the check
# table; fail when a check was added or changed without regenerating them.
exec sh "$ROOT/tools/gen-docs.sh" "$BIN" --check
