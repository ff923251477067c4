"""Watches traced memory while the program runs: live figures for the host, and the peak.

A daemon thread polls the tracker's traced memory. In the exact mode, when it first exceeds the
last capture by a step (50 %, at least 2 MiB), it forks a *held* capture (see ``capture``): a
child frozen at that instant, replacing the previous one. Nothing is processed during the run;
at exit, if memory then is below the held capture, that child processes its traces and gives
the per-line view at the peak. Its cost during the run is the fork and the page faults that
follow it, paid by the program: after a fork, the first write to each page of the heap faults
(a copy while the child lives, and still a fault once it is gone), and reading a Python object
writes its reference count. Measured on the 2-core VM (3.11, load average 3-5, so CPU time and
fault counts, not wall time): at a 25 % step, elementtree took 14 captures, 300 000 minor faults
against 168 000 with the peak view off, and 4.5 s more CPU time; at 50 %, 9 captures, 250 000
faults and 2.8 s; at 100 %, 6, 218 000 and 2.6 s (json_roundtrip: 11 captures and 193 000 faults
at 25 %, 5 and 145 000 at 100 %, 66 000 off). Hence 50 %: the view then holds at least two thirds
of the traced peak (four fifths at 25 %). The same thread takes the timeline's samples
(``timeline``), on its own interval.
"""
import os
import threading
import time
from typing import Callable, Optional

from . import process_stats
from .capture import CAN_FORK, ForkedCapture
from .timeline import Timeline
from .usercode import UserCode

STEP_BYTES = 2 * 1024 * 1024
STEP_RATIO = 0.5
LIVE_EVERY = 1.0
#: The watcher's wake-up interval when it captures no peak (fast and light modes), seconds.
IDLE_POLL = 0.05


class Watcher(threading.Thread):
    def __init__(self, *, user: UserCode, max_paths: int, poll: float, peak: bool, workdir: str,
                 started: float, send: Optional[Callable[[dict], None]], tracker,
                 timeline: Optional[Timeline] = None) -> None:
        super().__init__(name="memlens-watcher", daemon=True)
        #: ``tracker.ExactTracker`` and the others; forked peak captures only for the exact mode,
        #: whose traces they copy (the fast mode's sampler copies its own view at the peak).
        self.tracker = tracker
        self.user = user
        self.max_paths = max_paths
        self.poll = poll
        self.peak = peak and CAN_FORK and tracker.mode == "exact"
        self.workdir = workdir
        self.started = started
        self.send = send
        self.timeline = timeline
        self.captures = 0
        self.error: Optional[str] = None
        self.held: Optional[ForkedCapture] = None
        self._stop_event = threading.Event()
        # Set once the thread runs: its own start-up allocations then precede tracing.
        self.running = threading.Event()

    def step(self) -> int:
        return max(STEP_BYTES, int((self.held.traced if self.held else 0) * STEP_RATIO))

    def run(self) -> None:
        self.running.set()
        try:
            self._watch()
        except Exception as exc:  # Never in the program's stderr; the snapshot says what happened.
            self.peak = False
            self.error = "the watcher stopped: %s: %s" % (type(exc).__name__, exc)

    def _watch(self) -> None:
        last_live = 0.0
        timeline = self.timeline
        # Each wake-up takes the GIL from the program: the fast poll is for the exact mode's peak
        # captures alone, and otherwise the timeline's and the live figures' pace is enough.
        wait = self.poll if self.peak else max(self.poll, IDLE_POLL)
        while not self._stop_event.wait(wait):
            if timeline is not None:
                now = time.perf_counter()
                if timeline.due(now):
                    timeline.sample(now)
            # Not yet, or the program stopped tracemalloc; the light mode tracks nothing and still
            # reports the resident size.
            if self.tracker.mode != "light" and not self.tracker.is_tracking():
                continue
            if self.peak:
                current, peak = self.tracker.traced()
                if current > (self.held.traced if self.held else 0) + self.step():
                    self._hold_new_capture()
            now = time.monotonic()
            if self.send is not None and now - last_live >= LIVE_EVERY:
                last_live = now
                current, peak = self.tracker.traced()
                self.send({"type": "live", "tracedCurrent": current, "tracedPeak": peak,
                           "rss": process_stats.current_rss(), "t": round(time.time() - self.started, 3)})

    def _hold_new_capture(self) -> None:
        """Forks a capture of this instant, then lets the previous one go (kept if the fork fails)."""
        path = os.path.join(self.workdir, ".memlens-peak-%d-%d.json" % (os.getpid(), self.captures + 1))
        try:
            capture = ForkedCapture(user=self.user, max_paths=self.max_paths, started=self.started, path=path)
        except RuntimeError:
            # 3.12+ refuses to fork once the interpreter is shutting down: the program has ended,
            # and the exit view takes over from here.
            self.peak = False
            return
        except OSError as exc:
            self.peak = False
            self.error = "peak capture stopped: fork failed (%s)" % exc
            return
        if self.held is not None:
            self.held.discard()
        self.held = capture
        self.captures += 1

    def stop(self) -> Optional[ForkedCapture]:
        """Stops the thread; returns the held capture of the highest memory seen, if any."""
        self._stop_event.set()
        if self.is_alive():
            self.join()
        return self.held
