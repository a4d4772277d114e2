# Inline suppressions: item (comment on the item's line or above it), line,
# whole file, prefixes and 'all'; '#' inside quoted and block scalars is
# not a comment; unused (FL901, opt-in) and malformed (FL902) suppressions.
. "$(dirname "$0")/lib.sh"
cat > item.yaml <<'YAML'
# falco-lint: disable=FL022 kept for an old tool
- list: shells
  items: [bash, sh]
  bogus: 1
  more: 2
- list: others
  items: [a]
  bogus: 1
YAML
expect_exit 1 "$BIN" item.yaml
has "item.yaml:8:3:"
lacks "item.yaml:4:"
lacks "item.yaml:5:"

cat > trailing.yaml <<'YAML'
- list: shells  # falco-lint: disable=FL0
  items: [bash, sh]
  bogus: 1
- macro: m
  condition: evt.type = open
  condition: x   # falco-lint: disable=FL023
  bogus: 1
YAML
expect_exit 1 "$BIN" trailing.yaml
lacks ":3:3:"
lacks "[FL023]"
has "trailing.yaml:7:3:"
# the line suppression covers its line and the next only
cat > lines.yaml <<'YAML'
- macro: m
  condition: evt.type = open
  # falco-lint: disable=FL022
  bogus: 1
  other: 1
YAML
expect_exit 1 "$BIN" lines.yaml
lacks "lines.yaml:4:"
has "lines.yaml:5:3:"

cat > file.yaml <<'YAML'
- list: shells
  items: [bash, sh]
  bogus: 1
# falco-lint: disable-file=FL022,FL023
- macro: m
  condition: evt.type = open
  condition: x
- rule: r
  desc: uses the items above
  condition: m and proc.name in (shells)
  output: shell %proc.name
  priority: WARNING
YAML
expect_exit 0 "$BIN" file.yaml
sed 's/disable-file=FL022,FL023/disable-file=all/' file.yaml > all.yaml
expect_exit 0 "$BIN" all.yaml

cat > quoted.yaml <<'YAML'
- list: shells
  items: ["# falco-lint: disable=FL022", 'x # falco-lint: disable=FL022']
  bogus: 1
- macro: m
  condition: >
    evt.type = open
    # falco-lint: disable=FL022
  bogus: 1
YAML
expect_exit 1 "$BIN" quoted.yaml
has "quoted.yaml:3:3:"
has "quoted.yaml:8:3:"

# unused: off by default, reported when selected
cat > unused.yaml <<'YAML'
# falco-lint: disable=FL106
- list: shells
  items: [bash]
- rule: r
  desc: uses the list above
  condition: evt.type = execve and proc.name in (shells)
  output: shell %proc.name
  priority: WARNING
YAML
expect_exit 0 "$BIN" unused.yaml
expect_exit 1 "$BIN" --extend-select FL901 unused.yaml
has "unused.yaml:1:23: warning: suppression of 'FL106' matches no diagnostic [FL901]"

# malformed directives and unknown codes
cat > bad.yaml <<'YAML'
# falco-lint: disabel=FL022
# falco-lint: disable=FLX
- list: shells
  items: [bash]
YAML
expect_exit 1 "$BIN" bad.yaml
has "bad.yaml:1:15: warning: unknown suppression directive 'disabel=FL022'"
has "bad.yaml:2:23: warning: unknown check code 'FLX' in suppression [FL902]"

# a suppression in a context file does not hide anything else
expect_exit 1 "$BIN" -r file.yaml item.yaml
has "item.yaml:8:3:"
finish
