#!/usr/bin/python3
"""corpus_eval.py — scenario evaluation against the real upstream rules.

For every falcosecurity/rules release of the stable file in the shared
corpus (corpus/upstream/falco_rules-*.yaml) that has the rule "Fileless
execution via memfd_create":
  * falco_rules 2.0.0 ... 3.2.0 (empty known_memfd_execution_binaries, the
    macro tests proc.name only) must report FL501 for that rule on the runc
    scenario (runc-memfd-reexec);
  * 4.0.0-rc1 and later (runc listed, proc.pname/proc.exepath clauses)
    must report no FL501 for it on any runc scenario.
Then every upstream file (incubating and sandbox rules loaded after the
stable file of the same release, as Falco loads them) is evaluated with
`falco-lint eval`, and the rules that fire on each scenario are printed,
with the files they fire in: the record for the issue note.

usage: tests/corpus_eval.py [BINARY]   (default build/falco-lint)
Shared data: $FL_SHARED or <repo>/../shared; skipped when absent.
"""
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEMFD_RULE = "Fileless execution via memfd_create"
RUNC = ("runc-memfd-reexec", "runc-memfd-fallback", "runc-rootless-memfd")
VERSION = re.compile(r"^falco_rules-(\d+)\.(\d+)\.(\d+)(?:-rc(\d+))?\.yaml$")


def shared_dir():
    d = os.environ.get("FL_SHARED") or os.path.join(REPO, "..", "shared")
    return d if os.path.isdir(d) else None


def version_key(name):
    """(major, minor, patch, rc) with a release after its rcs; main last."""
    if name == "falco_rules-main.yaml":
        return (999, 0, 0, 999)
    m = VERSION.match(name)
    if not m:
        return None
    rc = m.group(4)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)),
            int(rc) if rc else 999)


def lint(binary, files, cwd):
    p = subprocess.run([binary, "--no-config", "--format=json", "--select=FL501"] + files,
                       cwd=cwd, capture_output=True, text=True, timeout=300)
    try:
        return json.loads(p.stdout)["diagnostics"]
    except (ValueError, KeyError):
        sys.exit("corpus_eval: no JSON from falco-lint on %s (exit %d): %s"
                 % (files, p.returncode, p.stderr[:300]))


def evaluate(binary, files, cwd, context=()):
    args = [binary, "eval", "--no-config", "--format=json"]
    for c in context:
        args += ["-r", c]
    p = subprocess.run(args + files, cwd=cwd, capture_output=True, text=True, timeout=300)
    if p.returncode not in (0, 1):
        sys.exit("corpus_eval: eval failed on %s (exit %d): %s"
                 % (files, p.returncode, p.stderr[:300]))
    return json.loads(p.stdout)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else os.path.join(REPO, "build", "falco-lint"))
    shared = shared_dir()
    if not shared or not os.path.isdir(os.path.join(shared, "corpus", "upstream")):
        print("corpus_eval: skipped (no shared corpus; set FL_SHARED)")
        return 0
    up = os.path.join(shared, "corpus", "upstream")
    failures, checked = [], 0

    stable = sorted((f for f in os.listdir(up) if version_key(f)), key=version_key)
    for f in stable:
        with open(os.path.join(up, f), encoding="utf-8", errors="replace") as fh:
            if MEMFD_RULE not in fh.read():
                continue
        vulnerable = version_key(f) < (4, 0, 0, 0)
        diags = lint(binary, [f], up)
        fired = sorted({d.get("scenario") for d in diags
                        if d["code"] == "FL501"
                        and (d.get("item") or {}).get("name") == MEMFD_RULE})
        runc = [s for s in fired if s in RUNC]
        checked += 1
        if vulnerable and "runc-memfd-reexec" not in runc:
            failures.append("%s: expected FL501 on '%s' for runc, got %s"
                            % (f, MEMFD_RULE, fired))
        if not vulnerable and runc:
            failures.append("%s: unexpected FL501 on '%s' for %s" % (f, MEMFD_RULE, runc))
        print("corpus_eval: %-28s %s: FL501 on %s" % (f, "vulnerable" if vulnerable else "fixed",
                                                     ", ".join(fired) or "nothing"))

    # Which rules fire on which scenarios, over every upstream file; rules
    # of a context file count for that file only.
    fires, maybe = {}, {}   # (scenario, kind) -> rule -> set of files
    alone = {}              # file -> {(scenario, variant): (fires, may)}
    files = sorted(f for f in os.listdir(up) if f.endswith(".yaml"))
    files.sort(key=lambda f: 0 if f.startswith("falco_rules-") else 1)
    for f in files:
        context = []
        m = re.match(r"^falco-(incubating|sandbox|deprecated)_rules-(.*)$", f)
        if m and os.path.exists(os.path.join(up, "falco_rules-" + m.group(2))):
            context = ["falco_rules-" + m.group(2)]
        res = evaluate(binary, [f], up, context)
        alone[f] = {(r["scenario"], r["variant"]): (set(r["fires"]), set(r["may_fire"]))
                    for r in res}
        for r in res:
            base = alone.get(context[0], {}) if context else {}
            bf, bm = base.get((r["scenario"], r["variant"]), (set(), set()))
            key = (r["scenario"], r["kind"])
            for rule in set(r["fires"]) - bf:
                fires.setdefault(key, {}).setdefault(rule, set()).add(f[:-5])
            for rule in set(r["may_fire"]) - bm:
                maybe.setdefault(key, {}).setdefault(rule, set()).add(f[:-5])
    for key in sorted(set(fires) | set(maybe)):
        scen, kind = key
        print("corpus_eval: %s scenario '%s':" % (kind, scen))
        for rule, fl in sorted(fires.get(key, {}).items()):
            fl = sorted(fl)
            print("    fires     %-42s in %d file(s): %s%s" % ("'" + rule + "'", len(fl),
                  ", ".join(fl[:4]), " ..." if len(fl) > 4 else ""))
        for rule, fl in sorted(maybe.get(key, {}).items()):
            print("    may fire  %-42s in %d file(s)" % ("'" + rule + "'", len(fl)))

    for x in failures:
        print("FAIL corpus_eval: " + x)
    print("corpus_eval: %d releases checked, %d failed" % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
