"""Captures tracemalloc's traces at one instant in a forked child: the exact mode's peak view.

``fork()`` gives the child a copy of tracemalloc's tables as they were at that instant. The
child is *held*: it waits on a pipe, frozen at that instant, until the parent asks it to process
(``release``: it reads the traces with ``_get_traces``, groups them by line and writes the rows to
a file) or to quit (``discard``). The exit's own traces are processed in the program's process
(``capture_in_process``): after a fork every first write to a heap page faults, and the exit's
work writes to all of them. Every helper
child ends when the program's process is gone (``watch_parent``; a snapshot's child first finishes
the snapshot it was writing, within a bound), and holds none of the
program's descriptors (a socket the program closes must close for its peer too).

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
from .owned import identity, still_ours
from .snapshot_writer import write_json_atomic
from .usercode import UserCode

CAN_FORK = hasattr(os, "fork")
#: How often a helper child checks that the program's process is still its parent, seconds.
WATCH_SECONDS = 0.5


def watch_parent(parent: int, grace: float = 0.0) -> None:
    """Ends this child (a helper's, forked by ``parent``) within ``WATCH_SECONDS`` of its parent's
    end, even a SIGKILL: the kernel then gives the child another parent. A child whose work is
    bounded and worth keeping (a snapshot being written when the program crashed) gets ``grace``
    seconds more to finish it. A timer signal rather than a thread: it needs no import, and works
    where the interpreter refuses new threads (a child forked at shutdown). Interval timers are not
    inherited, so each child sets its own; system calls that the signal interrupts are retried
    (PEP 475)."""
    orphaned_at = []  # type: List[float]

    def check(_signum: int, _frame: object, _parent: int = parent) -> None:
        if os.getppid() == _parent:
            return
        now = time.monotonic()
        if not orphaned_at:
            orphaned_at.append(now)
        if now - orphaned_at[0] >= grace:
            os._exit(1)
    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, check)
        signal.setitimer(signal.ITIMER_REAL, WATCH_SECONDS, WATCH_SECONDS)
    check(0, None)  # The parent may have gone before the timer was set.


def close_inherited_fds(keep: int = -1) -> None:
    """Closes every descriptor but stdin/stdout/stderr (already /dev/null) and ``keep``: they are
    the program's (and the helper's channel), and a child holding a copy of a socket keeps it open
    for its peer after the program closed it."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            fds = [int(name) for name in os.listdir(folder)]
            break
        except (OSError, ValueError):
            continue
    else:
        fds = list(range(3, 4096))
    for fd in fds:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass  # The listing's own descriptor, already closed.


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

    def __init__(self, *, user: UserCode, max_paths: int, started: float, path: str) -> None:
        self.path = path
        self._done: Optional[bool] = None
        self.traced = tracemalloc.get_traced_memory()[0]
        self.at = time.time() - started
        read_end, self._go = os.pipe()
        # The pipe's end is checked before each use: the program may close it and reuse its number.
        self._go_id = identity(self._go)
        self._child_end = read_end
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            self._child(user, max_paths, read_end, parent)
        os.close(read_end)

    def _child(self, user: UserCode, max_paths: int, read_end: int, parent: int) -> None:
        """Runs in the child only; never returns."""
        code = 1
        try:
            watch_parent(parent)
            detach_from_terminal()
            close_inherited_fds(keep=read_end)
            if os.read(read_end, 1) != b"p":
                code = 0  # Discarded, or the parent is gone.
                return
            traces = tracemalloc._get_traces()
            tracemalloc.stop()
            summary = summarize(traces, user, max_paths)
            # The traces are not freed: the child ends with os._exit, and freeing millions of
            # tuples (0.2 s for 3.6 M) would only delay the rows the program's process waits for.
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
        if self._go < 0:
            return
        go, self._go = self._go, -1
        if not still_ours(go, self._go_id):
            # The program closed the pipe's end (its number may be the program's file now): it is
            # neither written nor closed. The child's end is opened anew through /proc (Linux);
            # where that fails the child is ended, and the view it held is lost.
            try:
                go = os.open("/proc/%d/fd/%d" % (self.pid, self._child_end), os.O_WRONLY | os.O_CLOEXEC)
            except OSError:
                _kill(self.pid)
                return
        try:
            os.write(go, data)
        except OSError:
            pass  # The child is gone; result() will say so.
        finally:
            os.close(go)

    def kill(self) -> None:
        """Ends the child at once (the host is gone); it is not reaped here."""
        _kill(self.pid)

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
                _kill(self.pid)
                try:
                    os.waitpid(self.pid, 0)
                except ChildProcessError:
                    pass
                return False
            time.sleep(0.005)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass  # Already gone.
