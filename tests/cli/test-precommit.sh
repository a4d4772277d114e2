# The pre-commit hook: the real pre-commit runs falco-lint's
# .pre-commit-hooks.yaml (cloned from this repository when it is committed,
# else the same hook as a `repo: local` entry) in a scratch git repository
# holding a bad and a good rules file, and an override checked against its
# base rules through .falco-lint.yaml.
. "$(dirname "$0")/lib.sh"
command -v pre-commit >/dev/null 2>&1 || skip "pre-commit not installed (apt-get install pre-commit)"
command -v git >/dev/null 2>&1 || skip "git not installed"
export PRE_COMMIT_HOME="$TMP/cache" HOME="$TMP"
export PATH="$(dirname "$BIN"):$PATH"
[ "$(basename "$BIN")" = falco-lint ] || skip "binary is not named falco-lint"
git config --global user.email t@example.invalid
git config --global user.name test
git config --global init.defaultBranch main
git config --global protocol.file.allow always

mkdir repo && cd repo && git init -q . || exit 1
mkdir -p rules base
write_clean rules/good.yaml
write_warn rules/bad.yaml
cat > base/falco_rules.yaml <<'YAML'
- list: shells
  items: [bash]
- rule: shell
  desc: a shell
  condition: evt.type = execve and proc.name in (shells)
  output: shell %proc.name
  priority: WARNING
YAML
cat > rules/override.yaml <<'YAML'
- list: shells
  items: [zsh]
  override:
    items: append
YAML
printf 'rules: [base/falco_rules.yaml]\n' > .falco-lint.yaml

sha=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null)
if [ -n "$sha" ] && git -C "$ROOT" cat-file -e "$sha:.pre-commit-hooks.yaml" 2>/dev/null; then
	cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $ROOT
    rev: $sha
    hooks:
      - id: falco-lint
YAML
else
	echo "note: .pre-commit-hooks.yaml not committed yet; using a local hook"
	{
		echo "repos:"
		echo "  - repo: local"
		echo "    hooks:"
		sed -n 's/^- /      - /p; s/^  \([a-z]\)/        \1/p' "$ROOT/.pre-commit-hooks.yaml"
	} > .pre-commit-config.yaml
fi
git add -A && git commit -qm init || exit 1

expect_exit 1 pre-commit run --all-files
has "rules/bad.yaml:3:3: warning: unknown key 'bogus'"
lacks "good.yaml:"
lacks "falco-lint.yaml:"
expect_exit 0 pre-commit run --files rules/good.yaml rules/override.yaml
# without the base rules the override has nothing to extend
rm .falco-lint.yaml
expect_exit 1 pre-commit run --files rules/override.yaml
has "[FL101]"
# as a commit hook: the bad file blocks the commit
git checkout -q .falco-lint.yaml
pre-commit install -q >/dev/null 2>&1 || pre-commit install >/dev/null || fail "pre-commit install"
printf '  more: 1\n' >> rules/good.yaml
git add rules/good.yaml
expect_exit 1 git commit -qm "bad change"
has "unknown key 'more'"
finish
