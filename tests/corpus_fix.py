#!/usr/bin/python3
"""corpus_fix.py — `falco-lint fix` on the upstream falco_rules releases.

For each falco_rules file of corpus/upstream that contains the memfd rule:
  * 2.0.0, 3.0.0-rc1, 3.0.0, 3.0.1, 3.1.0, 3.2.0 (the empty list and the
    proc.name-only macro): `fix --only 'runc-*'` prints a snippet, and the
    file plus the snippet has no FL501 for a runc scenario, no diagnostic
    the file alone did not have (other than the deprecation warning of the
    `append: true` form chosen for 2.0.0, whose required_engine_version is
    Falco 0.36's), and every malicious event still fires — checked with the
    malicious events relabelled benign, so that the session's own FL501
    reports them;
  * 4.0.0-rc1 and later: `fix --only 'runc-*'` prints nothing, exit 0.
  * every benign scenario of the catalogue (`fix` without --only) on the
    vulnerable files: the snippet leaves no FL501 at all.

usage: tests/corpus_fix.py [BINARY]   (default build/falco-lint)
Shared data: $FL_SHARED or <repo>/../shared; skipped when absent.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

VULNERABLE = ["2.0.0", "3.0.0-rc1", "3.0.0", "3.0.1", "3.1.0", "3.2.0"]

# The built-in malicious events (lib/scenarios/memfd.yaml), kind benign:
# FL501 on them means "the rule fires on this attack".
MAL_AS_BENIGN = """
- scenario: mal-payload
  kind: benign
  events:
    - {name: bpf-digit, fields: {evt.type: execve, evt.dir: "<", proc.name: "5", proc.exepath: "memfd:malware", proc.is_exe_from_memfd: true, proc.pname: bash, evt.arg.flags: "EXE_WRITABLE|EXE_FROM_MEMFD"}}
    - {name: kmod-digit, fields: {evt.type: execve, evt.dir: "<", proc.name: "5", proc.exepath: "/memfd:malware", proc.is_exe_from_memfd: true, proc.pname: bash, evt.arg.flags: "EXE_WRITABLE|EXE_FROM_MEMFD"}}
    - {name: interpreter, fields: {evt.type: execve, evt.dir: "<", proc.name: "3", proc.exepath: "memfd:kworker", proc.is_exe_from_memfd: true, proc.pname: python3}}
- scenario: mal-spoofed-parent
  kind: benign
  events:
    - {name: bpf, fields: {evt.type: execve, evt.dir: "<", proc.name: "5", proc.exepath: "memfd:x", proc.is_exe_from_memfd: true, proc.pname: runc}}
- scenario: mal-event-generator
  kind: benign
  events:
    - {name: bpf, fields: {evt.type: execve, evt.dir: "<", proc.name: "3", proc.exe: /proc/self/fd/3, proc.exepath: "memfd:program", proc.is_exe_from_memfd: true, proc.is_exe_writable: true, proc.pname: event-generator, evt.arg.flags: "EXE_WRITABLE|EXE_FROM_MEMFD"}}
"""


def run(binary, args, cwd):
    p = subprocess.run([binary] + args, cwd=cwd, capture_output=True, text=True,
                       env=dict(os.environ, NO_COLOR="1", GITHUB_ACTIONS=""))
    return p.returncode, p.stdout, p.stderr


def diags(binary, args, cwd):
    rc, out, err = run(binary, ["--no-config", "--format", "json"] + args, cwd)
    if rc not in (0, 1):
        raise RuntimeError("falco-lint %s: exit %d: %s" % (" ".join(args), rc, err))
    return json.loads(out)["diagnostics"]


def key(d):
    if d["code"] == "FL501":
        return ("FL501", d.get("scenario"))
    return (d["code"], d["message"])


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build/falco-lint"))
    shared = os.environ.get("FL_SHARED", os.path.join(REPO, "..", "shared"))
    up = os.path.join(shared, "corpus", "upstream")
    if not os.path.isdir(up):
        print("corpus_fix: skipped (no shared corpus at %s)" % shared)
        return 0
    files = sorted(f for f in os.listdir(up) if re.match(r"falco_rules-([0-9].*|main)\.yaml$", f))
    fails = []
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        mal = os.path.join(tmp, "mal.yaml")
        with open(mal, "w") as f:
            f.write(MAL_AS_BENIGN)
        for name in files:
            path = os.path.join(up, name)
            with open(path) as f:
                if "Fileless execution via memfd_create" not in f.read():
                    continue
            ver = name[len("falco_rules-"):-len(".yaml")]
            rc, out, err = run(binary, ["fix", "--no-config", "--only", "runc-*", path], tmp)
            checked += 1
            if ver in VULNERABLE:
                if rc != 0 or not out.strip():
                    fails.append("%s: fix printed nothing (exit %d) %s" % (name, rc, err.strip()))
                    continue
                snip = os.path.join(tmp, "fix-%s.yaml" % ver)
                with open(snip, "w") as f:
                    f.write(out)
                before = diags(binary, ["--scenario", mal, path], tmp)
                after = diags(binary, ["--scenario", mal, path, snip], tmp)
                runc = [d for d in after if d["code"] == "FL501" and d["scenario"].startswith("runc-")]
                if runc:
                    fails.append("%s: FL501 remains for %s" % (name, runc[0]["scenario"]))
                legacy = "append: true" in out
                if legacy != (ver == "2.0.0"):
                    fails.append("%s: legacy form %s" % (name, "used" if legacy else "not used"))
                bk = {}
                for d in before:
                    bk[key(d)] = bk.get(key(d), 0) + 1
                for d in after:
                    k = key(d)
                    if d["code"] == "FL501" or (legacy and d["code"] == "FL401"):
                        continue
                    if bk.get(k, 0) == 0:
                        fails.append("%s: new diagnostic %s %s" % (name, d["code"], d["message"]))
                        break
                    bk[k] -= 1
                mb = sorted(d["scenario"] for d in before if d["code"] == "FL501" and d["scenario"].startswith("mal-"))
                ma = sorted(d["scenario"] for d in after if d["code"] == "FL501" and d["scenario"].startswith("mal-"))
                if len(mb) != 3 or ma != mb:
                    fails.append("%s: malicious scenarios firing before %s, after %s" % (name, mb, ma))
                # every benign scenario of the catalogue
                rc, out, err = run(binary, ["fix", "--no-config", path], tmp)
                with open(snip, "w") as f:
                    f.write(out)
                left = [d for d in diags(binary, [path, snip], tmp) if d["code"] == "FL501"]
                if rc != 0 or left:
                    fails.append("%s: fix of every scenario leaves %s (exit %d)"
                                 % (name, [d["scenario"] for d in left], rc))
            elif rc != 0 or out:
                fails.append("%s: expected no runc fix, got exit %d and %r" % (name, rc, out[:200]))
    for f in fails:
        print("FAIL corpus_fix " + f)
    print("corpus_fix: %d files, %d failures" % (checked, len(fails)))
    return 1 if fails or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
