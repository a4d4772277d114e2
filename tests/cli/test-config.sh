# .falco-lint.yaml: discovery from the current directory upward, --config,
# --no-config, command line over file, per-path ignores, context rules
# relative to the file, and bad files as usage errors with file:line:col.
. "$(dirname "$0")/lib.sh"
mkdir -p proj/rules/legacy proj/base proj/sub/deeper
write_warn proj/rules/warn.yaml
write_warn proj/rules/legacy/old.yaml
cat > proj/base/base.yaml <<'YAML'
- list: shells
  items: [bash]
- rule: base rule
  desc: a shell runs
  condition: evt.type = execve and proc.name in (shells)
  output: shell %proc.name
  priority: WARNING
YAML
cat > proj/rules/extend.yaml <<'YAML'
- list: shells
  items: [zsh]
  override:
    items: append
YAML
cat > proj/.falco-lint.yaml <<'YAML'
ignore: FL023
per-path-ignores:
  "rules/legacy/*": [FL022]
rules: [base/base.yaml]
YAML

# discovery from the directory itself and from below
cd proj
expect_exit 1 "$BIN" rules/warn.yaml
has "[FL022]"
lacks "[FL023]"
expect_exit 0 "$BIN" rules/legacy/old.yaml
expect_exit 0 "$BIN" rules/extend.yaml
cd sub/deeper
expect_exit 0 "$BIN" ../../rules/extend.yaml
expect_exit 0 "$BIN" ../../rules/legacy/old.yaml
expect_exit 1 "$BIN" ../../rules/warn.yaml
lacks "[FL023]"
# --no-config: the base rules are gone, the append has no target
expect_exit 1 "$BIN" --no-config ../../rules/extend.yaml
has "[FL101]"
cd ../..

# the command line overrides the file
expect_exit 1 "$BIN" --select FL023 rules/warn.yaml
has "[FL023]"
lacks "[FL022]"
expect_exit 0 "$BIN" --ignore FL022 rules/warn.yaml
expect_exit 1 "$BIN" --extend-select FL023 rules/warn.yaml
has "[FL023]"

# fail level and target version from the file; the option wins
printf 'fail-on: error\ntarget-falco: "%s"\n' "$("$BIN" --version | sed 's/.*target Falco \([^,]*\),.*/\1/')" > ../other.yaml
expect_exit 0 "$BIN" --config ../other.yaml rules/warn.yaml
expect_exit 1 "$BIN" --config ../other.yaml --fail-on warning rules/warn.yaml

# a base file that is also named on the command line is checked
expect_exit 0 "$BIN" base/base.yaml rules/extend.yaml

# bad configuration files: usage errors with file:line:col
printf 'select: [FL0]\nfail-on: sometimes\n' > ../bad1.yaml
expect_exit 2 "$BIN" --config ../bad1.yaml rules/warn.yaml
has "../bad1.yaml:2:10: unknown fail level 'sometimes'"
printf 'select: [FL0\n' > ../bad2.yaml
expect_exit 2 "$BIN" --config ../bad2.yaml rules/warn.yaml
has "../bad2.yaml:2:1:"
printf 'rules:\n  nested: map\n' > ../bad3.yaml
expect_exit 2 "$BIN" --config ../bad3.yaml rules/warn.yaml
has "../bad3.yaml:2:3: 'rules' must be a path or a list of paths"
printf -- '- select\n' > ../bad4.yaml
expect_exit 2 "$BIN" --config ../bad4.yaml rules/warn.yaml
has "../bad4.yaml:1:1: the configuration must be a mapping"
expect_exit 2 "$BIN" --config ../nonexistent.yaml rules/warn.yaml
has "cannot open configuration '../nonexistent.yaml'"
printf 'target-falco: 0.1.0\n' > ../bad5.yaml
expect_exit 2 "$BIN" --config ../bad5.yaml rules/warn.yaml
has "../bad5.yaml:1:15: unknown Falco version '0.1.0'"
cp ../bad1.yaml .falco-lint.yaml
expect_exit 2 "$BIN" rules/warn.yaml
has ".falco-lint.yaml:2:10:"
cd sub
expect_exit 2 "$BIN" ../rules/warn.yaml
has "../.falco-lint.yaml:2:10:"
expect_exit 1 "$BIN" --no-config ../rules/warn.yaml
# an empty file configures nothing
: > ../.falco-lint.yaml
expect_exit 1 "$BIN" ../rules/warn.yaml
has "[FL023]"
finish
