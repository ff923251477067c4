"""MemLens benchmark: the helper's cost against plain Python and raw tracemalloc, same run.

For each workload: plain ``python``, raw ``python -X tracemalloc=N``, the helper with the peak
view on (the default) and off, all at the same frame depth N. Each is run ``--repeat`` times,
interleaved, and the fastest wall time kept. Prints the ratios and their geometric means, then
exit processing per million live blocks (with at least 10 000 distinct lines) and the snapshot's
size, then how long a snapshot taken during the run stops the program, against a tracemalloc
script's snapshot of the same heap. Usage: python3 bench/bench.py [--frames 8] [--repeat 3]
[--python PATH] [--blocks 1000000] [--pause-objects 500000] [--only-pause]
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


def timed(cmd, env):
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMLENS_", "PYTHONTRACEMALLOC"))}
    env.pop("PYTHONPATH", None)
    return env


def helper_env(out, frames, peak):
    env = clean_env()
    env.update(PYTHONPATH=HELPER, MEMLENS_OUT=out, MEMLENS_FRAMES=str(frames), MEMLENS_PEAK="1" if peak else "0")
    return env


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def overhead(args, tmp):
    print("Overhead at %d frames, fastest of %d runs (%s)" % (args.frames, args.repeat, args.python))
    print("'run' is the helper's wall time less its exit processing (the snapshot's processingSeconds);")
    print("'exit' is that processing, with the live blocks it processed.")
    head = ("workload", "plain", "raw", "helper", "no-peak", "raw/plain", "helper/raw", "nopeak/raw",
            "run/raw", "exit", "blocks")
    print("%-16s %8s %8s %8s %8s %10s %10s %10s %8s %7s %10s" % head)
    ratios = {k: [] for k in ("raw/plain", "helper/raw", "nopeak/raw", "helper/plain", "run/raw")}
    for name in WORKLOADS:
        script = os.path.join(HERE, "workloads", name + ".py")
        out = os.path.join(tmp, name + ".json")
        kinds = {
            "plain": ([args.python, script], clean_env()),
            "raw": ([args.python, "-X", "tracemalloc=%d" % args.frames, script], clean_env()),
            "helper": ([args.python, script], helper_env(out, args.frames, True)),
            "no-peak": ([args.python, script], helper_env(out, args.frames, False)),
        }
        best = {k: float("inf") for k in kinds}
        processing, blocks = 0.0, 0
        for _ in range(args.repeat):
            for k, (cmd, env) in kinds.items():
                t = timed(cmd, env)
                if k == "no-peak" and t < best[k]:
                    with open(out) as f:
                        doc = json.load(f)
                    processing, blocks = doc["processingSeconds"], doc["totals"]["blocks"]
                best[k] = min(best[k], t)
        r = {"raw/plain": best["raw"] / best["plain"], "helper/raw": best["helper"] / best["raw"],
             "nopeak/raw": best["no-peak"] / best["raw"], "helper/plain": best["helper"] / best["plain"],
             "run/raw": (best["no-peak"] - processing) / best["raw"]}
        for k, v in r.items():
            ratios[k].append(v)
        print("%-16s %7.2fs %7.2fs %7.2fs %7.2fs %9.2fx %9.2fx %9.2fx %7.2fx %6.2fs %10s" % (
            name, best["plain"], best["raw"], best["helper"], best["no-peak"], r["raw/plain"], r["helper/raw"],
            r["nopeak/raw"], r["run/raw"], processing, "{:,}".format(blocks)))
    print("%-16s %8s %8s %8s %8s %9.2fx %9.2fx %9.2fx %7.2fx" % (
        "geometric mean", "", "", "", "", geomean(ratios["raw/plain"]), geomean(ratios["helper/raw"]),
        geomean(ratios["nopeak/raw"]), geomean(ratios["run/raw"])))
    print("helper/plain geometric mean: %.2fx" % geomean(ratios["helper/plain"]))


def exit_processing(args, tmp):
    # The program of make-million.py: 100 functions of 100 lines (module-level code of 10 000
    # lines would measure tracemalloc's line-table scan of one huge code object instead).
    from importlib import import_module
    lines = 10_000
    script = os.path.join(tmp, "million.py")
    import_module("make-million").write_program(script, lines, max(1, args.blocks // lines))
    out = os.path.join(tmp, "million.json")
    timed([args.python, script], helper_env(out, args.frames, False))
    with open(out) as f:
        doc = json.load(f)
    blocks = doc["totals"]["blocks"]
    annotated = sum(len(f["lines"]) for f in doc["files"])
    print("\nExit processing: %d live blocks on %d annotated lines: %.2f s (%.2f s per million blocks); "
          "snapshot %.1f MB" % (blocks, annotated, doc["processingSeconds"],
                                doc["processingSeconds"] / blocks * 1e6, os.path.getsize(out) / 1e6))
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
            env = helper_env(out, args.frames, True)
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
    p.add_argument("--keep", help="copy the million-block snapshot here (for load timing)")
    p.add_argument("--pause-objects", type=int, default=500_000, help="live objects of the snapshot-pause program")
    p.add_argument("--only-pause", action="store_true", help="run only the snapshot-pause measurement")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="memlens-bench-") as tmp:
        if not args.only_pause:
            overhead(args, tmp)
            out = exit_processing(args, tmp)
            if args.keep:
                os.replace(out, args.keep)
        snapshot_pause(args, tmp)


if __name__ == "__main__":
    main()
