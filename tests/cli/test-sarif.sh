# --format=sarif: valid against the official SARIF 2.1.0 schema (from the
# shared reference directory), every check a rule, 1-based regions,
# relative URIs with a base id, stable and unique fingerprints.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
SCHEMA=$SHARED/data/sarif-schema-2.1.0.json
write_warn warn.yaml
write_warn warn2.yaml
write_error bad.yaml
mkdir -p 'sub dir'
write_warn 'sub dir/w.yaml'
expect_exit 1 "$BIN" $SEL --format=sarif warn.yaml warn2.yaml bad.yaml 'sub dir/w.yaml' "$TMP/warn.yaml"
cp out a.sarif
"$BIN" $SEL --format=sarif warn.yaml warn2.yaml bad.yaml 'sub dir/w.yaml' "$TMP/warn.yaml" > b.sarif
cmp -s a.sarif b.sarif || fail "SARIF output differs between two runs"
# moving a finding down a line keeps its fingerprint
{ echo "# a comment line"; cat warn.yaml; } > moved.yaml
cp warn.yaml orig.yaml
"$BIN" $SEL --format=sarif orig.yaml > c.sarif
cp moved.yaml orig.yaml
"$BIN" $SEL --format=sarif orig.yaml > d.sarif

[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 not available: SARIF not checked"
$PY - a.sarif c.sarif d.sarif "$BIN" <<'PYEOF' || fail "SARIF structure"
import json, subprocess, sys
a = json.load(open(sys.argv[1]))
run = a["runs"][0]
assert a["version"] == "2.1.0"
rules = run["tool"]["driver"]["rules"]
checks = [l.split()[0] for l in subprocess.run([sys.argv[4], "checks"], capture_output=True, text=True).stdout.splitlines()[1:]]
assert [r["id"] for r in rules] == checks, "rules must be every check, in order"
for r in rules:
    for k in ("id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration"):
        assert k in r, (r["id"], k)
    assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
res = run["results"]
assert len(res) == 9, len(res)
fps = set()
for r in res:
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    loc = r["locations"][0]["physicalLocation"]
    reg = loc["region"]
    assert reg["startLine"] >= 1 and reg["startColumn"] >= 1
    assert reg["endLine"] >= reg["startLine"]
    assert reg["endColumn"] > reg["startColumn"] or reg["endLine"] > reg["startLine"]
    uri = loc["artifactLocation"]["uri"]
    if uri.startswith("file://"):
        assert "uriBaseId" not in loc["artifactLocation"]
    else:
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%", uri
        assert not uri.startswith("/") and not uri.startswith("./")
    fps.add(r["partialFingerprints"]["falcoLint/v1"])
assert len(fps) == len(res), "fingerprints must be unique"
uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in res}
assert "sub%20dir/w.yaml" in uris, uris
first = res[0]["locations"][0]["physicalLocation"]["region"]
assert (first["startLine"], first["startColumn"]) == (3, 3), first
c = json.load(open(sys.argv[2]))["runs"][0]["results"]
d = json.load(open(sys.argv[3]))["runs"][0]["results"]
assert [x["partialFingerprints"] for x in c] == [x["partialFingerprints"] for x in d]
assert c[0]["locations"][0]["physicalLocation"]["region"]["startLine"] + 1 == \
       d[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
PYEOF

# an empty report is valid too
write_clean clean.yaml
"$BIN" --format=sarif clean.yaml > empty.sarif || fail "clean file: exit status"

[ -f "$SCHEMA" ] || { [ "$fails" -eq 0 ] || finish; skip "no $SCHEMA (shared reference absent): schema validation not run"; }
$PY -c 'import jsonschema' 2>/dev/null || { [ "$fails" -eq 0 ] || finish; skip "python3-jsonschema not installed: schema validation not run"; }
for f in a.sarif empty.sarif; do
	$PY - "$SCHEMA" "$f" <<'PYEOF' || fail "$f is not valid SARIF 2.1.0"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft7Validator(schema).validate(doc)
PYEOF
done
finish
