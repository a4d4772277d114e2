# --format=gitlab: a Code Quality JSON array with the required fields and
# one fingerprint per finding, even for identical findings.
. "$(dirname "$0")/lib.sh"
write_warn warn.yaml
cat > dup.yaml <<'YAML'
- list: shells
  items: [bash]
  bogus: 1
  bogus: 2
YAML
expect_exit 1 "$BIN" $SEL --format=gitlab warn.yaml dup.yaml
PY=$(command -v python3) || skip "python3 not available"
$PY - out <<'PYEOF' || fail "GitLab report"
import json, sys
a = json.load(open(sys.argv[1]))
assert isinstance(a, list) and len(a) >= 4, a
for f in a:
    assert set(f) >= {"description", "check_name", "fingerprint", "severity", "location"}
    assert f["severity"] in ("info", "minor", "major", "critical", "blocker")
    assert f["location"]["path"] and f["location"]["lines"]["begin"] >= 1
assert len({f["fingerprint"] for f in a}) == len(a), "fingerprints must be unique"
PYEOF
write_clean clean.yaml
expect_exit 0 "$BIN" --format=gitlab clean.yaml
[ "$(tr -d ' \n' < out)" = "[]" ] || fail "empty report must be []"
finish
