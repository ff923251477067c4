"""Runs programs under the helper, the way the extension and the CLI do, and reads the snapshot.
``FakeHost`` (fixture ``host``) is the editor's end of the helper's channel.

``run_profiled`` writes a program into a temporary folder, runs the interpreter on it with the
helper's folder first on PYTHONPATH and MEMLENS_* options, and returns the process result and
the parsed snapshot. Lines are found by markers in the program's source (``# @name``).

Every snapshot read into a ``Run`` is held to the declared fields (``undeclared_fields``): the helper
writes no field that ``src/protocol/snapshot.ts`` does not declare, in any test's run.
"""
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest

HELPER_DIR = Path(__file__).resolve().parent.parent
# The tests written for tracemalloc's figures (exact counts of blocks, forked peak captures, a
# program that stops tracemalloc) run the exact mode, as the host asks for it; the fast mode's
# own tests (test_fast_mode.py) ask for it by name. Every helper process the tests start
# inherits this environment.
os.environ.setdefault("MEMLENS_MODE", "exact")
FIXTURES = HELPER_DIR.parent / "test" / "fixtures"
MiB = 1024 * 1024
#: Every field a snapshot document may hold, as ``src/protocol/snapshot.ts`` declares it: the one
#: list, which the TypeScript tests hold equal to the schema.
DECLARED_FIELDS = frozenset(json.loads((FIXTURES / "snapshot-fields.json").read_text())["fields"])


def undeclared_fields(doc: object, at: str = "") -> List[str]:
    """The key paths of ``doc`` that ``DECLARED_FIELDS`` lacks (``peak.error``,
    ``files[].lines[].bytes``: ``[]`` is any item of a list), sorted."""
    found = set()

    def walk(value: object, here: str) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, here + "[]")
        elif isinstance(value, dict):
            for key, item in value.items():
                path = "%s.%s" % (here, key) if here else key
                found.add(path)
                walk(item, path)

    walk(doc, at)
    return sorted(found - DECLARED_FIELDS)


def _interpreters() -> List[str]:
    """One interpreter per Python version 3.8-3.13 found on this machine (pyenv, PATH, Debian)."""
    found: Dict[str, str] = {}
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3.*")))
    candidates += [shutil.which("python3.%d" % m) or "" for m in range(8, 15)]
    candidates += [sys.executable, "/usr/bin/python3"]
    for path in candidates:
        if not path or not os.access(path, os.X_OK) or path.endswith(("-config", ".py")):
            continue
        try:
            out = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        version = out.stdout.strip()
        if out.returncode == 0 and version and tuple(map(int, version.split("."))) >= (3, 8):
            found.setdefault(version, path)
    return [found[v] for v in sorted(found, key=lambda v: tuple(map(int, v.split("."))))]


INTERPRETERS = _interpreters()
# MEMLENS_TEST_ALL_PYTHONS=0 runs the version matrix under the current interpreter only.
if os.environ.get("MEMLENS_TEST_ALL_PYTHONS", "1") == "0":
    INTERPRETERS = [sys.executable]


class Run:
    """A run's process and the snapshot it wrote, which may hold declared fields only."""

    def __init__(self, proc: subprocess.CompletedProcess, doc: Optional[dict], script: Path) -> None:
        unknown = undeclared_fields(doc)
        assert not unknown, "the helper wrote fields src/protocol/snapshot.ts does not declare: %s" % unknown
        self.proc = proc
        self.doc = doc
        self.script = script
        self.source = script.read_text(encoding="utf-8")

    def line_of(self, marker: str) -> int:
        """1-based line of the source that carries ``# @marker``."""
        for i, text in enumerate(self.source.splitlines(), 1):
            if text.rstrip().endswith("# @" + marker):
                return i
        raise AssertionError("no marker %r" % marker)

    def file(self, path: Optional[Path] = None) -> dict:
        want = os.path.realpath(str(path or self.script))
        for f in self.doc["files"]:
            if f["path"] == want:
                return f
        raise AssertionError("%s not in snapshot: %s" % (want, [f["path"] for f in self.doc["files"]]))

    def line(self, marker: str, view: str = "lines", path: Optional[Path] = None) -> Optional[dict]:
        n = self.line_of(marker)
        for row in self.file(path)[view]:
            if row["line"] == n:
                return row
        return None

    def bytes_at(self, marker: str, view: str = "lines") -> int:
        row = self.line(marker, view)
        return row["bytes"] if row else 0

    def frame_path(self, frame: list) -> str:
        return self.doc["files"][frame[0]]["path"]


def run_profiled(tmp_path: Path, source: str, *, python: str = sys.executable, name: str = "prog.py",
                 args: List[str] = (), env: Optional[dict] = None, pre_args: List[str] = (),
                 timeout: float = 120, stdin: Optional[str] = None, cwd: Optional[Path] = None,
                 roots: Optional[List[str]] = None) -> Run:
    script = tmp_path / name
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(source, encoding="utf-8")
    out = tmp_path / "out" / "snapshot.json"
    full_env = dict(os.environ)
    full_env.pop("PYTHONPATH", None)
    full_env.update({"PYTHONPATH": str(HELPER_DIR), "MEMLENS_OUT": str(out)})
    if roots is not None:
        full_env["MEMLENS_ROOTS"] = os.pathsep.join(roots)
    full_env.update(env or {})
    cmd = [python, *pre_args, str(script), *args] if not pre_args or "-m" not in pre_args else [python, *pre_args, *args]
    proc = subprocess.run(cmd, cwd=str(cwd or tmp_path), env=full_env, capture_output=True, text=True,
                          timeout=timeout, input=stdin)
    doc = json.loads(out.read_text(encoding="ascii")) if out.exists() else None
    return Run(proc, doc, script)


@pytest.fixture(params=INTERPRETERS, ids=lambda p: "py" + subprocess.run(
    [p, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True).stdout.strip())
def python(request) -> str:
    """Every Python 3.8+ interpreter found, one test run each."""
    return request.param


class FakeHost:
    """The host's end of the channel: collects the helper's messages and sends it requests. Like
    ``src/run/channel.ts`` it hears a connection only once its first line is the run's hello
    (``hellos`` counts them), and writes to the helper's latest connection."""

    def __init__(self) -> None:
        self.token = os.urandom(16).hex()
        self.hellos = 0
        self.refused = 0
        self.connections: List[socket.socket] = []
        # AF_UNIX paths are limited to about 100 bytes: pytest's tmp_path can be longer.
        self.folder = tempfile.mkdtemp(prefix="memlens-host-")
        self.path = os.path.join(self.folder, "channel.sock")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(4)
        self.messages: List[dict] = []
        self.helper: Optional[socket.socket] = None
        self.changed = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def env(self) -> Dict[str, str]:
        """The variables that point the helper at this host."""
        return {"MEMLENS_CHANNEL": self.path, "MEMLENS_CHANNEL_TOKEN": self.token}

    def _read(self, conn: socket.socket) -> None:
        pending = b""
        greeted = False
        while True:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                message = json.loads(line)
                if not greeted:
                    if message != {"type": "hello", "token": self.token}:
                        with self.changed:
                            self.refused += 1
                        conn.close()
                        return
                    greeted = True
                    with self.changed:
                        self.hellos += 1
                    continue
                with self.changed:
                    if message.get("type") != "exited":
                        self.helper = conn
                    self.messages.append(message)
                    self.changed.notify_all()

    def send_line(self, line: bytes) -> None:
        assert self.helper is not None
        self.helper.sendall(line)

    def send(self, message: dict) -> None:
        self.send_line(json.dumps(message).encode() + b"\n")

    def wait_for(self, match: Callable[[dict], bool], timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for m in self.messages:
                    if match(m):
                        return m
                left = deadline - time.monotonic()
                assert left > 0, "timed out; messages: %s" % self.messages
                self.changed.wait(left)

    def of_type(self, *types: str) -> List[dict]:
        with self.changed:
            return [m for m in self.messages if m["type"] in types]

    def disappear(self) -> None:
        """Goes away as a host killed outright does: every connection and the server close."""
        for conn in list(self.connections):
            try:
                conn.close()
            except OSError:
                pass
        self.close()

    def close(self) -> None:
        self.server.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def host():
    h = FakeHost()
    yield h
    h.close()
