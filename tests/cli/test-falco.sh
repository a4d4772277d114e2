# --format=falco: the shape of `falco -V` JSON output — one result per file
# with sorted keys, successful/errors/warnings, Falco codes only.
. "$(dirname "$0")/lib.sh"
write_warn warn.yaml
write_error bad.yaml
write_clean clean.yaml
expect_exit 1 "$BIN" $SEL --format=falco warn.yaml bad.yaml clean.yaml
PY=$(command -v python3) || skip "python3 not available"
$PY - out <<'PYEOF' || fail "falco -V shape"
import json, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1, "one line"
a = json.loads(text)
def sorted_keys(o):
    if isinstance(o, dict):
        assert list(o) == sorted(o), list(o)
        for v in o.values(): sorted_keys(v)
    elif isinstance(o, list):
        for v in o: sorted_keys(v)
sorted_keys(a)
r = a["falco_load_results"]
assert [x["name"] for x in r] == ["warn.yaml", "bad.yaml", "clean.yaml"], r
w, b, c = r
assert w["successful"] and not w["errors"] and w["warnings"][0]["code"] == "LOAD_UNKNOWN_KEY"
assert all(x["code"].startswith("LOAD_") for x in w["warnings"])  # FL023 has no Falco code
assert len(w["warnings"]) == 1
assert not b["successful"] and b["errors"][0]["code"] == "LOAD_ERR_YAML_PARSE"
assert c["successful"] and c["errors"] == [] and c["warnings"] == []
loc = w["warnings"][0]["context"]["locations"]
assert loc[0]["item_type"] == "rules content" and loc[0]["position"]["line"] == 0
assert loc[1]["position"]["line"] == 2 and loc[1]["position"]["column"] == 2  # 0-based
assert loc[1]["item_type"] == "list" and loc[1]["item_name"] == "shells"
PYEOF
finish
