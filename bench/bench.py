"""MemLens benchmark: what each mode costs against plain Python and raw tracemalloc, same run.

For each workload: plain ``python``, raw ``python -X tracemalloc=N``, and MemLens in each mode
(``MEMLENS_MODE`` = exact, fast, light; exact at the same frame depth N), each run ``--repeat``
times, interleaved, keeping the fastest wall time and the lowest peak RSS. Prints the ratios and
their geometric means beside the targets of issue 12, then the exit processing of a program with a
million live blocks (fast mode against its target; exact mode too unless ``--quick``), then how
long a snapshot taken during the run stops the program (not with ``--quick``). ``--exact-breakdown``
adds where exact mode's time goes (the helper with one part off at a time). Usage:
python3 bench/bench.py [--quick] [--frames 8] [--repeat 3] [--python PATH] [--blocks 1000000]
[--pause-objects 500000] [--only-pause] [--exact-breakdown]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HELPER = os.path.join(os.path.dirname(HERE), "python-helper")
WORKLOADS = ["small_objects", "json_roundtrip", "elementtree", "text_processing", "minidom_parse"]
MODES = ("exact", "fast", "light")
#: Issue 12's targets, printed beside the figures.
TARGET_FAST = 1.15
TARGET_FAST_WORST = 1.3
TARGET_LIGHT = 1.05
TARGET_EXACT_RAW = 1.10
TARGET_FAST_RSS = 1.2
TARGET_FAST_EXIT = 0.2
#: The helper with one of exact mode's parts off (``--exact-breakdown``).
PARTS_OFF = {
    "peak off": {"MEMLENS_PEAK": "0"},
    "timeline off": {"MEMLENS_TIMELINE_MS": "0"},
    "imports off": {"MEMLENS_IMPORTS": "0"},
    "census off": {"MEMLENS_CENSUS_SECONDS": "0"},
    "all four off": {"MEMLENS_PEAK": "0", "MEMLENS_TIMELINE_MS": "0", "MEMLENS_IMPORTS": "0",
                     "MEMLENS_CENSUS_SECONDS": "0"},
}


class Run:
    """One finished run: wall seconds, CPU seconds and peak RSS (bytes) of the process tree that
    was waited for."""

    def __init__(self, wall, cpu, max_rss):
        self.wall, self.cpu, self.max_rss = wall, cpu, max_rss


def measured(cmd, env, cwd=None):
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def timed(cmd, env):
    return measured(cmd, env).wall


def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMLENS_", "PYTHONTRACEMALLOC"))}
    env.pop("PYTHONPATH", None)
    return env


#: ``--census-seconds``: the exit census's bound for every MemLens run (None: the helper's default).
CENSUS_SECONDS = None


def helper_env(out, frames, peak, mode=None, extra=None):
    env = clean_env()
    env.update(PYTHONPATH=HELPER, MEMLENS_OUT=out, MEMLENS_FRAMES=str(frames), MEMLENS_PEAK="1" if peak else "0")
    if CENSUS_SECONDS is not None:
        env["MEMLENS_CENSUS_SECONDS"] = CENSUS_SECONDS
    if mode is not None:
        env["MEMLENS_MODE"] = mode
    env.update(extra or {})
    return env


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def load():
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def ran_mode(out):
    """The mode the snapshot says ran (absent: exact, as before modes existed)."""
    with open(out) as f:
        doc = json.load(f)
    return doc.get("settings", {}).get("mode") or "exact"


def best_of(args, kinds):
    """Runs each ``kinds`` entry ``(cmd, env, out)`` ``--repeat`` times, interleaved; the fastest
    run of each (and the lowest peak RSS), and the mode its snapshot says ran."""
    best, rss, modes = {}, {}, {}
    for _ in range(args.repeat):
        for k, (cmd, env, out) in kinds.items():
            run = measured(cmd, env)
            if run.wall < best.get(k, float("inf")):
                best[k] = run.wall
            rss[k] = min(rss.get(k, run.max_rss), run.max_rss)
            if out is not None:
                modes[k] = ran_mode(out)
    return best, rss, modes


def verdict(value, target):
    return "ok" if value <= target else "ABOVE"


def overhead(args, tmp):
    print("Overhead at %d frames, fastest of %d runs, interleaved (%s); %s" % (
        args.frames, args.repeat, args.python, load()))
    head = ("workload", "plain", "raw", "exact", "fast", "light", "raw/pl", "exact/raw", "exact/pl",
            "fast/pl", "light/pl", "fastRSS/pl")
    print("%-16s %7s %7s %7s %7s %7s %7s %9s %8s %8s %8s %10s" % head)
    ratios = {k: [] for k in ("raw", "exact/raw", "exact", "fast", "light", "fast rss")}
    modes_seen = {}
    for name in args.workloads:
        script = os.path.join(HERE, "workloads", name + ".py")
        kinds = {"plain": ([args.python, script], clean_env(), None),
                 "raw": ([args.python, "-X", "tracemalloc=%d" % args.frames, script], clean_env(), None)}
        for mode in MODES:
            out = os.path.join(tmp, "%s-%s.json" % (name, mode))
            kinds[mode] = ([args.python, script], helper_env(out, args.frames, True, mode), out)
        best, rss, modes = best_of(args, kinds)
        for mode, ran in modes.items():
            modes_seen.setdefault(mode, set()).add(ran)
        plain = best["plain"]
        r = {"raw": best["raw"] / plain, "exact/raw": best["exact"] / best["raw"], "exact": best["exact"] / plain,
             "fast": best["fast"] / plain, "light": best["light"] / plain, "fast rss": rss["fast"] / rss["plain"]}
        for k, v in r.items():
            ratios[k].append(v)
        print("%-16s %6.2fs %6.2fs %6.2fs %6.2fs %6.2fs %6.2fx %8.2fx %7.2fx %7.2fx %7.2fx %9.2fx" % (
            name, plain, best["raw"], best["exact"], best["fast"], best["light"], r["raw"], r["exact/raw"],
            r["exact"], r["fast"], r["light"], r["fast rss"]))
    g = {k: geomean(v) for k, v in ratios.items()}
    print("%-16s %7s %7s %7s %7s %7s %6.2fx %8.2fx %7.2fx %7.2fx %7.2fx %9.2fx" % (
        "geometric mean", "", "", "", "", "", g["raw"], g["exact/raw"], g["exact"], g["fast"], g["light"],
        g["fast rss"]))
    print("Against issue 12's targets (%s):" % load())
    for mode in MODES:
        ran = sorted(modes_seen.get(mode, ()))
        if ran != [mode]:
            print("  note: MEMLENS_MODE=%s ran %s (the helper does not run that mode yet)" % (mode, "/".join(ran)))
    worst = max(ratios["fast"])
    print("  fast  vs plain: %.2fx (target <= %.2fx) %s; worst workload %.2fx (target <= %.1fx) %s" % (
        g["fast"], TARGET_FAST, verdict(g["fast"], TARGET_FAST), worst, TARGET_FAST_WORST,
        verdict(worst, TARGET_FAST_WORST)))
    print("  light vs plain: %.2fx (target <= %.2fx) %s" % (g["light"], TARGET_LIGHT, verdict(g["light"], TARGET_LIGHT)))
    print("  exact vs raw -X tracemalloc=%d: %.2fx (target <= %.2fx) %s" % (
        args.frames, g["exact/raw"], TARGET_EXACT_RAW, verdict(g["exact/raw"], TARGET_EXACT_RAW)))
    print("  fast peak RSS vs plain: %.2fx (target <= %.1fx) %s" % (
        g["fast rss"], TARGET_FAST_RSS, verdict(g["fast rss"], TARGET_FAST_RSS)))


def exact_breakdown(args, tmp):
    """Where exact mode's time goes: the helper as it is and with one part off at a time, each
    against raw tracemalloc; and the exit processing (``processingSeconds``) of each."""
    print("\nExact mode's parts at %d frames, fastest of %d, interleaved; %s" % (args.frames, args.repeat, load()))
    names = ["exact"] + list(PARTS_OFF)
    print("%-16s %7s %s" % ("workload", "raw", " ".join("%14s" % n for n in names)))
    ratios = {n: [] for n in names}
    for name in args.workloads:
        script = os.path.join(HERE, "workloads", name + ".py")
        kinds = {"raw": ([args.python, "-X", "tracemalloc=%d" % args.frames, script], clean_env(), None)}
        outs = {}
        for n in names:
            outs[n] = os.path.join(tmp, "%s-%s.json" % (name, n.replace(" ", "-")))
            kinds[n] = ([args.python, script], helper_env(outs[n], args.frames, True, "exact", PARTS_OFF.get(n)),
                        outs[n])
        best, _, _ = best_of(args, kinds)
        cells = []
        for n in names:
            with open(outs[n]) as f:
                processing = json.load(f)["processingSeconds"]
            ratios[n].append(best[n] / best["raw"])
            cells.append("%6.2fx %5.2fs" % (best[n] / best["raw"], processing))
        print("%-16s %6.2fs %s" % (name, best["raw"], " ".join(cells)))
    print("%-16s %7s %s" % ("geometric mean", "", " ".join("%6.2fx %6s" % (geomean(ratios[n]), "") for n in names)))
    print("(each cell: wall time against raw, and the exit processing of the last run)")


def exit_processing(args, tmp, mode):
    # The program of make-million.py: 100 functions of 100 lines (module-level code of 10 000
    # lines would measure tracemalloc's line-table scan of one huge code object instead).
    from importlib import import_module
    lines = 10_000
    script = os.path.join(tmp, "million.py")
    import_module("make-million").write_program(script, lines, max(1, args.blocks // lines))
    out = os.path.join(tmp, "million-%s.json" % mode)
    timed([args.python, script], helper_env(out, args.frames, False, mode))
    with open(out) as f:
        doc = json.load(f)
    blocks = doc["totals"]["blocks"]
    annotated = sum(len(f["lines"]) for f in doc["files"])
    ran = doc.get("settings", {}).get("mode") or "exact"
    print("\nExit processing, MEMLENS_MODE=%s%s: %s live blocks on %d annotated lines: %.2f s (%.2f s per "
          "million blocks); snapshot %.1f MB" % (
              mode, "" if ran == mode else " (ran %s)" % ran, "{:,}".format(blocks), annotated,
              doc["processingSeconds"], doc["processingSeconds"] / max(blocks, 1) * 1e6, os.path.getsize(out) / 1e6))
    if mode == "fast":
        print("  target: <= %.1f s in fast mode, any number of live blocks: %s" % (
            TARGET_FAST_EXIT, verdict(doc["processingSeconds"], TARGET_FAST_EXIT)))
    return out


PAUSE_PROGRAM = r"""
import json, sys, time, tracemalloc
objects = [{"i": i, "s": str(i)} for i in range(%(objects)d)]
def longest_gap(seconds):
    worst, last, end = 0.0, time.perf_counter(), time.perf_counter() + seconds
    while last < end:
        sum(range(200))
        now = time.perf_counter()
        worst, last = max(worst, now - last), now
    return worst
before = longest_gap(0.5)
t0 = time.perf_counter()
take = None
if sys.argv[1] == "memlens":
    sys.audit("memlens.snapshot", "bench")
else:  # What a tracemalloc script does: take the snapshot in the program's own thread, then group it.
    snapshot = tracemalloc.take_snapshot()
    take = time.perf_counter() - t0
    snapshot.statistics("lineno")
    del snapshot
mark = time.perf_counter() - t0
after = longest_gap(%(seconds)f)
with open(sys.argv[2], "w") as f:
    json.dump({"mark": mark, "take": take, "before": before, "after": after}, f)
"""


def snapshot_pause(args, tmp):
    """How long a snapshot taken during the run stops the program: MemLens's (the program pauses
    to read its memory maps and fork; a child writes the snapshot) against a tracemalloc script's
    (take_snapshot and statistics in the program's own thread), on the same heap."""
    script = os.path.join(tmp, "pause.py")
    with open(script, "w") as f:
        f.write(PAUSE_PROGRAM % {"objects": args.pause_objects, "seconds": 6.0})
    results = {}
    for kind in ("memlens", "script"):
        res = os.path.join(tmp, "pause-%s.json" % kind)
        out = os.path.join(tmp, "pause-out", "snapshot.json")
        if kind == "memlens":
            env = helper_env(out, args.frames, True, "exact")
        else:
            env = clean_env()
            env["PYTHONTRACEMALLOC"] = str(args.frames)
        subprocess.run([args.python, script, kind, res], env=env, check=True, cwd=tmp)
        with open(res) as f:
            results[kind] = json.load(f)
        if kind == "memlens":
            with open(os.path.join(tmp, "pause-out", "snapshot-1.json")) as f:
                results[kind]["child"] = json.load(f)["processingSeconds"]
    m, s = results["memlens"], results["script"]
    print("\nSnapshot during the run, %s live dicts at %d frames:" % ("{:,}".format(args.pause_objects), args.frames))
    print("  MemLens: the program stopped %.0f ms at the mark (memory maps + fork); longest gap while the "
          "child wrote: %.0f ms (%.0f ms before); the child took %.2f s" % (
              m["mark"] * 1e3, m["after"] * 1e3, m["before"] * 1e3, m["child"]))
    print("  a tracemalloc script in the program's thread: take_snapshot() stopped it %.0f ms (%.0fx MemLens's "
          "pause), with statistics('lineno') %.0f ms (%.0fx)" % (
              s["take"] * 1e3, s["take"] / m["mark"], s["mark"] * 1e3, s["mark"] / m["mark"]))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--blocks", type=int, default=1_000_000)
    p.add_argument("--keep", help="copy the exact-mode million-block snapshot here (for load timing)")
    p.add_argument("--pause-objects", type=int, default=500_000, help="live objects of the snapshot-pause program")
    p.add_argument("--only-pause", action="store_true", help="run only the snapshot-pause measurement")
    p.add_argument("--quick", action="store_true",
                   help="the overhead table and fast mode's exit processing only (still fastest of --repeat)")
    p.add_argument("--exact-breakdown", action="store_true", help="also time exact mode with each part off")
    p.add_argument("--census-seconds", metavar="S",
                   help="the exit census's CPU bound in every MemLens run (0: off), to see tracking apart from it")
    p.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=WORKLOADS, metavar="NAME",
                   help="a subset of: " + " ".join(WORKLOADS))
    args = p.parse_args()
    global CENSUS_SECONDS
    CENSUS_SECONDS = args.census_seconds
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="memlens-bench-") as tmp:
        if not args.only_pause:
            overhead(args, tmp)
            if args.exact_breakdown:
                exact_breakdown(args, tmp)
            exit_processing(args, tmp, "fast")
            if not args.quick:
                out = exit_processing(args, tmp, "exact")
                if args.keep:
                    os.replace(out, args.keep)
        if not args.quick:
            snapshot_pause(args, tmp)
    print("\nbench.py took %.0f s; %s" % (time.perf_counter() - began, load()))


if __name__ == "__main__":
    main()
