"""MemLens benchmark input: a program whose exit snapshot holds about a million live blocks on
10 000 distinct annotated lines, profiled by the helper (exit view only, MEMLENS_PEAK=0).

The program has 100 functions of 100 lines (each called right after its definition); line j keeps
46-145 small ints, their list, a tuple and a bytearray of 0-2999 bytes alive, so lines differ in
size and block count the way real annotations do (most annotation texts are distinct), about 100
blocks a line. Writes DIR/million.py and DIR/million.json, leaves both there, prints the figures.
Usage: python3 bench/make-million.py [--out DIR] [--lines 10000] [--per-line 100] [--frames 8]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import helper_env  # noqa: E402  (same environment as bench.py's runs)

PER_FUNCTION = 100


def write_program(path, lines, per_line):
    """Writes the program; returns the 1-based source lines that allocate."""
    annotated = []
    out = ["held = []", ""]
    for j in range(lines):
        if j % PER_FUNCTION == 0:
            out.append("def f%d():" % (j // PER_FUNCTION))
        # per_line blocks on average: ints (count), their list, the tuple, the bytearray (+ buffer).
        count = per_line - 54 + (j * 37) % 100
        out.append("    held.append(([%d + i for i in range(%d)], bytearray(%d)))" % (1000 + j, count, (j * 7919) % 3000))
        annotated.append(len(out))
        if j % PER_FUNCTION == PER_FUNCTION - 1 or j == lines - 1:
            out.append("f%d()" % (j // PER_FUNCTION))
            out.append("")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return annotated


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", help="folder to write into (default: a new temp folder, kept)")
    p.add_argument("--lines", type=int, default=10_000)
    p.add_argument("--per-line", type=int, default=100)
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--python", default=sys.executable)
    args = p.parse_args()
    out_dir = os.path.realpath(args.out or tempfile.mkdtemp(prefix="memlens-million-"))
    os.makedirs(out_dir, exist_ok=True)
    program = os.path.join(out_dir, "million.py")
    snapshot = os.path.join(out_dir, "million.json")
    write_program(program, args.lines, args.per_line)

    t0 = time.perf_counter()
    subprocess.run([args.python, program], cwd=out_dir, env=helper_env(snapshot, args.frames, False),
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    with open(snapshot) as f:
        doc = json.load(f)
    user = [f for f in doc["files"] if f["path"] == program]
    annotated = len(user[0]["lines"]) if user else 0
    print("make-million: %s" % out_dir)
    print("  program      %s (%d lines, %d functions)" % (program, sum(1 for _ in open(program)),
                                                          len(user[0].get("scopes", [])) if user else 0))
    print("  snapshot     %s (%.1f MB)" % (snapshot, os.path.getsize(snapshot) / 1e6))
    print("  live blocks  %d (traced %.1f MB)" % (doc["totals"]["blocks"], doc["totals"]["tracedCurrent"] / 1e6))
    print("  annotated lines in million.py: %d (all files: %d)" % (annotated, sum(len(f["lines"]) for f in doc["files"])))
    print("  helper processingSeconds %.2f s; whole profiled run %.2f s (frames %d, peak off)"
          % (doc["processingSeconds"], wall, args.frames))


if __name__ == "__main__":
    main()
