"""Memory over the run: the snapshot's ``timeline`` field.

The watcher thread calls ``sample`` every ``interval`` (``MEMLENS_TIMELINE_MS``, 100 ms by
default): traced memory (the tracker's), resident memory and anonymous resident memory (labelled private dirty:
see ``process_stats.rss_and_anonymous`` for why it is read from ``/proc/self/statm`` and not
from ``smaps_rollup``). A sample whose cost (the thread's CPU time, smoothed) exceeds 2 % of the
interval widens the interval to keep that share, and the widened value is what the snapshot says. At most ``MAX_SAMPLES``
are kept: past that, every other sample is dropped and the interval doubles, so a long run keeps
its whole span at a coarser resolution. Samples live in arrays, 32 bytes each.

A snapshot during the run forks from another thread, possibly while the watcher is halfway
through a sample (four appends, or a thinning of four arrays); the child puts its copy back in
step (``repair_after_fork``) and adds the figures read at the snapshot's instant (``add``). No lock:
a signal handler that ends the program may run in the forking thread, and must not wait for it.
"""
import time
from array import array
from typing import Callable, List, Optional, Tuple

from .process_stats import rss_and_anonymous

MAX_SAMPLES = 10_000
MAX_SHARE = 0.02
_NONE = -1


class Timeline:
    def __init__(self, interval: float, perf0: float, traced: Callable[[], Tuple[int, int]]) -> None:
        self.interval = interval
        self.perf0 = perf0
        #: The tracker's traced bytes now and their peak (estimated in the fast mode).
        self._traced = traced
        self.t = array("d")
        self.traced = array("q")
        self.rss = array("q")
        self.anon = array("q")
        self.next_at = 0.0
        self._cost: Optional[float] = None

    def due(self, now: float) -> bool:
        return now >= self.next_at

    def sample(self, now: Optional[float] = None) -> None:
        """Takes one sample now (``now`` is ``time.perf_counter()``) and schedules the next."""
        began = time.perf_counter() if now is None else now
        # The cost is the thread's CPU time: the wall time would also count the wait for the GIL
        # after the read (up to the switch interval, 5 ms, while the program computes), which
        # delays the sample but costs the program nothing.
        cpu = time.thread_time()
        traced = self._traced()[0]
        rss, anon = rss_and_anonymous()
        cost = time.thread_time() - cpu
        self.t.append(began - self.perf0)
        self.traced.append(traced)
        self.rss.append(_NONE if rss is None else rss)
        self.anon.append(_NONE if anon is None else anon)
        # A smoothed cost: one slow read (the thread waited for the GIL) does not widen it.
        self._cost = cost if self._cost is None else 0.8 * self._cost + 0.2 * cost
        if self._cost > MAX_SHARE * self.interval:
            self.interval = self._cost / MAX_SHARE
        if len(self.t) > MAX_SAMPLES:
            for a in (self.t, self.traced, self.rss, self.anon):
                del a[1::2]
            self.interval *= 2
        self.next_at = began + self.interval

    def repair_after_fork(self) -> None:
        """In a forked child: finishes a thinning the fork cut short, then drops a sample it cut
        short (appended to some arrays only)."""
        arrays = (self.t, self.traced, self.rss, self.anon)
        shortest = min(len(a) for a in arrays)
        for a in arrays:
            if len(a) > shortest + 1:  # Not thinned yet, while another array was.
                del a[1::2]
        shortest = min(len(a) for a in arrays)
        for a in arrays:
            del a[shortest:]

    def add(self, now: float, traced: int, rss: Optional[int], anon: Optional[int]) -> None:
        """Adds a sample read elsewhere (``now`` is its ``time.perf_counter()``), in time order:
        the watcher may have sampled after it was read."""
        i = len(self.t)
        t = now - self.perf0
        while i > 0 and self.t[i - 1] > t:
            i -= 1
        for a, v in ((self.t, t), (self.traced, traced), (self.rss, _NONE if rss is None else rss),
                     (self.anon, _NONE if anon is None else anon)):
            a.insert(i, v)

    def to_json(self, markers: List[dict]) -> dict:
        """The snapshot's ``timeline``: samples, and ``markers`` sorted by time."""
        samples = [{"t": round(t, 4), "traced": traced, "rss": None if rss == _NONE else rss,
                    "privateDirty": None if anon == _NONE else anon}
                   for t, traced, rss, anon in zip(self.t, self.traced, self.rss, self.anon)]
        return {"interval": round(self.interval, 4), "samples": samples,
                "markers": sorted(markers, key=lambda m: m["t"])}
