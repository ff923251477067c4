"""Snapshots while the program runs: ``sys.audit("memlens.snapshot", label)`` from the
program, ``takeSnapshot`` from the host on the channel, written by a forked child beside the exit
snapshot as ``snapshot-<seq>.json`` while the program runs on.

The host here is a Unix socket server of the test's own (``FakeHost``), speaking the protocol of
``src/protocol/channel.ts``. Figures are checked with the helper tests' tolerance (±5 % for
buffers of 1 MiB and more); writable memory is summed from the smaps text with a parser of the
test's own.
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

import pytest

from conftest import HELPER_DIR, FakeHost, MiB, Run

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="snapshots during a run need fork()")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/smaps is Linux's")

FIELD = re.compile(r"^(\w+):\s+(\d+) kB$")


def writable(smaps_text: str) -> int:
    """Private_Dirty of every mapping, bytes: the panel's writable memory."""
    total = 0
    for line in smaps_text.splitlines():
        m = FIELD.match(line)
        if m and m.group(1) == "Private_Dirty":
            total += int(m.group(2)) * 1024
    return total


def start(tmp_path: Path, source: str, python: str, env: Optional[dict] = None,
          host: Optional[FakeHost] = None) -> subprocess.Popen:
    """Starts ``prog.py`` under the helper, as the extension would; the snapshot goes to out/."""
    script = tmp_path / "prog.py"
    script.write_text(source, encoding="utf-8")
    full_env = dict(os.environ)
    full_env.update({"PYTHONPATH": str(HELPER_DIR), "MEMLENS_OUT": str(tmp_path / "out" / "snapshot.json")})
    if host is not None:
        full_env.update(host.env())
    full_env.update(env or {})
    return subprocess.Popen([python, str(script)], cwd=str(tmp_path), env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 180) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def snapshot(tmp_path: Path, seq: Optional[int] = None) -> Run:
    """The exit snapshot, or the one of ``seq``, as a ``Run`` for its line helpers."""
    name = "snapshot.json" if seq is None else "snapshot-%d.json" % seq
    doc = json.loads((tmp_path / "out" / name).read_text(encoding="ascii"))
    return Run(subprocess.CompletedProcess([], 0), doc, tmp_path / "prog.py")


def census_of(doc: dict, type_name: str) -> dict:
    return next((t for t in doc["census"]["types"] if t["type"] == type_name), {"count": 0, "bytes": 0})


LEAKS_PER_ROUND = """
import sys
import time

KiB = 1024
MiB = 1024 * KiB
blobs = []


class Chunk:
    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data


def churn():
    scratch = bytearray(8 * MiB)  # @temporary
    for i in range(0, len(scratch), 4096):
        scratch[i] = 1
    return len(scratch)


for round_no in range(1, 4):
    blobs.extend([Chunk(b"x" * (256 * KiB)) for _ in range(8)])  # @blobs
    churn()
    time.sleep(0.05)  # The watcher's held peak capture follows the growth: its pages get folded.
    sys.audit("memlens.snapshot", "round %d" % round_no)
    time.sleep(0.3)
"""


def test_a_leak_of_2_mib_a_round_shows_between_snapshots(tmp_path, python):
    proc = finish(start(tmp_path, LEAKS_PER_ROUND, python))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    runs = [snapshot(tmp_path, seq) for seq in (1, 2, 3)]
    exit_run = snapshot(tmp_path)
    for seq, run in enumerate(runs, 1):
        doc = run.doc
        assert (doc["kind"], doc["label"], doc["sequence"]) == ("snapshot", "round %d" % seq, seq)
        assert doc["program"]["end"] == {"kind": "snapshot"}
        assert doc["program"]["pid"] == exit_run.doc["program"]["pid"]
        assert doc["peak"]["method"] == "none" and all(not f["peakLines"] for f in doc["files"])
        assert run.line("temporary") is None, "the freed temporary is not live"
        assert doc["census"]["complete"]
        assert doc["gc"]["enabled"] is True
        assert "Small block threshold" in doc["pymallocStats"]
        markers = [m["label"] for m in doc["timeline"]["markers"] if m["kind"] == "snapshot"]
        assert markers == ["round %d" % n for n in range(1, seq + 1)]
    # The exit snapshot marks every snapshot taken during the run, then itself.
    assert [m["label"] for m in exit_run.doc["timeline"]["markers"] if m["kind"] == "snapshot"] == [
        "round 1", "round 2", "round 3", "exit snapshot"]
    for before, after in zip(runs, runs[1:]):
        grown = after.bytes_at("blobs") - before.bytes_at("blobs")
        assert abs(grown - 2 * MiB) <= 0.05 * 2 * MiB, grown
        # Nothing big grows elsewhere, on any line of any file.
        def by_line(run):
            return {(f["path"], r["line"]): r["bytes"] for f in run.doc["files"] for r in f["lines"]}
        b, a = by_line(before), by_line(after)
        blobs_key = (os.path.realpath(str(tmp_path / "prog.py")), before.line_of("blobs"))
        elsewhere = sum(a.get(k, 0) - b.get(k, 0) for k in set(a) | set(b) if k != blobs_key)
        assert abs(elsewhere) < 64 * 1024, elsewhere
        assert census_of(after.doc, "__main__.Chunk")["count"] - census_of(before.doc, "__main__.Chunk")["count"] == 8
        grown_bytes = census_of(after.doc, "bytes")["bytes"] - census_of(before.doc, "bytes")["bytes"]
        assert abs(grown_bytes - 2 * MiB) <= 0.05 * 2 * MiB, grown_bytes
        if sys.platform.startswith("linux"):
            grown_writable = writable(after.doc["process"]["smaps"]) - writable(before.doc["process"]["smaps"])
            assert grown_writable >= 1.9 * MiB, grown_writable


def test_the_host_asks_for_a_snapshot_on_the_channel(tmp_path, python, host):
    source = """
import os, sys, time
MiB = 1024 * 1024
keep = []
deadline = time.monotonic() + 60
while not os.path.exists("stop") and time.monotonic() < deadline:
    keep.append(bytearray(64 * 1024))  # @loop
    if len(keep) > 64:
        keep.pop(0)
        open("looping", "w").close()
    time.sleep(0.001)
"""
    proc = start(tmp_path, source, python, host=host)
    try:
        host.wait_for(lambda m: m["type"] == "started")
        # The helper listens from its start, before the program runs: wait until it loops.
        while not (tmp_path / "looping").exists() and proc.poll() is None:
            time.sleep(0.01)
        # Lines that are not requests are ignored, and the reader goes on.
        host.send_line(b"not json\n[1, 2]\n" + json.dumps({"type": "takeSnapshot"}).encode() + b"\n")
        host.send_line(b'{"type": "takeSnap')  # A request split across writes.
        host.send_line(b'shot", "id": 41, "label": "from the host"}\n')
        written = host.wait_for(lambda m: m["type"] == "snapshotWritten" and m["kind"] == "snapshot")
        host.send({"type": "takeSnapshot", "id": 42})
        second = host.wait_for(lambda m: m["type"] == "snapshotWritten" and m.get("id") == 42)
    finally:
        (tmp_path / "stop").write_text("")
        proc = finish(proc)
    assert proc.returncode == 0, proc.stderr
    started = host.of_type("snapshotStarted")
    assert [(m["seq"], m.get("id"), m.get("label")) for m in started] == [(1, 41, "from the host"), (2, 42, None)]
    assert 0 < started[0]["t"] < started[1]["t"]
    assert written == {"type": "snapshotWritten", "path": str(tmp_path / "out" / "snapshot-1.json"),
                       "kind": "snapshot", "seconds": written["seconds"], "seq": 1, "id": 41,
                       "label": "from the host"}
    assert second["seq"] == 2 and "label" not in second
    assert host.of_type("snapshotFailed") == []
    run = snapshot(tmp_path, 1)
    assert (run.doc["label"], run.doc["sequence"]) == ("from the host", 1)
    assert 64 * 64 * 1024 <= run.bytes_at("loop") <= 66 * 64 * 1024
    # Each snapshot's messages come before the run's last one.
    types = [m["type"] for m in host.messages]
    assert types[-1] == "finished" and types.index("finished") > types.index("snapshotWritten")


def test_the_program_runs_on_while_a_big_heap_is_snapshot(tmp_path, python, host):
    # 500 000 live objects; the loop measures the longest gap between its iterations from just
    # before its own snapshot until the host's snapshot (taken from the channel's thread) is written.
    source = """
import json, os, sys, time
objects = [{"i": i} for i in range(500000)]  # @objects
gaps = {}
def longest_gap(until):
    worst = 0.0
    last = time.perf_counter()
    deadline = time.monotonic() + 120
    while not until() and time.monotonic() < deadline:
        now = time.perf_counter()
        worst = max(worst, now - last)
        last = now
        sum(range(200))
    return max(worst, time.perf_counter() - last)
began = time.perf_counter()
sys.audit("memlens.snapshot", "big heap")
gaps["audit call"] = time.perf_counter() - began
gaps["while the program's snapshot is written"] = longest_gap(lambda: os.path.exists("first-written"))
open("ready", "w").close()
gaps["while the host's snapshot is written"] = longest_gap(lambda: os.path.exists("stop"))
print(json.dumps(gaps))
"""
    proc = start(tmp_path, source, python, host=host)
    try:
        first = host.wait_for(lambda m: m["type"] in ("snapshotWritten", "snapshotFailed"), timeout=120)
        (tmp_path / "first-written").write_text("")
        while not (tmp_path / "ready").exists():
            time.sleep(0.01)
        host.send({"type": "takeSnapshot", "id": 1})
        second = host.wait_for(lambda m: m.get("id") == 1 and m["type"] != "snapshotStarted", timeout=120)
    finally:
        (tmp_path / "stop").write_text("")
        proc = finish(proc)
    assert proc.returncode == 0, proc.stderr
    assert first["type"] == second["type"] == "snapshotWritten", (first, second)
    gaps = json.loads(proc.stdout)
    print("\n%s: pause of a 500 000-object program: %s; snapshot written in %.2f s and %.2f s" % (
        python, ", ".join("%s %.1f ms" % (k, v * 1000) for k, v in gaps.items()),
        first["seconds"], second["seconds"]))
    assert max(gaps.values()) < 0.5, gaps
    run = snapshot(tmp_path, 1)
    assert run.line("objects")["blocks"] >= 500000


THREADED = """
import os, sys, threading, time
MiB = 1024 * 1024
held = []

def worker(n):
    held.append(bytearray(MiB * n))  # @worker
    sys.audit("memlens.snapshot", "from thread %d" % n)

threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
# At most two snapshots are written at once: the third waits for the first two.
while not (os.path.exists("out/snapshot-1.json") and os.path.exists("out/snapshot-2.json")):
    time.sleep(0.01)
time.sleep(0.2)
main = bytearray(3 * MiB)  # @main
sys.audit("memlens.snapshot")
time.sleep(0.2)
"""


def test_threads_can_take_snapshots_and_a_label_is_optional(tmp_path, python):
    proc = finish(start(tmp_path, THREADED, python))
    assert proc.returncode == 0, proc.stderr
    labels = set()
    for seq in (1, 2):
        run = snapshot(tmp_path, seq)
        labels.add(run.doc["label"])
        assert run.bytes_at("worker") >= MiB
    assert labels == {"from thread 1", "from thread 2"}
    third = snapshot(tmp_path, 3)
    assert "label" not in third.doc and third.doc["sequence"] == 3
    assert abs(third.bytes_at("worker") - 3 * MiB) <= 0.05 * 3 * MiB
    assert abs(third.bytes_at("main") - 3 * MiB) <= 0.05 * 3 * MiB
    markers = [m["label"] for m in third.doc["timeline"]["markers"] if m["kind"] == "snapshot"]
    assert markers[-1] == "snapshot 3"


BURST = """
import sys, time
objects = [{"i": i} for i in range(200000)]
for n in range(3):
    sys.audit("memlens.snapshot", "burst %d" % n)
time.sleep(0.1)
"""


def test_the_programs_third_snapshot_waits_for_one_of_two_to_be_written(tmp_path, python, host):
    proc = finish(start(tmp_path, BURST, python, host=host))
    assert proc.returncode == 0, proc.stderr
    assert host.of_type("snapshotFailed") == []
    types = [(m["type"], m.get("seq")) for m in host.messages if m["type"].startswith("snapshot") and m.get("kind") != "exit"]
    # Two are written at once; the program's third asks only once one of them is written.
    third = types.index(("snapshotStarted", 3))
    assert any(t == "snapshotWritten" and seq in (1, 2) for t, seq in types[:third]), types
    for seq in (1, 2, 3):
        assert snapshot(tmp_path, seq).doc["label"] == "burst %d" % (seq - 1)


HOST_BURST = """
import os, time
objects = [{"i": i} for i in range(200000)]
open("looping", "w").close()
while not os.path.exists("stop"):
    time.sleep(0.01)
"""


def test_the_hosts_third_request_is_refused_while_two_are_written(tmp_path, python, host):
    proc = start(tmp_path, HOST_BURST, python, host=host)
    try:
        host.wait_for(lambda m: m["type"] == "started")
        while not (tmp_path / "looping").exists() and proc.poll() is None:
            time.sleep(0.01)
        for req in (1, 2, 3):
            host.send({"type": "takeSnapshot", "id": req})
        failed = host.wait_for(lambda m: m["type"] == "snapshotFailed")
        host.wait_for(lambda m: m["type"] == "snapshotWritten" and m.get("id") == 2, timeout=120)
        host.wait_for(lambda m: m["type"] == "snapshotWritten" and m.get("id") == 1, timeout=120)
    finally:
        (tmp_path / "stop").write_text("")
        proc = finish(proc)
    assert proc.returncode == 0, proc.stderr
    assert (failed["id"], failed["seq"]) == (3, 3)
    assert "at most 2 at a time" in failed["error"]
    assert not (tmp_path / "out" / "snapshot-3.json").exists()


def test_without_a_host_files_are_written_and_refusals_go_to_stderr(tmp_path, python):
    source = """
import atexit, sys
atexit.register(sys.audit, "memlens.snapshot", "in atexit")
sys.audit("memlens.snapshot", "first")
"""
    proc = finish(start(tmp_path, source, python))
    assert proc.returncode == 0
    assert snapshot(tmp_path, 1).doc["label"] == "first"
    # Where the interpreter refuses to fork at shutdown, the refusal goes to the program's stderr.
    assert (tmp_path / "out" / "snapshot-2.json").exists() or "MemLens: snapshot 2 was not written" in proc.stderr


def test_a_snapshot_in_an_atexit_handler_is_written_or_says_why_not(tmp_path, python):
    source = """
import atexit, sys
keep = bytearray(2 * 1024 * 1024)
atexit.register(sys.audit, "memlens.snapshot", "in atexit")
"""
    proc = finish(start(tmp_path, source, python))
    assert proc.returncode == 0, proc.stderr
    # Python 3.12 refuses to fork once atexit handlers run; 3.13 allows it again there.
    if (tmp_path / "out" / "snapshot-1.json").exists():
        assert proc.stderr == ""
        assert snapshot(tmp_path, 1).doc["label"] == "in atexit"
    else:
        assert "refuses to fork while the interpreter shuts down" in proc.stderr
        assert "Python 3.12 " in proc.stderr
    assert snapshot(tmp_path).doc["kind"] == "exit"


def test_nothing_happens_when_the_program_is_not_profiled(tmp_path, python):
    script = tmp_path / "prog.py"
    script.write_text('import sys\nsys.audit("memlens.snapshot", "x")\nsys.audit("memlens.snapshot")\nprint("ok")\n')
    for env in ({}, {"PYTHONPATH": str(HELPER_DIR)}):
        full_env = {k: v for k, v in os.environ.items() if (not k.startswith("MEMLENS_") or k == "MEMLENS_MODE") and k != "PYTHONPATH"}
        full_env.update(env)
        proc = subprocess.run([python, str(script)], cwd=str(tmp_path), env=full_env, capture_output=True, text=True)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "ok\n", "")
    assert sorted(os.listdir(str(tmp_path))) == ["prog.py"]


KEEPS_64_MIB = """
import sys, time
MiB = 1024 * 1024
keep = bytearray(64 * MiB)
for i in range(0, len(keep), 4096):
    keep[i] = 1
# With the peak view on, the watcher holds a capture of the growth to here (a step of 50 % above
# the capture taken at `keep`), forked after the pages of `keep` were written (the one forked
# while they were written shares few of them).
more = bytearray(40 * MiB)
for i in range(0, len(more), 4096):
    more[i] = 1
time.sleep(0.1)
sys.audit("memlens.snapshot", "alone")
sys.audit("memlens.snapshot", "beside the first")
time.sleep(0.2)
"""


@linux_only
def test_writable_memory_is_the_same_with_a_helper_child_alive(tmp_path, python):
    figures = {}
    for peak in ("0", "1"):
        folder = tmp_path / ("peak" + peak)
        folder.mkdir()
        proc = finish(start(folder, KEEPS_64_MIB, python, env={"MEMLENS_PEAK": peak}))
        assert proc.returncode == 0, proc.stderr
        for seq in (1, 2):
            process = snapshot(folder, seq).doc["process"]
            figures[(peak, seq)] = (writable(process["smaps"]), process.get("sharedDirtyFolded", 0))
        figures[(peak, "exit")] = (writable(snapshot(folder).doc["process"]["smaps"]), 0)
    print("\n%s: writable memory / folded, MiB: %s" % (python, ", ".join(
        "peak=%s #%s %.1f/%.1f" % (k[0], k[1], w / MiB, f / MiB) for k, (w, f) in sorted(figures.items(), key=str))))
    # No helper child alive: nothing to fold.
    assert figures[("0", 1)][1] == 0
    # The first snapshot's child shares the pages when the second is taken; the held peak child,
    # when the peak view is on: the buffer is folded back.
    assert figures[("0", 2)][1] >= 80 * MiB and figures[("1", 2)][1] >= 80 * MiB
    # The held capture was forked when `more` was allocated, before its pages were written.
    assert figures[("1", 1)][1] >= 64 * MiB
    reference = figures[("0", 1)][0]
    assert reference >= 84 * MiB
    for key, (w, _) in figures.items():
        assert abs(w - reference) <= 0.03 * reference, (key, w, reference)


def test_stopping_while_a_snapshot_is_written_keeps_the_exit_snapshot(tmp_path, python, host):
    # Stop sends SIGINT, then SIGTERM 3 s later: the exit snapshot must not wait for a snapshot's
    # child (a big heap takes seconds), and a second signal must not cost the exit snapshot.
    source = """
import sys, time
objects = [{"i": i} for i in range(700000)]
sys.audit("memlens.snapshot", "big")
open("marked", "w").close()
while True:
    time.sleep(0.1)
"""
    proc = start(tmp_path, source, python, host=host)
    try:
        while not (tmp_path / "marked").exists() and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)
    finally:
        proc = finish(proc)
    assert snapshot(tmp_path).doc["kind"] == "exit"
    answered = host.of_type("snapshotWritten", "snapshotFailed")
    assert any(m.get("seq") == 1 for m in answered), host.messages
    failed = [m for m in answered if m["type"] == "snapshotFailed"]
    assert all("stopped while this snapshot was being written" in m["error"] for m in failed)


def test_a_child_the_program_forks_leaves_the_run_alone(tmp_path, python, host):
    source = """
import os, sys, time
keep = bytearray(3 * 1024 * 1024)  # @keep
pid = os.fork()
if pid == 0:
    sys.exit(0)  # The child's exit runs the inherited atexit handlers.
os.waitpid(pid, 0)
sys.audit("memlens.snapshot", "after the child")
time.sleep(0.2)
"""
    proc = finish(start(tmp_path, source, python, host=host))
    assert proc.returncode == 0, proc.stderr
    assert [m["type"] for m in host.messages].count("finished") == 1
    assert host.of_type("snapshotWritten")[0]["label"] == "after the child"
    exit_doc = snapshot(tmp_path).doc
    assert exit_doc["program"]["pid"] == host.of_type("started")[0]["pid"]


@pytest.mark.parametrize("handling", ["ignored", "reaper"])
def test_snapshots_work_when_the_program_handles_sigchld(tmp_path, python, host, handling):
    source = """
import os, signal, sys, time
if %r == "ignored":
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
else:
    def reap(signum, frame):
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
    signal.signal(signal.SIGCHLD, reap)
keep = bytearray(2 * 1024 * 1024)  # @keep
sys.audit("memlens.snapshot", "one")
time.sleep(1)
""" % handling
    proc = finish(start(tmp_path, source, python, host=host))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert [m["label"] for m in host.of_type("snapshotWritten") if m["kind"] == "snapshot"] == ["one"]
    assert abs(snapshot(tmp_path, 1).bytes_at("keep") - 2 * MiB) <= 0.05 * 2 * MiB
    assert snapshot(tmp_path).doc["kind"] == "exit"
