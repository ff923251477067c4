"""The fast mode end to end: the helper started by ``sitecustomize`` with ``MEMLENS_MODE=fast``
runs the native sampler, and its snapshots (exit, peak, during the run) hold estimated figures
with the samples behind them. Ground truth: the sizes the programs allocate, and the exact mode's
figures for the same program. Also the light mode, and the fallback to the exact mode where the
native module cannot load.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HELPER_DIR, MiB, run_profiled, undeclared_fields

FAST = {"MEMLENS_MODE": "fast"}

BUFFER_AND_SPIKE = """
import time
kept = bytearray(40 * 1024 * 1024)  # @kept
def spike():
    t0 = time.perf_counter()
    temporary = bytes(64 * 1024 * 1024)  # @spike
    del temporary
    return time.perf_counter() - t0
lived = spike()
# Usually well under a millisecond; a loaded machine may stretch it, and what matters is that
# it is shorter than the exact mode's 5 ms poll, which never sees it.
assert lived < 0.005, lived
"""


def test_a_40_mib_buffer_is_on_its_line_and_a_64_mib_spike_is_in_the_peak_view(tmp_path, python):
    run = run_profiled(tmp_path, BUFFER_AND_SPIKE, python=python, env=FAST)
    assert run.proc.returncode == 0, run.proc.stderr
    doc = run.doc
    assert doc["settings"]["mode"] == "fast" and doc["settings"]["sampleInterval"] == 8192
    assert doc["settings"]["frames"] == 64 and "modeNote" not in doc["settings"]
    kept = run.line("kept")
    assert abs(kept["bytes"] - 40 * MiB) <= 0.02 * 40 * MiB, kept
    assert kept["samples"] >= 1 and kept["blocks"] == 1 and kept["paths"][0]["samples"] >= 1
    # A buffer that lived under a millisecond: in the peak view, on its line, and not at exit.
    assert run.bytes_at("spike", "peakLines") >= 0.9 * 64 * MiB
    assert run.bytes_at("spike", "lines") == 0
    peak = doc["peak"]
    assert peak["method"] == "sampler" and peak["margin"] == 0.01 and peak["captures"] >= 2, peak
    assert peak["stepBytes"] is None and peak["pollSeconds"] is None
    assert 0 < peak["capturedAt"] < doc["totals"]["wallSeconds"]
    assert doc["totals"]["tracedPeak"] >= peak["capturedTraced"] >= 0.9 * 104 * MiB
    assert doc["totals"]["samples"] >= 1


SMALL_OBJECTS = """
def build():
    return [(str(i) * 3, {"k": i}, (i, i + 1)) for i in range(40000)]  # @build
data = build()
"""


def test_small_objects_on_a_line_agree_with_the_exact_mode(tmp_path, python):
    """About 16 MiB of tuples, dicts and strings: the relative error of a line is about
    sqrt(8 KiB / 16 MiB) = 2 %, so 10 % is five standard errors; the seed is random, as for users."""
    fast = run_profiled(tmp_path / "fast", SMALL_OBJECTS, python=python, env=FAST)
    exact = run_profiled(tmp_path / "exact", SMALL_OBJECTS, python=python, env={"MEMLENS_MODE": "exact"})
    assert fast.proc.returncode == 0 and exact.proc.returncode == 0, (fast.proc.stderr, exact.proc.stderr)
    truth = exact.line("build")
    estimate = fast.line("build")
    assert truth["bytes"] >= 4 * MiB
    assert abs(estimate["bytes"] / truth["bytes"] - 1) <= 0.10, (estimate["bytes"], truth["bytes"])
    assert abs(estimate["blocks"] / truth["blocks"] - 1) <= 0.10, (estimate["blocks"], truth["blocks"])
    assert estimate["samples"] > 500


# A library (its folder is named site-packages, so it is not the user's code) that calls itself
# 20 times before it parses: the user's line is more than 20 frames above the allocations.
DEEP_LIBRARY = '''
import json
import xml.etree.ElementTree as ET

def parse_json(text, depth=20):
    return json.loads(text) if depth == 0 else parse_json(text, depth - 1)

def parse_xml(text, depth=20):
    return ET.fromstring(text) if depth == 0 else parse_xml(text, depth - 1)
'''

DEEP_PROGRAM = """
import sys
sys.path.insert(0, sys.argv[1])
import deeplib
JSON = "[" + ",".join('{"id": %d, "name": "item %d"}' % (i, i) for i in range(40000)) + "]"
XML = "<root>" + "".join('<item id="%d">value %d</item>' % (i, i) for i in range(30000)) + "</root>"
rows = deeplib.parse_json(JSON)  # @json
tree = deeplib.parse_xml(XML)  # @xml
"""


def test_allocations_inside_json_and_xml_reach_the_users_line_20_frames_above(tmp_path, python):
    lib = tmp_path / "lib" / "site-packages"
    lib.mkdir(parents=True)
    (lib / "deeplib.py").write_text(DEEP_LIBRARY)
    run = run_profiled(tmp_path / "prog", DEEP_PROGRAM, python=python, env=FAST, args=[str(lib)],
                       roots=[str(tmp_path)])
    assert run.proc.returncode == 0, run.proc.stderr
    for marker in ("json", "xml"):
        row = run.line(marker)
        assert row is not None and row["bytes"] > 3 * MiB and not row.get("noUserFrame"), (marker, row)
    library = [f for f in run.doc["files"] if f["path"].endswith("deeplib.py")]
    # Nothing of the parsed data is left on the library's lines.
    assert sum(line["bytes"] for f in library for line in f["lines"]) < 64 * 1024


LEAK = """
import sys
cache = []
def handle(round_):
    cache.append([bytes(4096) for _ in range(512)])  # @leak
for round_ in range(8):
    handle(round_)
    if round_ in (2, 6):
        sys.audit("memlens.snapshot", "round %d" % round_)
"""


def test_a_leak_of_2_mib_per_round_shows_between_two_snapshots_within_15_percent(tmp_path, python):
    run = run_profiled(tmp_path, LEAK, python=python, env=FAST)
    assert run.proc.returncode == 0, run.proc.stderr
    out = tmp_path / "out"
    first, second = (json.loads((out / ("snapshot-%d.json" % n)).read_text()) for n in (1, 2))
    for doc in (first, second):
        assert undeclared_fields(doc) == []
        assert doc["kind"] == "snapshot" and doc["settings"]["mode"] == "fast"
        assert doc["peak"]["method"] == "none" and doc["peak"]["stepBytes"] is None

    def leak_bytes(doc):
        script = str(run.script.resolve())
        line = run.line_of("leak")
        return sum(l["bytes"] for f in doc["files"] if f["path"] == script for l in f["lines"] if l["line"] == line)
    growth = leak_bytes(second) - leak_bytes(first)
    truth = 4 * 512 * 4096  # four rounds between the snapshots
    assert abs(growth / truth - 1) <= 0.15, (growth, truth)
    # The exit snapshot holds the eight rounds.
    assert abs(run.bytes_at("leak") / (8 * 512 * 4096) - 1) <= 0.15


def test_the_program_is_stopped_by_sigterm_and_keeps_both_views(tmp_path):
    source = """
import os, signal
kept = bytearray(16 * 1024 * 1024)  # @kept
os.kill(os.getpid(), signal.SIGTERM)
"""
    run = run_profiled(tmp_path, source, env=FAST)
    assert run.proc.returncode == -15, run.proc.stderr
    assert run.doc["program"]["end"] == {"kind": "signal", "signal": "SIGTERM"}
    assert abs(run.bytes_at("kept") - 16 * MiB) <= 0.02 * 16 * MiB
    assert run.bytes_at("kept", "peakLines") >= 0.98 * 16 * MiB


def test_exit_processing_does_not_grow_with_the_live_blocks(tmp_path):
    """A million small live objects: the exit's views are read from the sampler's per-stack
    tables, so processing them takes as long as for a few (the census, bounded in time, is
    turned off here: it walks objects by design)."""
    source = """
import sys
n = int(sys.argv[1])
held = [(i, str(i)) for i in range(n)]  # @held
"""
    seconds = {}
    for n in (1000, 1000000):
        run = run_profiled(tmp_path / str(n), source, args=[str(n)],
                           env=dict(FAST, MEMLENS_CENSUS_SECONDS="0"), timeout=300)
        assert run.proc.returncode == 0, run.proc.stderr
        seconds[n] = run.doc["processingSeconds"]
        assert run.line("held")["blocks"] > n
    assert seconds[1000000] <= 0.2, seconds
    assert seconds[1000000] <= seconds[1000] + 0.1, seconds


def test_the_light_mode_tracks_no_allocation_and_keeps_the_process_figures(tmp_path):
    source = """
import colorsys
kept = bytearray(32 * 1024 * 1024)
for i in range(32 * 1024 * 1024 // 4096):
    kept[i * 4096] = 1  # touch every page
"""
    run = run_profiled(tmp_path, source, env={"MEMLENS_MODE": "light", "MEMLENS_TIMELINE_MS": "10"})
    assert run.proc.returncode == 0, run.proc.stderr
    doc = run.doc
    assert doc["settings"]["mode"] == "light" and doc["settings"]["frames"] == 0
    assert all(not f["lines"] and not f["peakLines"] for f in doc["files"])
    assert doc["totals"]["tracedCurrent"] == 0 and doc["totals"]["tracedPeak"] is None
    assert doc["peak"]["method"] == "none"
    assert "Private_Dirty" in doc["process"]["smaps"]
    assert doc["totals"]["rss"] >= 32 * MiB
    assert any(s["privateDirty"] and s["privateDirty"] >= 32 * MiB for s in doc["timeline"]["samples"]), doc["timeline"]
    assert any(i["module"] == "colorsys" for i in doc["imports"]), doc["imports"]
    assert doc["census"]["objects"] > 0


def test_without_the_native_module_the_exact_mode_runs_and_says_why_once(tmp_path, host):
    """The helper as it would be where no module was built for this Python: a copy without
    ``_built``."""
    helper = tmp_path / "helper"
    shutil.copytree(str(HELPER_DIR), str(helper), ignore=shutil.ignore_patterns("_built", "tests", "__pycache__"))
    script = tmp_path / "prog.py"
    script.write_text("kept = bytearray(8 * 1024 * 1024)\n")
    out = tmp_path / "out" / "snapshot.json"
    env = dict(__import__("os").environ, PYTHONPATH=str(helper), MEMLENS_OUT=str(out), **FAST, **host.env())
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["settings"]["mode"] == "exact"
    note = doc["settings"]["modeNote"]
    assert note.startswith("The fast mode cannot run here (no sampler module built for Python %d.%d"
                           % sys.version_info[:2]), note
    assert note.endswith("so MemLens traced every allocation with tracemalloc (exact mode) instead."), note
    started = host.wait_for(lambda m: m["type"] == "started")
    assert started["mode"] == "exact" and started["modeNote"] == note and "sampleInterval" not in started
    # With a host, the sentence is the host's to show: nothing in the program's own output.
    assert "fast mode" not in proc.stderr
    without_host = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                                  env=dict(__import__("os").environ, PYTHONPATH=str(helper), MEMLENS_OUT=str(out),
                                           **FAST))
    assert without_host.stderr.count("The fast mode cannot run here") == 1, without_host.stderr


def test_the_started_message_names_the_mode_and_the_interval(tmp_path, host):
    run = run_profiled(tmp_path, "x = bytearray(1024)\n", env=dict(FAST, MEMLENS_SAMPLE_INTERVAL="65536", **host.env()))
    assert run.proc.returncode == 0, run.proc.stderr
    started = host.wait_for(lambda m: m["type"] == "started")
    assert (started["mode"], started["sampleInterval"], started["frames"]) == ("fast", 65536, 64)
    assert run.doc["settings"]["sampleInterval"] == 65536


@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="Debian's python3 is not installed")
def test_numpy_arrays_are_on_the_lines_that_made_them(tmp_path):
    has_numpy = subprocess.run(["/usr/bin/python3", "-c", "import numpy"], capture_output=True).returncode == 0
    if not has_numpy:
        pytest.skip("Debian's python3-numpy is not installed")
    source = """
import numpy as np
ones = np.ones(5 * 1024 * 1024)  # @ones
zeros = np.zeros((1024, 1024))  # @zeros
gone = np.empty(4 * 1024 * 1024); del gone
"""
    run = run_profiled(tmp_path, source, python="/usr/bin/python3", env=FAST)
    assert run.proc.returncode == 0, run.proc.stderr
    assert abs(run.bytes_at("ones") - 40 * MiB) <= 0.02 * 40 * MiB
    assert abs(run.bytes_at("zeros") - 8 * MiB) <= 0.02 * 8 * MiB
    assert "modeNote" not in run.doc["settings"]
