"""Captures tracemalloc's traces in a forked child, so the program neither waits nor grows.

``fork()`` gives the child a copy of tracemalloc's tables as they were at that instant. The
child reads them (``_get_traces``), groups them by line and writes the rows to a file, while the
parent's memory stays the program's own: the copy of millions of traces that processing needs
lives in the child. A capture can be *held*: the child then waits on a pipe, frozen at that
instant, until the parent asks it to process (``release``) or to quit (``discard``); if the
parent dies, the pipe closes and the child quits too.

Forking is done while the forking thread holds the GIL; tracemalloc changes its tables only
under the GIL, so the copy is consistent. The child imports nothing and takes no lock that
another thread of the program may have held at the fork.
"""
import json
import os
import signal
import time
import tracemalloc
from typing import List, Optional

from .aggregate import LineRow, Summary, summarize
from .snapshot_writer import write_json_atomic
from .usercode import UserCode

CAN_FORK = hasattr(os, "fork")


def detach_from_terminal() -> None:
    """Lets the child outlive Ctrl+C and a group-wide SIGTERM, which the parent handles, and
    releases the program's stdin/stdout/stderr so that pipes to it close when the program ends."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


class CaptureResult:
    def __init__(self, traced: int, at: float, summary: Summary) -> None:
        self.traced = traced
        self.at = at
        self.summary = summary


def capture_in_process(user: UserCode, max_paths: int, started: float) -> CaptureResult:
    """Takes and groups the traces here; tracing stops first, so processing is not traced."""
    traced = tracemalloc.get_traced_memory()[0]
    traces = tracemalloc._get_traces()
    tracemalloc.stop()
    return CaptureResult(traced, time.time() - started, summarize(traces, user, max_paths))


class ForkedCapture:
    """A child process holding (and, on request, processing) the traces at one instant."""

    def __init__(self, *, user: UserCode, max_paths: int, started: float, path: str, hold: bool) -> None:
        self.path = path
        self._done: Optional[bool] = None
        self.traced = tracemalloc.get_traced_memory()[0]
        self.at = time.time() - started
        read_end, self._go = os.pipe() if hold else (-1, -1)
        self.pid = os.fork()
        if self.pid == 0:
            if hold:
                os.close(self._go)
            self._child(user, max_paths, read_end)
        if hold:
            os.close(read_end)

    def _child(self, user: UserCode, max_paths: int, read_end: int) -> None:
        """Runs in the child only; never returns."""
        code = 1
        try:
            detach_from_terminal()
            if read_end >= 0 and os.read(read_end, 1) != b"p":
                code = 0  # Discarded, or the parent is gone.
                return
            traces = tracemalloc._get_traces()
            tracemalloc.stop()
            summary = summarize(traces, user, max_paths)
            del traces
            write_json_atomic(self.path, {"traced": self.traced, "at": self.at, "bytes": summary.bytes,
                                          "blocks": summary.blocks, "rows": [r.to_json() for r in summary.rows]})
            code = 0
        finally:
            os._exit(code)

    def release(self) -> None:
        """Asks a held child to process its traces."""
        self._signal(b"p")

    def discard(self) -> None:
        """Lets a held child quit without processing, and reaps it."""
        # An explicit byte, not just closing: a later fork may hold a copy of the pipe's end.
        self._signal(b"x")
        self._reap(timeout=10.0)

    def _signal(self, data: bytes) -> None:
        if self._go >= 0:
            try:
                os.write(self._go, data)
            except OSError:
                pass  # The child is gone; result() will say so.
            finally:
                os.close(self._go)
                self._go = -1

    def wait(self, timeout: float) -> bool:
        """Waits for the child to end without loading its rows (so the parent allocates nothing);
        True if it wrote them. ``result`` then reads them."""
        if self._done is None:
            self._done = self._reap(timeout)
        return self._done

    def result(self, timeout: float) -> Optional[CaptureResult]:
        """Waits for the child's rows; None if it failed or ran out of time."""
        ok = self.wait(timeout)
        try:
            if not ok:
                return None
            with open(self.path, encoding="ascii") as f:
                data = json.load(f)
            rows: List[LineRow] = [LineRow.from_json(r) for r in data["rows"]]
            return CaptureResult(data["traced"], data["at"], Summary(rows, data["bytes"], data["blocks"]))
        except (OSError, ValueError):
            return None
        finally:
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def _reap(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                # Reaped by the kernel (the program ignores SIGCHLD) or by the program's own
                # handler: it has ended, and its file, written atomically, says whether it worked.
                return os.path.exists(self.path)
            if done:
                return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
            if time.monotonic() > deadline:
                os.kill(self.pid, 9)
                try:
                    os.waitpid(self.pid, 0)
                except ChildProcessError:
                    pass
                return False
            time.sleep(0.005)
