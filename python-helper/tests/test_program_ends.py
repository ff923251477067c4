"""How a program's end is recorded when it does something unusual: it replaces itself
with ``os.exec*``, stops tracing itself, changes folder, raises an exception that cannot be
printed, or leaves no room for the snapshot.
"""
import os
import resource
import subprocess
import sys

import pytest

from conftest import HELPER_DIR, FakeHost, MiB, run_profiled

posix_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")

EXECS = r"""
import os, sys
x = bytearray(4 << 20)  # @held
os.chdir("sub")
sys.stdout.flush()
# execvp tries each folder of PATH: the misses must not be taken for the exec.
os.environ["PATH"] = os.pathsep.join(["/no/such/folder", os.path.dirname(sys.executable)])
os.execvp(os.path.basename(sys.executable), [sys.executable, "-c",
          "import os, sys; print(os.environ.get('PYTHONPATH'), 'memlens_helper' in sys.modules, "
          "sorted(k for k in os.environ if k.startswith('MEMLENS_')))"])
"""


def test_exec_writes_the_exit_snapshot_first_and_the_new_program_runs_unprofiled(tmp_path, python):
    (tmp_path / "sub").mkdir()
    run = run_profiled(tmp_path, EXECS, python=python)
    assert run.proc.returncode == 0, run.proc.stderr
    # The new program: no helper on PYTHONPATH, no helper loaded, no MemLens variable.
    assert run.proc.stdout.strip() == "None False []", run.proc.stdout
    assert run.proc.stderr == ""
    program = run.doc["program"]
    assert program["end"]["kind"] == "exec"
    assert program["end"]["argv"][0] == python and program["end"]["argv"][1] == "-c"
    # The folder the command line is relative to, and the one the program moved to.
    assert program["cwd"] == str(tmp_path)
    assert program["exitCwd"] == str(tmp_path / "sub")
    assert run.bytes_at("held") >= 4 * MiB * 0.95


def test_a_program_that_stops_tracing_says_when_and_keeps_its_peak(tmp_path, python):
    run = run_profiled(tmp_path, "import time, tracemalloc\nx = bytearray(6 << 20)\ntime.sleep(0.3)\n"
                                 "del x\ntracemalloc.stop()\ntime.sleep(0.2)\n", python=python)
    assert run.proc.returncode == 0, run.proc.stderr
    doc = run.doc
    assert 0.25 <= doc["tracingStopped"]["at"] <= doc["totals"]["wallSeconds"]
    assert doc["totals"]["tracedCurrent"] == 0
    assert doc["totals"]["tracedPeak"] >= 6 * MiB * 0.95
    assert "cwd" in doc["program"] and "exitCwd" not in doc["program"]


def test_tracing_stopped_is_absent_when_only_the_helper_stops_it(tmp_path):
    run = run_profiled(tmp_path, "x = bytearray(1 << 20)\n")
    assert "tracingStopped" not in run.doc


UNPRINTABLE = """
class Odd(Exception):
    def __str__(self):
        raise RuntimeError("no words")

raise Odd()  # @raise
"""


def test_an_exception_that_cannot_be_printed_is_recorded_without_the_helpers_traceback(tmp_path, python):
    run = run_profiled(tmp_path, UNPRINTABLE, python=python)
    assert run.proc.returncode == 1
    assert "memlens_helper" not in run.proc.stderr and "Error in sys.excepthook" not in run.proc.stderr, run.proc.stderr
    end = run.doc["program"]["end"]
    assert end["type"] == "Odd"
    assert end["message"] == "<unprintable Odd: __str__ raised RuntimeError>"
    assert end["line"] == run.line_of("raise")


@posix_only
def test_a_snapshot_that_cannot_be_written_says_the_real_reason(tmp_path):
    # A file size limit makes the snapshot's write fail (EFBIG: Python ignores SIGXFSZ), as a
    # full disk would with ENOSPC: the host and stderr get the system's own words.
    host = FakeHost()
    out = tmp_path / "out" / "snapshot.json"
    script = tmp_path / "prog.py"
    script.write_text("x = bytearray(1 << 20)\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if (not k.startswith("MEMLENS_") or k == "MEMLENS_MODE") and k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(HELPER_DIR), MEMLENS_OUT=str(out), MEMLENS_PEAK="0", **host.env())

    def limit() -> None:  # Room for the exit capture's rows, not for the whole document.
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
    try:
        proc = subprocess.run([sys.executable, str(script)], cwd=str(tmp_path), env=env, capture_output=True,
                              text=True, timeout=120, preexec_fn=limit)
        finished = host.wait_for(lambda m: m["type"] == "finished")
    finally:
        host.close()
    sentence = "File too large (errno 27) writing %s" % out
    assert finished["path"] is None and finished["error"] == sentence
    assert "MemLens: could not write the snapshot: %s." % sentence in proc.stderr
    assert not out.exists() and [n for n in os.listdir(out.parent) if n.endswith(".tmp")] == []
