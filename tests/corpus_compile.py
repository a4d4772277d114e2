#!/usr/bin/python3
"""corpus_compile.py — compile-stage conformance against the shared corpus.

  1. No error on any valid rules file of corpus/upstream, corpus/falco-legacy
     and corpus/plugins, each checked with --target-falco set to the release
     the file was written for: the oldest Falco whose engine satisfies the
     file's required_engine_version, or the Falco version in a legacy file's
     name (clamped to the oldest release the catalogue knows).
  2. Falco's verdict (oracle/falco-validate-0.44.json; oracle/cases) on
     every falco-tests file and every conformance case, per file: Falco's
     error code must be among falco-lint's errors (all stages, so this also
     covers what tests/corpus_load.py checks for the read stage); where Falco
     loads the file falco-lint must report no error; and the compile-stage
     warning codes (no event type, unused macro/list, compiler warnings,
     unknown filter, <NA>, deprecated fields/outputs) must be the same set.
  3. Compiled conditions: for oracle/compiled/<file>.json, each macro's and
     rule's condition_compiled against falco-lint's canonical text of the
     resolved AST (macros inlined), and each list's items_compiled.

usage: tests/corpus_compile.py [BINARY [DUMPER]]
  BINARY  build/falco-lint;  DUMPER  build/tests/test_compile (--dump mode)
Shared data: $FL_SHARED or <repo>/../shared; skipped when absent.
Prints "N passed, N failed, N skipped".
"""
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE_FALCO = "0.44.1"

# Where falco-lint disagrees with Falco on purpose (or cannot know).
ALLOW = {
    "131-exc-replace-no-comps-list": "Falco undefined behaviour (crash)",
    "plugins/krsi__example_rules-main.yaml":
        "krsi.* output fields come from the krsi plugin, which the field catalogue does not cover",
}

# Files whose required_engine_version is older than what they use: checked
# at the release they need instead (falco-lint reports the mismatch at the
# stated version, which is right).
INIT_MODULE = ("uses evt.type init_module/finit_module, which the catalogue dates to "
               "Falco 0.36.0, but requires engine 17 (0.35.0); whether 0.35 accepted "
               "them as plain syscall names is not recorded in the catalogue")
TARGET_OVERRIDE = {
    "upstream/falco_rules-1.0.0-rc1.yaml": ("0.36.0", INIT_MODULE),
    "upstream/falco_rules-1.0.0.yaml": ("0.36.0", INIT_MODULE),
    "upstream/falco_rules-1.0.1.yaml": ("0.36.0", INIT_MODULE),
    "upstream/falco_rules-1.0.2-rc1.yaml": ("0.36.0", INIT_MODULE),
    "upstream/falco_rules-1.0.2.yaml": ("0.36.0", INIT_MODULE),
    "upstream/falco_rules-2.0.0-rc1.yaml": ("0.36.0", INIT_MODULE),

    "upstream/falco_rules-0.1.0-rc1.yaml": ("0.33.0", "uses fd.nameraw (Falco 0.33) but requires engine 13 (0.32.1)"),
    "upstream/falco_rules-0.1.0.yaml": ("0.33.0", "uses fd.nameraw (Falco 0.33) but requires engine 13 (0.32.1)"),
}

# Compiled conditions known to differ, with the reason.
KNOWN_COMPILED = {}

# Files that extend another corpus file: loaded after it as context (-r).
CONTEXT = {
    "plugins/k8saudit-gke__rules__k8s_audit_rules_gke-main.yaml":
        ["k8saudit__rules__k8s_audit_rules-main.yaml"],
}

COMPILE_WARNINGS = {"LOAD_NO_EVTTYPE", "LOAD_UNUSED_MACRO", "LOAD_UNUSED_LIST",
                    "LOAD_COMPILE_CONDITION", "LOAD_UNKNOWN_FILTER",
                    "LOAD_UNSAFE_NA_CHECK"}
# falco-lint takes the official plugin sources as known; Falco in the
# oracle runs had only syscall, so rules of these sources were skipped.
PLUGIN_SOURCES = {"k8s_audit", "aws_cloudtrail", "okta", "github", "gcp_auditlog"}


def shared_dir():
    d = os.environ.get("FL_SHARED") or os.path.join(REPO, "..", "shared")
    return d if os.path.isdir(d) else None


def run(binary, files, cwd, target, context=()):
    args = [binary, "--format=json", "--target-falco=" + target]
    for c in context:
        args += ["-r", c]
    p = subprocess.run(args + files, cwd=cwd, capture_output=True, text=True, timeout=300)
    try:
        return json.loads(p.stdout)["diagnostics"]
    except (ValueError, KeyError):
        raise RuntimeError("no JSON (exit %d): %s" % (p.returncode, p.stderr.strip()[:300]))


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.problems = []

    def fail(self, what, why):
        self.failed += 1
        self.problems.append("FAIL %s: %s" % (what, why))


# ---- versions ---------------------------------------------------------------

def releases(shared):
    """[(falco (a,b,c), engine (a,b,c))], oldest first."""
    out = []
    with open(os.path.join(shared, "data", "fields", "versions.tsv")) as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3 or not cols[0]:
                continue
            fv = tuple(int(x) for x in cols[0].split("."))
            e = cols[2]
            ev = tuple(int(x) for x in e.split(".")) if "." in e else (0, int(e), 0)
            out.append((fv, ev))
    return sorted(out)


def vstr(v):
    return "%d.%d.%d" % v


def engine_req(path):
    best = None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"^-\s*required_engine_version:\s*['\"]?([0-9][0-9.]*)", line)
            if not m:
                continue
            s = m.group(1)
            v = tuple(int(x) for x in s.split(".")[:3]) if "." in s else (0, int(s), 0)
            if best is None or v > best:
                best = v
    return best


def target_for(path, name, rels):
    """The Falco release a corpus file was written for, or the newest."""
    newest = rels[-1][0]
    m = re.search(r"-(\d+)\.(\d+)\.(\d+)\.ya?ml$", name)
    if "falco-legacy" in path and m:
        want = tuple(int(x) for x in m.groups())
        cands = [f for f, _ in rels if f <= want]
        if not cands:
            return vstr(rels[0][0])
        same = [f for f in cands if f[:2] == want[:2]]
        return vstr(same[-1] if same else cands[-1])
    req = engine_req(path)
    if req is None:
        return vstr(newest)
    for f, e in rels:
        if e[0] == req[0] and e >= req:
            return vstr(f)
    return vstr(newest)


# ---- part 2 -----------------------------------------------------------------

def falco_compile_warnings(warnings):
    s = set()
    for w in warnings:
        c = w["code"]
        if c in COMPILE_WARNINGS:
            s.add(c)
        elif c == "LOAD_DEPRECATED_ITEM" and not (
                w["message"].startswith("'append' key") or "standalone 'enabled'" in w["message"]):
            s.add("DEPRECATED(compile)")
    return s


def lint_compile_warnings(diags):
    s = set()
    for d in diags:
        if d["severity"] == "error":
            continue
        n = int(d["code"][2:])
        if not (50 <= n <= 99):
            continue
        c = d.get("falco_code")
        if c in COMPILE_WARNINGS:
            s.add(c)
        elif c == "LOAD_DEPRECATED_ITEM":
            s.add("DEPRECATED(compile)")
    return s


def mentions_plugin_source(falco):
    for w in falco.get("warnings", []):
        m = re.match(r"Unknown source (\S+),", w.get("message", ""))
        if m and m.group(1) in PLUGIN_SOURCES:
            return True
    return False


def compare(t, what, falco, diags, stats):
    errors = [d for d in diags if d["severity"] == "error"]
    codes = {d.get("falco_code") for d in errors}
    ferrs = falco.get("errors", [])
    if ferrs:
        want = ferrs[0]["code"]
        if want not in codes:
            t.fail(what, "Falco: %s %r; falco-lint: %s" % (
                want, ferrs[0]["message"][:80],
                ", ".join(sorted("%s(%s)" % (d["code"], d.get("falco_code")) for d in errors)) or "no error"))
            return
        if errors and errors[0].get("falco_code") == want:
            stats["first"] += 1
        t.passed += 1
        return
    if errors and mentions_plugin_source(falco) and all(
            50 <= int(d["code"][2:]) <= 99 for d in errors):
        # Falco had no plugin for these rules' source and skipped them;
        # falco-lint compiles them against the plugin's fields.
        t.skipped += 1
        stats["plugin_skipped"].append("%s: %s" % (what, errors[0]["message"][:100]))
        return
    if errors:
        t.fail(what, "Falco loads it; falco-lint: " + "; ".join(
            "%s %s:%s %s" % (d["code"], d["line"], d["column"], d["message"][:100]) for d in errors[:3]))
        return
    fw, lw = falco_compile_warnings(falco.get("warnings", [])), lint_compile_warnings(diags)
    if mentions_plugin_source(falco):
        # falco-lint compiles the plugin-source rules Falco skipped: it may
        # find more, never fewer.
        ok = fw <= lw
    else:
        ok = fw == lw
    if not ok:
        t.fail(what, "compile warnings: Falco %s, falco-lint %s" % (sorted(fw), sorted(lw)))
        return
    t.passed += 1


# ---- part 3 -----------------------------------------------------------------

def compiled_compare(t, dumper, shared, stats):
    cdir = os.path.join(shared, "oracle", "compiled")
    up = os.path.join(shared, "corpus", "upstream")
    for name in sorted(os.listdir(cdir)):
        if not name.endswith(".json"):
            continue
        yaml = os.path.join(up, name[:-5] + ".yaml")
        if not os.path.isfile(yaml):
            t.skipped += 1
            continue
        exp = json.load(open(os.path.join(cdir, name)))
        p = subprocess.run([dumper, "--dump", "--target-falco", ORACLE_FALCO, yaml],
                           capture_output=True, text=True, timeout=300)
        try:
            got = json.loads(p.stdout)
        except ValueError:
            t.fail("compiled/" + name, "dumper failed: " + p.stderr[:200])
            continue
        bad = []
        for kind, key in (("macros", "condition_compiled"), ("rules", "condition_compiled")):
            for it in exp.get(kind, []):
                nm = it["info"]["name"]
                want = it["details"].get(key)
                have = got[kind].get(nm)
                stats[kind + "_total"] += 1
                if want is not None and have == want:
                    stats[kind + "_ok"] += 1
                elif nm in KNOWN_COMPILED:
                    stats["known"].add("%s: %s" % (nm, KNOWN_COMPILED[nm]))
                else:
                    bad.append("%s %r:\n      falco:      %s\n      falco-lint: %s" % (
                        kind[:-1], nm, (want or "")[:300], (have or "None")[:300]))
        for it in exp.get("lists", []):
            nm = it["info"]["name"]
            want = it["details"].get("items_compiled")
            have = got["lists"].get(nm)
            stats["lists_total"] += 1
            if have == want:
                stats["lists_ok"] += 1
            else:
                bad.append("list %r: falco %s, falco-lint %s" % (nm, want, have))
        if bad:
            t.fail("compiled/" + name, "%d disagreements, first: %s" % (len(bad), bad[0]))
        else:
            t.passed += 1


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build", "falco-lint"))
    dumper = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                             os.path.join(os.path.dirname(binary), "tests", "test_compile"))
    shared = shared_dir()
    if not shared:
        print("corpus_compile: shared data not found ($FL_SHARED or ../shared); skipped")
        return 0
    if not os.access(binary, os.X_OK):
        print("corpus_compile: %s not built" % binary, file=sys.stderr)
        return 2
    t = Tally()
    rels = releases(shared)
    corpus = os.path.join(shared, "corpus")
    stats = {"first": 0, "macros_ok": 0, "macros_total": 0, "rules_ok": 0,
             "rules_total": 0, "lists_ok": 0, "lists_total": 0, "overridden": [], "known": set(),
             "plugin_skipped": []}

    # 1. Valid rule files: no error at the release they were written for.
    for sub in ("upstream", "falco-legacy", "plugins"):
        d = os.path.join(corpus, sub)
        for name in sorted(os.listdir(d)):
            if not name.endswith((".yaml", ".yml")):
                continue
            what = "%s/%s" % (sub, name)
            if what in ALLOW:
                t.skipped += 1
                continue
            target = target_for(os.path.join(d, name), name, rels)
            if what in TARGET_OVERRIDE:
                target = TARGET_OVERRIDE[what][0]
                stats["overridden"].append("%s: %s" % (what, TARGET_OVERRIDE[what][1]))
            diags = run(binary, [name], d, target, CONTEXT.get(what, ()))
            bad = [x for x in diags if x["severity"] == "error"]
            if bad:
                t.fail("%s (--target-falco %s)" % (what, target), "; ".join(
                    "%s %s:%s %s" % (x["code"], x["line"], x["column"], x["message"][:100])
                    for x in bad[:3]))
            else:
                t.passed += 1

    # 2. Falco's own verdicts.
    oracle = json.load(open(os.path.join(shared, "oracle", "falco-validate-0.44.json")))
    ft = os.path.join(corpus, "falco-tests")
    for name in sorted(os.listdir(ft)):
        if not name.endswith((".yaml", ".yml")):
            continue
        key = "falco-tests/" + name
        if key not in oracle or "errors" not in oracle[key] or name in ALLOW:
            t.skipped += 1
            continue
        compare(t, key, oracle[key], run(binary, [name], ft, ORACLE_FALCO), stats)
    cases = os.path.join(shared, "oracle", "cases")
    for case in sorted(os.listdir(cases)):
        fj = os.path.join(cases, case, "falco.json")
        if not os.path.isfile(fj):
            continue
        exp = json.load(open(fj))
        if case in ALLOW or "validate" not in exp:
            t.skipped += 1
            continue
        diags = run(binary, exp["files"], os.path.join(cases, case), ORACLE_FALCO)
        if len(exp["validate"]) > 1 and not any(v.get("errors") for v in exp["validate"]):
            # Falco repeats compile warnings in every later file and reports
            # unused items per file; falco-lint reports each once, at the end.
            fw = set()
            for v in exp["validate"]:
                fw |= {c for c in falco_compile_warnings(v.get("warnings", []))
                       if not c.startswith("LOAD_UNUSED")}
            fw |= {c for c in falco_compile_warnings(exp["validate"][-1].get("warnings", []))
                   if c.startswith("LOAD_UNUSED")}
            lw = lint_compile_warnings(diags)
            errs = [d for d in diags if d["severity"] == "error"]
            if errs or fw != lw:
                t.fail(case, "Falco %s, falco-lint %s%s" % (sorted(fw), sorted(lw),
                       "; errors " + errs[0]["message"] if errs else ""))
            else:
                t.passed += 1
            continue
        for v in exp["validate"]:
            own = [d for d in diags if d.get("file") == v["file"]]
            ferrs = v.get("errors", [])
            if ferrs and any(e.get("in_file") for e in ferrs):
                # Falco repeats an earlier file's error; falco-lint reports
                # each finding once, at the earlier file.
                earlier = [d for d in diags if d["severity"] == "error"]
                if ferrs[0]["code"] in {d.get("falco_code") for d in earlier}:
                    t.passed += 1
                else:
                    t.fail("%s/%s" % (case, v["file"]), "repeated error %s not found" % ferrs[0]["code"])
                continue
            compare(t, "%s/%s" % (case, v["file"]), v, own, stats)

    # 3. Compiled conditions (needs the unit-test binary's --dump mode).
    if os.access(dumper, os.X_OK):
        compiled_compare(t, dumper, shared, stats)
    else:
        print("corpus_compile: %s not built; compiled conditions skipped" % dumper)
        t.skipped += 1

    for p in stats["overridden"]:
        print("note: target overridden for " + p)
    for p in sorted(stats["known"]):
        print("note: known compiled difference in " + p)
    for p in stats["plugin_skipped"]:
        print("note: Falco skipped plugin-source rules, falco-lint reports: " + p)
    for p in t.problems:
        print(p)
    print("compiled agreement: macros %d/%d, rules %d/%d, lists %d/%d; "
          "Falco's error is falco-lint's first error in %d files" % (
              stats["macros_ok"], stats["macros_total"], stats["rules_ok"], stats["rules_total"],
              stats["lists_ok"], stats["lists_total"], stats["first"]))
    print("%d passed, %d failed, %d skipped" % (t.passed, t.failed, t.skipped))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
