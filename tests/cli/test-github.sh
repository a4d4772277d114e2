# --format=github: workflow commands with GitHub's escaping ('%', CR, LF in
# messages; also ':' and ',' in properties), chosen automatically under
# GITHUB_ACTIONS=true unless a format is given.
. "$(dirname "$0")/lib.sh"
cat > 'we,ird:na%me.yaml' <<'YAML'
- list: shells
  items: [bash]
  "100%, really: yes\nsecond\rline": 1
YAML
expect_exit 1 "$BIN" $SEL --format=github 'we,ird:na%me.yaml'
has "::warning file=we%2Cird%3Ana%25me.yaml,line=3,col=3,endLine=3,endColumn="
has ",title=FL022 unknown-key::unknown key '100%25, really: yes%0Asecond%0Dline' in list is ignored"
[ "$(wc -l < out)" -eq 1 ] || fail "one line per diagnostic expected"

write_warn warn.yaml
write_error bad.yaml
expect_exit 1 "$BIN" $SEL --format=github warn.yaml bad.yaml
has "::error file=bad.yaml,line="
has "title=FL002 yaml-syntax::"
# notes ride in the message, after an escaped newline
has "%0Anote: warn.yaml:5:3: "
[ "$(grep -c '^::' out)" -eq 3 ] || fail "three annotations expected"

expect_exit 1 env GITHUB_ACTIONS=true "$BIN" warn.yaml
has "::warning file=warn.yaml,line=3,"
expect_exit 1 env GITHUB_ACTIONS=true "$BIN" --format=text warn.yaml
lacks "::warning"
expect_exit 1 env GITHUB_ACTIONS=false "$BIN" warn.yaml
lacks "::warning"
finish
