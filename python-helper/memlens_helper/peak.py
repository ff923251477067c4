"""Watches traced memory while the program runs: live figures for the host, and the peak view.

A daemon thread polls ``tracemalloc.get_traced_memory()``. When traced memory first exceeds the
last capture by a step (10 %, at least 8 MiB), it forks: the child holds a copy of tracemalloc's
tables as they were at that instant, groups them by line, writes the rows and exits, while the
program goes on after the fork alone. The fork happens while this thread holds the GIL, and
tracemalloc changes its tables only under the GIL, so the child's copy is consistent; the child
imports nothing and touches no lock the program's other threads may hold.
"""
import json
import os
import threading
import time
import tracemalloc
from typing import Callable, Optional

from . import process_stats
from .aggregate import LineRow, summarize
from .snapshot_writer import write_json_atomic
from .usercode import UserCode

STEP_BYTES = 8 * 1024 * 1024
STEP_RATIO = 0.10
LIVE_EVERY = 1.0


class PeakCapture:
    """The rows of one finished capture."""

    def __init__(self, traced: int, at: float, rows: list) -> None:
        self.traced = traced
        self.at = at
        self.rows = [LineRow.from_json(r) for r in rows]


class Watcher(threading.Thread):
    def __init__(self, *, user: UserCode, max_paths: int, poll: float, peak: bool, workdir: str,
                 started: float, send: Optional[Callable[[dict], None]]) -> None:
        super().__init__(name="memlens-watcher", daemon=True)
        self.user = user
        self.max_paths = max_paths
        self.poll = poll
        self.peak = peak and hasattr(os, "fork")
        self.workdir = workdir
        self.started = started
        self.send = send
        self.captures = 0
        self.error: Optional[str] = None
        self._stop_event = threading.Event()
        # Set once the thread runs: its start-up allocations then precede tracing.
        self.running = threading.Event()
        self._captured = 0
        self._child: Optional[tuple] = None  # (pid, path, traced at the fork)
        self._done_path: Optional[str] = None

    def step(self) -> int:
        return max(STEP_BYTES, int(self._captured * STEP_RATIO))

    def run(self) -> None:
        last_live = 0.0
        self.running.set()
        while not self._stop_event.wait(self.poll):
            if not tracemalloc.is_tracing():  # Not yet, or the program stopped it.
                continue
            current, peak = tracemalloc.get_traced_memory()
            if self._child is not None:
                self._reap(block=False)
            if self.peak and self._child is None and current > self._captured + self.step():
                self._fork_capture(current)
            now = time.monotonic()
            if self.send is not None and now - last_live >= LIVE_EVERY:
                last_live = now
                self.send({"type": "live", "tracedCurrent": current, "tracedPeak": peak,
                           "rss": process_stats.current_rss(), "t": round(time.time() - self.started, 3)})

    def _fork_capture(self, current: int) -> None:
        path = os.path.join(self.workdir, ".memlens-peak-%d-%d.json" % (os.getpid(), self.captures + 1))
        try:
            pid = os.fork()
        except (OSError, DeprecationWarning) as exc:  # -W error turns 3.12's fork warning into this.
            self.peak = False
            self.error = "peak capture disabled: fork failed (%s)" % exc
            return
        if pid == 0:
            self._child_main(path)
        self._child = (pid, path, current)

    def _child_main(self, path: str) -> None:
        """Runs in the forked child only; never returns."""
        code = 1
        try:
            traced = tracemalloc.get_traced_memory()[0]
            traces = tracemalloc._get_traces()
            tracemalloc.stop()
            summary = summarize(traces, self.user, self.max_paths)
            write_json_atomic(path, {"traced": traced, "at": time.time() - self.started,
                                     "rows": [r.to_json() for r in summary.rows]})
            code = 0
        finally:
            os._exit(code)

    def _reap(self, block: bool, timeout: float = 120.0) -> None:
        assert self._child is not None
        pid, path, traced = self._child
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done or not block:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                self.error = "the last peak capture took longer than %d s and was stopped" % timeout
                self._child = None
                return
            time.sleep(0.01)
        if not done:
            return
        self._child = None
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and os.path.exists(path):
            if self._done_path is not None:
                _unlink(self._done_path)
            self._done_path = path
            self.captures += 1
            self._captured = traced
        else:
            self.error = "a peak capture failed (status %d)" % status
            _unlink(path)
            self.peak = False

    def finish(self) -> Optional[PeakCapture]:
        """Stops the thread, waits for a running capture, returns the last one (if any)."""
        self._stop_event.set()
        if self.is_alive():
            self.join()
        if self._child is not None:
            self._reap(block=True)
        if self._done_path is None:
            return None
        try:
            with open(self._done_path, encoding="ascii") as f:
                data = json.load(f)
            return PeakCapture(data["traced"], data["at"], data["rows"])
        finally:
            _unlink(self._done_path)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
