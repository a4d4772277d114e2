#!/usr/bin/python3
"""corpus_load.py — loader conformance against the shared corpus and oracle.

Runs `falco-lint --format=json` on
  * every rules file of corpus/upstream, corpus/falco-legacy, corpus/plugins:
    the loader stage (codes FL001-FL049, FL101-FL119, FL301-FL319,
    FL401-FL419) must report no error;
  * every file of corpus/falco-tests, compared with what Falco 0.44 reported
    (oracle/falco-validate-0.44.json);
  * every multi-file case of oracle/cases (files in order, per-file results).
A Falco error must be matched by a falco-lint error with the same falco_code;
no loader error may appear where Falco loaded the file; read-stage warning
counts must agree.  Compile-stage expectations (condition/output compile
errors, undefined macros, exception value shapes, field names) are counted
as "skipped (compile stage)" until falco-lint emits that falco_code, then
they are checked like the rest.

usage: tests/corpus_load.py [BINARY]   (default build/falco-lint)
Shared data: $FL_SHARED or <repo>/../shared; skipped when absent.
"""
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = "0.44.1"  # the oracle's Falco

# Where falco-lint disagrees with Falco 0.44.1 on purpose: (case or file,
# reason).  A listed entry is reported as skipped, not failed.
ALLOW = {
    # Falco reads unrelated memory here (undefined behaviour; crash or a
    # random load); falco-lint reports the missing comps (FL312).
    "131-exc-replace-no-comps-list": "Falco undefined behaviour",
}

# Files that extend another file of the corpus: loaded after it (as a
# context file, -r), the way Falco is configured to load them.
CONTEXT = {
    "plugins/k8saudit-gke__rules__k8s_audit_rules_gke-main.yaml":
        ["k8saudit__rules__k8s_audit_rules-main.yaml"],
}

# Falco load codes whose errors come from the compile stage, or from the
# read stage only with the field catalogue (exception field names).
COMPILE_CODES = {"LOAD_ERR_COMPILE_CONDITION", "LOAD_ERR_COMPILE_OUTPUT"}
COMPILE_VALIDATE_MSG = re.compile(
    r"Undefined macro|reference loop|values array|Fields and values lists"
    r"|is not a supported filter field|unknown source at compile", re.I)

# Read-stage warnings whose counts must agree.
READ_WARNINGS = {
    "LOAD_UNKNOWN_ITEM", "LOAD_UNKNOWN_KEY", "LOAD_APPEND_NO_VALUES",
    "LOAD_EXCEPTION_NAME_NOT_UNIQUE", "LOAD_INVALID_MACRO_NAME",
    "LOAD_INVALID_LIST_NAME", "LOAD_DEPRECATED_ITEM", "LOAD_UNKNOWN_SOURCE",
}
# falco-lint takes the official plugin sources as known (lib/ruleset.c).
KNOWN_SOURCES = {"syscall", "k8s_audit", "aws_cloudtrail", "okta", "github",
                 "gcp_auditlog"}


def loader_code(code):
    n = int(code[2:])
    return n <= 49 or 101 <= n <= 119 or 301 <= n <= 319 or 401 <= n <= 419


def shared_dir():
    d = os.environ.get("FL_SHARED") or os.path.join(REPO, "..", "shared")
    return d if os.path.isdir(d) else None


def run(binary, files, cwd, context=()):
    ctx = []
    for c in context:
        ctx += ["-r", c]
    p = subprocess.run([binary, "--format=json", "--target-falco=" + TARGET] + ctx + files,
                       cwd=cwd, capture_output=True, text=True, timeout=300)
    try:
        return json.loads(p.stdout)["diagnostics"]
    except (ValueError, KeyError):
        raise RuntimeError("no JSON (exit %d): %s" % (p.returncode, p.stderr.strip()[:300]))


def is_compile_stage(err):
    if err["code"] in COMPILE_CODES:
        return True
    return err["code"] == "LOAD_ERR_VALIDATE" and bool(COMPILE_VALIDATE_MSG.search(err["message"]))


def falco_read_warnings(warnings):
    """Counts of read-stage warnings as Falco reported them."""
    n = {}
    for w in warnings:
        c = w["code"]
        if c not in READ_WARNINGS:
            continue
        if c == "LOAD_DEPRECATED_ITEM" and not (
                w["message"].startswith("'append' key") or "standalone 'enabled'" in w["message"]):
            continue  # output/field deprecations: compile stage
        if c == "LOAD_UNKNOWN_SOURCE":
            m = re.match(r"Unknown source (\S+),", w["message"])
            if m and m.group(1) in KNOWN_SOURCES:
                continue
        n[c] = n.get(c, 0) + 1
    return n


def lint_read_warnings(diags):
    n = {}
    for d in diags:
        if d["severity"] != "warning" or not loader_code(d["code"]):
            continue
        c = d.get("falco_code")
        if c in READ_WARNINGS:
            n[c] = n.get(c, 0) + 1
    return n


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = self.compile_skipped = 0
        self.problems = []

    def fail(self, what, why):
        self.failed += 1
        self.problems.append("FAIL %s: %s" % (what, why))


def compare(t, what, falco, diags):
    """One file: Falco's result (errors, warnings) vs falco-lint's diagnostics."""
    errors = [d for d in diags if d["severity"] == "error"]
    lint_codes = {d.get("falco_code") for d in errors}
    ferrs = falco.get("errors", [])
    if ferrs:
        e = ferrs[0]
        if e["code"] in lint_codes:
            pass
        elif is_compile_stage(e):
            t.compile_skipped += 1
            return
        else:
            t.fail(what, "Falco: %s %r; falco-lint: %s" % (
                e["code"], e["message"][:80],
                ", ".join(sorted("%s(%s)" % (d["code"], d.get("falco_code")) for d in errors)) or "no error"))
            return
    else:
        bad = [d for d in errors if loader_code(d["code"])]
        if bad:
            t.fail(what, "Falco loads it; falco-lint: " + "; ".join(
                "%s %s:%s %s" % (d["code"], d["line"], d["column"], d["message"]) for d in bad[:3]))
            return
    fw, lw = falco_read_warnings(falco.get("warnings", [])), lint_read_warnings(diags)
    for code in sorted(set(fw) | set(lw)):
        a, b = fw.get(code, 0), lw.get(code, 0)
        # After an error Falco stops reading; falco-lint goes on.
        if (a != b and not ferrs) or b < a:
            t.fail(what, "%s: Falco %d, falco-lint %d" % (code, a, b))
            return
    t.passed += 1


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build", "falco-lint"))
    shared = shared_dir()
    if not shared:
        print("corpus_load: shared data not found ($FL_SHARED or ../shared); skipped")
        return 0
    if not os.access(binary, os.X_OK):
        print("corpus_load: %s not built" % binary, file=sys.stderr)
        return 2
    t = Tally()
    corpus = os.path.join(shared, "corpus")

    # 1. Real rule files: no loader error.
    for sub in ("upstream", "falco-legacy", "plugins"):
        d = os.path.join(corpus, sub)
        for name in sorted(os.listdir(d)):
            if not name.endswith((".yaml", ".yml")):
                continue
            what = "%s/%s" % (sub, name)
            diags = run(binary, [name], d, CONTEXT.get(what, ()))
            bad = [x for x in diags if x["severity"] == "error" and loader_code(x["code"])]
            if bad:
                t.fail(what, "; ".join("%s %s:%s %s" % (x["code"], x["line"], x["column"], x["message"])
                                       for x in bad[:3]))
            else:
                t.passed += 1

    # 2. Falco's own test files against the oracle.
    oracle = json.load(open(os.path.join(shared, "oracle", "falco-validate-0.44.json")))
    ft = os.path.join(corpus, "falco-tests")
    for name in sorted(os.listdir(ft)):
        if not name.endswith((".yaml", ".yml")):
            continue
        key = "falco-tests/" + name
        what = key
        if key not in oracle or "errors" not in oracle[key]:
            t.skipped += 1  # Falco refused to start (plugin absent)
            continue
        if name in ALLOW:
            t.skipped += 1
            continue
        compare(t, what, oracle[key], run(binary, [name], ft))

    # 3. The conformance cases, files in order.
    cases = os.path.join(shared, "oracle", "cases")
    for case in sorted(os.listdir(cases)):
        cdir = os.path.join(cases, case)
        fj = os.path.join(cdir, "falco.json")
        if not os.path.isfile(fj):
            continue
        exp = json.load(open(fj))
        if case in ALLOW or "validate" not in exp:
            t.skipped += 1
            continue
        diags = run(binary, exp["files"], cdir)
        for v in exp["validate"]:
            own = [d for d in diags if d.get("file") == v["file"]]
            compare(t, "%s/%s" % (case, v["file"]), v, own)

    for p in t.problems:
        print(p)
    print("%d passed, %d failed, %d skipped (%d compile stage)" % (
        t.passed, t.failed, t.skipped + t.compile_skipped, t.compile_skipped))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
