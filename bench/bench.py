#!/usr/bin/env python3
"""bench.py BIN BASELINE DIR — the `make bench` driver.  Generates rule sets
of 1k, 10k and 100k rules (bench/gen.py) into DIR, then, in one run,
alternates the bare libyaml event parse (BASELINE) and falco-lint (BIN,
every check on: --select=ALL, which includes scenario evaluation) on the
same bytes.  Prints medians of several runs: wall time, throughput (MB/s),
the ratio to the baseline (the median of the ratios of the rounds: a round
runs both commands back to back), peak RSS (bench/peak.c) and its ratio to
the input size, and the scaling of the time per MB from the smallest to the largest
set; then the per-stage time and memory of one run on the largest set
(falco-lint --profile).  Then the whole-process time of linting one upstream falco_rules.yaml.

Environment: BENCH_SIZES (rule counts, default "1000 10000 100000"),
BENCH_RUNS (default 5), BENCH_TIMEOUT (seconds per run, default 120: a
size that takes longer is reported as such and larger sizes are skipped),
FL_SHARED (default ../shared)."""
import glob
import os
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "120"))


class TooSlow(Exception):
    pass


PEAK = os.environ.get("BENCH_PEAK")  # bench/peak.c: true peak RSS of the command


def run_once(argv):
    """Wall seconds and peak RSS (bytes) of one process; output discarded.
    Raises TooSlow (after killing it) past BENCH_TIMEOUT.  Through PEAK when
    set: Linux carries peak RSS across exec, so a command forked straight
    from Python would report at least Python's own."""
    peakfile = None
    if PEAK:
        peakfile = os.path.join(os.environ.get("TMPDIR", "/tmp"), "fl-bench-peak.%d" % os.getpid())
        argv = [PEAK, peakfile] + argv
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    killed = []
    # A timer thread kills a run past the timeout; the wait stays blocking
    # so short runs are timed exactly.
    watchdog = threading.Timer(TIMEOUT, lambda: (killed.append(1), os.killpg(p.pid, 9)))
    watchdog.start()
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    watchdog.cancel()
    p.returncode = 0
    if killed:
        raise TooSlow("%s: still running after %.0f s"
                      % (os.path.basename(argv[0 if not PEAK else 2]), TIMEOUT))
    code = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") \
        else (status >> 8)
    if code not in (0, 1):
        sys.exit("bench: %s exited %d" % (" ".join(argv), code))
    kb = ru.ru_maxrss
    if peakfile:
        with open(peakfile) as f:
            kb = int(f.read())
        os.unlink(peakfile)
    return dt, kb * 1024


def measure(cmds, runs):
    """Alternates the commands run by run so machine noise hits all alike;
    returns per command (median seconds, median peak RSS, seconds of every
    run in order)."""
    times = [[] for _ in cmds]
    rss = [[] for _ in cmds]
    for _ in range(runs):
        for i, c in enumerate(cmds):
            t, m = run_once(c)
            times[i].append(t)
            rss[i].append(m)
    return [(statistics.median(t), statistics.median(m), t) for t, m in zip(times, rss)]


def paired_ratio(num, den):
    """Median of the ratios of the runs of one round: a virtual machine's
    slow phases last seconds, over both runs of a round, and move the ratio
    of the two medians far more than the ratio within a round."""
    return statistics.median(a / b for a, b in zip(num, den))


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: bench.py BIN BASELINE DIR")
    binary, baseline, outdir = sys.argv[1:]
    sizes = [int(x) for x in os.environ.get("BENCH_SIZES", "1000 10000 100000").split()]
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    os.makedirs(outdir, exist_ok=True)
    gen = os.path.join(HERE, "gen.py")
    files = []
    for n in sizes:
        path = os.path.join(outdir, "rules-%d.yaml" % n)
        if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(gen):
            print("bench: generating %s" % path, flush=True)
            subprocess.check_call([sys.executable, gen, str(n), path])
        files.append((n, path))

    print("bench: %d runs each, medians; falco-lint --select=ALL vs bare libyaml parse, "
          "alternating; ratio: median of the rounds' ratios" % runs)
    hdr = "%8s %8s | %9s %8s | %9s %8s | %6s | %9s %6s" % (
        "rules", "MB", "yaml s", "MB/s", "lint s", "MB/s", "ratio", "peak MB", "x in")
    print(hdr)
    print("-" * len(hdr))
    per_mb = []
    for n, path in files:
        size = os.path.getsize(path)
        mb = size / 1e6
        lint = [binary, "--select=ALL", "--quiet", "--format=json",
                "--max-file-size=%d" % (size + 1), path]
        try:
            (ty, my, tys), (tl, ml, tls) = measure([[baseline, path], lint], runs)
        except TooSlow as e:
            print("%8d %8.1f | %s; larger sizes skipped" % (n, mb, e), flush=True)
            break
        per_mb.append((mb, tl / mb, ty / mb))
        print("%8d %8.1f | %9.3f %8.1f | %9.3f %8.1f | %6.2f | %9.1f %6.2f" % (
            n, mb, ty, mb / ty, tl, mb / tl, paired_ratio(tls, tys), ml / 1e6, ml / size),
            flush=True)
    if len(per_mb) > 1:
        (m0, l0, y0), (m1, l1, y1) = per_mb[0], per_mb[-1]
        print("scaling %.1f MB -> %.1f MB: time per MB x%.2f (falco-lint), x%.2f (libyaml); 1.00 = linear"
              % (m0, m1, l1 / l0, y1 / y0))

    # Where the time and memory go, per stage, on the largest set measured
    # (one run, --profile).
    if per_mb:
        path = files[len(per_mb) - 1][1]
        size = os.path.getsize(path)
        p = subprocess.run([binary, "--select=ALL", "--quiet", "--format=json", "--profile",
                            "--max-file-size=%d" % (size + 1), path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        print("stages on %s (--profile, one run):" % os.path.basename(path))
        for line in p.stderr.splitlines()[1:]:
            print("  " + line.strip())

    shared = os.environ.get("FL_SHARED", os.path.join(ROOT, "..", "shared"))
    up = os.path.join(shared, "corpus", "upstream", "falco_rules-main.yaml")
    if not os.path.exists(up):
        cands = sorted(glob.glob(os.path.join(ROOT, "rules-corpus", "**", "falco_rules*.yaml"),
                             recursive=True))
        up = cands[0] if cands else None
    if up:
        res = measure([[binary, "--quiet", up], [baseline, up]], max(10, runs))
        print("upstream %s (%.0f KB): falco-lint %.1f ms whole process, peak %.1f MB; "
              "bare libyaml parse %.1f ms" % (os.path.relpath(up, ROOT), os.path.getsize(up) / 1e3,
                                              res[0][0] * 1e3, res[0][1] / 1e6, res[1][0] * 1e3))


if __name__ == "__main__":
    main()
