"""What the fast mode's native sampler costs: bench.py's five workloads run plain and with the
sampler started (``memlens_native.start``) at each sampling interval, fastest of --repeat runs,
interleaved, in the same run; prints each time ratio against plain, their geometric mean, and
the peak RSS ratio. Both sides run through the same launcher (it imports the sampler's package
and runs the workload with runpy), so the ratio is the hooks' cost alone.

    python3 bench/native_overhead.py [--python python3.11] [--repeat 3] [--interval 8192 65536]
"""
import argparse
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HELPER = os.path.join(os.path.dirname(HERE), "python-helper")
WORKLOADS = ["small_objects", "json_roundtrip", "elementtree", "text_processing", "minidom_parse"]
LAUNCHER = """import runpy, sys, memlens_native
interval = int(sys.argv[1])
if interval:
    memlens_native.start(interval=interval, seed=1)
runpy.run_path(sys.argv[2], run_name="__main__")
"""


def timed(python, interval, script):
    """Wall seconds and peak RSS (KiB) of one run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMLENS_", "PYTHONTRACEMALLOC"))}
    env["PYTHONPATH"] = HELPER
    import time
    t0 = time.perf_counter()
    proc = subprocess.Popen([python, "-c", LAUNCHER, str(interval), script], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status
    if proc.returncode != 0:
        sys.exit("%s failed under interval %d" % (script, interval))
    return seconds, usage.ru_maxrss


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--interval", type=int, nargs="+", default=[8192, 65536])
    args = parser.parse_args()
    probe = subprocess.run([args.python, "-c", "import memlens_native as m; print(m.unavailable() or '')"],
                           env={"PYTHONPATH": HELPER}, capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip():
        sys.exit("the sampler cannot run under %s: %s%s" % (args.python, probe.stdout.strip(), probe.stderr.strip()))
    kinds = [0] + args.interval
    print("Native sampler against plain, fastest of %d, %s" % (args.repeat, args.python))
    print("%-16s %8s " % ("workload", "plain") + " ".join("%10s" % ("S=%d" % s) for s in args.interval)
          + " " + " ".join("%10s" % ("rss S=%d" % s) for s in args.interval))
    ratios = {s: [] for s in args.interval}
    rss_ratios = {s: [] for s in args.interval}
    for name in WORKLOADS:
        script = os.path.join(HERE, "workloads", name + ".py")
        best = {k: float("inf") for k in kinds}
        rss = {k: 0 for k in kinds}
        for _ in range(args.repeat):
            for k in kinds:
                seconds, maxrss = timed(args.python, k, script)
                best[k] = min(best[k], seconds)
                rss[k] = max(rss[k], maxrss)
        for s in args.interval:
            ratios[s].append(best[s] / best[0])
            rss_ratios[s].append(rss[s] / rss[0])
        print("%-16s %7.2fs " % (name, best[0]) + " ".join("%9.3fx" % (best[s] / best[0]) for s in args.interval)
              + " " + " ".join("%9.3fx" % (rss[s] / rss[0]) for s in args.interval))
    print("%-16s %8s " % ("geomean", "") + " ".join("%9.3fx" % geomean(ratios[s]) for s in args.interval)
          + " " + " ".join("%9.3fx" % geomean(rss_ratios[s]) for s in args.interval))


if __name__ == "__main__":
    main()
