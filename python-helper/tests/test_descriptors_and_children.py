"""The helper among unusual programs: a program that closes every descriptor it
inherited, a run whose folder goes away, a program killed outright, a host that disappears.

- The helper never writes to, reads from or closes a descriptor that is no longer the one it
  opened; it connects to its host again (saying hello again) and still writes the exit snapshot.
- Its children never create folders, its files are mode 0600, and they all end when the
  program's process is gone.
- Under ``MEMLENS_END_WITH_HOST=1`` the program ends when its host does, leaving nothing behind.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import pytest

from conftest import HELPER_DIR, FakeHost

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork, /proc and Unix sockets")


def start(tmp_path: Path, source: str, python: str = sys.executable, host: Optional[FakeHost] = None,
          env: Optional[dict] = None, **popen) -> subprocess.Popen:
    script = tmp_path / "prog.py"
    script.write_text(source, encoding="utf-8")
    full_env = {k: v for k, v in os.environ.items() if (not k.startswith("MEMLENS_") or k == "MEMLENS_MODE") and k != "PYTHONPATH"}
    full_env.update(PYTHONPATH=str(HELPER_DIR), MEMLENS_OUT=str(tmp_path / "out" / "snapshot.json"))
    if host is not None:
        full_env.update(host.env())
    full_env.update(env or {})
    return subprocess.Popen([python, str(script)], cwd=str(tmp_path), env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def children_of(pid: int) -> List[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path("/proc/%s/stat" % name).read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path("/proc/%d/stat" % pid).read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def wait_for_file(path: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "timed out waiting for %s" % path
        time.sleep(0.02)


CLOSES_EVERYTHING = r"""
import os, socket, sys, threading, time
first = bytearray(8 << 20)        # The watcher holds a peak capture: a pipe to its child.
time.sleep(0.3)
os.closerange(3, 1000)            # As daemons do: the helper's socket and pipe numbers are free now.
data = open("data.txt", "w+b", buffering=0)
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(1)
client = socket.create_connection(listener.getsockname())
peer, _ = listener.accept()
spare = [open(os.devnull, "rb") for _ in range(6)]
got = []
def read_peer():
    while True:
        chunk = peer.recv(65536)
        if not chunk:
            return
        got.append(chunk)
reader = threading.Thread(target=read_peer)
reader.start()
second = bytearray(32 << 20)      # A higher peak: a new capture, and the held one is let go.
sys.audit("memlens.snapshot", "x")
for i in range(12):
    data.write(b"line %d\n" % i)
    client.sendall(b"msg %d\n" % i)
    time.sleep(0.1)               # Live messages flow meanwhile.
data.seek(0)
content = data.read()
client.close()                    # The peer sees the end only if no helper child holds a copy.
reader.join(30)
assert not reader.is_alive(), "the peer never saw the connection close"
data.close()
with open("result.txt", "wb") as f:
    f.write(content + b"--\n" + b"".join(got))
"""


def test_a_program_that_closes_every_descriptor_keeps_its_files_and_the_run_keeps_its_snapshots(tmp_path):
    # The loss was 1 run in 4, so several runs; with the host listening, status messages are in
    # play, and with MEMLENS_END_WITH_HOST a reconnection mistaken for the host's end would kill it.
    expected = b"".join(b"line %d\n" % i for i in range(12)) + b"--\n" + b"".join(b"msg %d\n" % i for i in range(12))
    for attempt in range(5):
        work = tmp_path / ("run%d" % attempt)
        work.mkdir()
        host = FakeHost()
        try:
            proc = start(work, CLOSES_EVERYTHING, host=host, env={"MEMLENS_END_WITH_HOST": "1"})
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert "MemLens" not in err, err
            assert (work / "result.txt").read_bytes() == expected, "run %d" % attempt
            exit_doc = json.loads((work / "out" / "snapshot.json").read_text())
            assert exit_doc["program"]["end"] == {"kind": "exit"}
            assert json.loads((work / "out" / "snapshot-1.json").read_text())["label"] == "x"
            # The helper said hello again on a new connection, and the host heard the run to its end.
            assert host.hellos >= 2 and host.refused == 0
            types = [m["type"] for m in host.messages]
            assert types[-1] == "finished" and host.messages[-1]["path"] == str(work / "out" / "snapshot.json")
            assert any(m["type"] == "snapshotWritten" and m.get("seq") == 1 for m in host.messages), types
        finally:
            host.close()


def test_snapshot_files_are_private_and_no_temporary_file_is_left(tmp_path):
    proc = start(tmp_path, "import sys\nx = bytearray(4 << 20)\nsys.audit('memlens.snapshot', 'one')\n")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    names = sorted(os.listdir(tmp_path / "out"))
    assert names == ["snapshot-1.json", "snapshot.json"]
    for name in names:
        assert os.stat(tmp_path / "out" / name).st_mode & 0o777 == 0o600, name


def test_no_child_brings_back_a_removed_run_folder(tmp_path):
    # The host removed the run's folder (the CLI gave up on the run): the snapshot's child and the
    # exit snapshot fail, and neither creates the folder again.
    proc = start(tmp_path, "import shutil, sys\nx = bytearray(4 << 20)\nshutil.rmtree('out')\n"
                           "sys.audit('memlens.snapshot', 'late')\n")
    _, err = proc.communicate(timeout=120)
    assert not (tmp_path / "out").exists()
    assert "snapshot 1 was not written" in err and "No such file or directory (errno 2) writing" in err, err


HOLDS_CHILDREN = r"""
import os, sys, time
objects = [{"n": i} for i in range(400000)]
time.sleep(0.5)                         # The watcher holds a peak capture of that heap.
mine = os.fork()                        # The program's own child: it holds copies of every pipe.
if mine == 0:
    time.sleep(60)
    os._exit(0)
sys.audit("memlens.snapshot", "slow")   # A snapshot's child, busy for a while with that heap.
with open("ready", "w") as f:
    f.write(str(mine))
time.sleep(60)
"""


def test_every_helper_child_ends_when_the_program_is_killed_and_the_snapshot_it_was_writing_is_kept(tmp_path):
    proc = start(tmp_path, HOLDS_CHILDREN, env={"MEMLENS_CENSUS_SECONDS": "30"})
    mine = None
    try:
        wait_for_file(tmp_path / "ready", proc)
        time.sleep(0.2)
        mine = int((tmp_path / "ready").read_text())
        helpers = [pid for pid in children_of(proc.pid) if pid != mine]
        assert len(helpers) >= 2, "a held capture and a snapshot's child: %s" % helpers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)  # Not its pipes: the program's own child holds them.
        # The held peak capture has nothing left to give: it ends at once.
        deadline = time.monotonic() + 5
        while all(alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not all(alive(pid) for pid in helpers), "the held capture outlived the program"
        # The snapshot's child finishes the snapshot the program asked for, then ends too.
        deadline = time.monotonic() + 60
        while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in helpers if alive(pid)] == []
        written = json.loads((tmp_path / "out" / "snapshot-1.json").read_text())
        assert written["label"] == "slow"
    finally:
        if proc.poll() is None:
            proc.kill()
        if mine is not None and alive(mine):
            os.kill(mine, signal.SIGKILL)


WAITS_FOR_ITS_HOST = r"""
import os, sys, time
x = bytearray(4 << 20)
mine = os.fork()                       # The program's own child, in its process group.
if mine == 0:
    time.sleep(60)
    os._exit(0)
sys.audit("memlens.snapshot", "before the host went")
with open("ready", "w") as f:
    f.write(str(mine))
time.sleep(60)
"""


def test_the_program_ends_with_a_host_that_disappears_and_leaves_nothing(tmp_path):
    host = FakeHost()
    proc = start(tmp_path, WAITS_FOR_ITS_HOST, host=host, env={"MEMLENS_END_WITH_HOST": "1"},
                 start_new_session=True)  # As the CLI starts it: the leader of its process group.
    mine = None
    try:
        host.wait_for(lambda m: m["type"] == "snapshotWritten" and m.get("seq") == 1)
        wait_for_file(tmp_path / "ready", proc)
        mine = int((tmp_path / "ready").read_text())
        assert (tmp_path / "out" / "snapshot-1.json").exists()
        host.disappear()
        proc.wait(timeout=15)
        assert proc.returncode == -signal.SIGKILL
        # Only the helper's files were there, so the folder went with them.
        assert not (tmp_path / "out").exists()
        deadline = time.monotonic() + 5
        while alive(mine) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(mine), "the program's process group ends with it"
    finally:
        if proc.poll() is None:
            proc.kill()
        if mine is not None and alive(mine):
            os.kill(mine, signal.SIGKILL)
        host.close()


def test_a_host_that_disappears_leaves_files_that_are_not_the_helpers(tmp_path):
    host = FakeHost()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    proc = start(tmp_path, WAITS_FOR_ITS_HOST, host=host, env={"MEMLENS_END_WITH_HOST": "1"},
                 start_new_session=True)
    try:
        host.wait_for(lambda m: m["type"] == "snapshotWritten" and m.get("seq") == 1)
        wait_for_file(tmp_path / "ready", proc)
        mine = int((tmp_path / "ready").read_text())
        host.disappear()
        proc.wait(timeout=15)
        assert proc.returncode == -signal.SIGKILL
        assert os.listdir(tmp_path / "out") == ["notes.txt"]
    finally:
        if proc.poll() is None:
            proc.kill()
        host.close()
    if alive(mine):
        os.kill(mine, signal.SIGKILL)


def test_the_helpers_own_end_of_the_channel_does_not_end_the_program(tmp_path):
    host = FakeHost()
    try:
        proc = start(tmp_path, "import atexit, time\nx = bytearray(1 << 20)\n"
                               "atexit.register(lambda: print('after', flush=True))\n",
                     host=host, env={"MEMLENS_END_WITH_HOST": "1"}, start_new_session=True)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert (tmp_path / "out" / "snapshot.json").exists()
        assert host.messages[-1]["type"] == "finished"
    finally:
        host.close()


def test_without_end_with_host_the_program_outlives_its_host(tmp_path):
    host = FakeHost()
    proc = start(tmp_path, "import time\nx = bytearray(1 << 20)\nopen('ready', 'w').close()\ntime.sleep(1.5)\n",
                 host=host)
    try:
        wait_for_file(tmp_path / "ready", proc)
        host.wait_for(lambda m: m["type"] == "started")
        host.disappear()
        proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert (tmp_path / "out" / "snapshot.json").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
        host.close()
