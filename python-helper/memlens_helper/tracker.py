"""What tracks the program's allocations, in each of the three modes.

- ``fast``: the native sampler (``memlens_native``): PEP 445 hooks that sample allocations by
  bytes and record each sample's deep stack; figures are estimates, the peak view is copied at the
  moment of the peak, and nothing is forked to see it.
- ``exact``: tracemalloc, every block, ``frames`` deep; the peak view is a forked copy of the
  traces (``watcher``) and the exit view is processed in a forked child (``capture``).
- ``light``: nothing is tracked; the process's memory over time, imports, GC and the census remain.

The session asks its tracker for the traced figures (the watcher's live messages, the timeline,
the import costs, a snapshot's instant) without knowing the mode. Where the fast mode was asked for
and the module cannot run here, ``choose`` gives the exact mode and the sentence that says why.
"""
import tracemalloc
from typing import Optional, Tuple

MODES = ("fast", "exact", "light")


class ExactTracker:
    """tracemalloc at ``frames`` frames."""
    mode = "exact"
    #: The sampler's interval: the exact mode has none.
    sample_interval: Optional[int] = None

    def __init__(self, frames: int) -> None:
        self.frames = frames

    def start(self) -> None:
        tracemalloc.start(self.frames)

    def is_tracking(self) -> bool:
        return tracemalloc.is_tracing()

    def traced(self) -> Tuple[int, int]:
        """Traced bytes now and their peak."""
        return tracemalloc.get_traced_memory()

    def stop(self) -> None:
        tracemalloc.stop()


class FastTracker:
    """The native sampler at a mean interval of ``sample_interval`` bytes."""
    mode = "fast"
    #: Stacks are read only for samples, so they can be deep: a library's allocation made 30 calls
    #: below the user's line (an import, a parser) still reaches it.
    frames = 64
    #: A peak copy at each rise of the estimated live total by this fraction.
    peak_margin = 0.01

    def __init__(self, native, sample_interval: int) -> None:
        self.native = native
        self.sample_interval = sample_interval

    def start(self) -> None:
        self.native.start(interval=self.sample_interval, frames=self.frames, peak_margin=self.peak_margin)

    def is_tracking(self) -> bool:
        return self.native.is_tracking()

    def traced(self) -> Tuple[int, int]:
        """Estimated live bytes now and their high."""
        totals = self.native.totals()
        return totals.live, totals.high

    def stop(self) -> None:
        self.native.stop()


class LightTracker:
    """Tracks nothing: the light mode's figures are the process's own."""
    mode = "light"
    frames = 0
    sample_interval: Optional[int] = None

    def start(self) -> None:
        pass

    def is_tracking(self) -> bool:
        return False

    def traced(self) -> Tuple[int, int]:
        return 0, 0

    def stop(self) -> None:
        pass


def choose(mode: str, frames: int, sample_interval: int):
    """The tracker for ``mode``, and None or the sentence that says why another mode runs."""
    if mode == "light":
        return LightTracker(), None
    if mode == "fast":
        import memlens_native
        why = memlens_native.unavailable()
        if why is None:
            return FastTracker(memlens_native, sample_interval), None
        return ExactTracker(frames), ("The fast mode cannot run here (%s), so MemLens traced every allocation "
                                      "with tracemalloc (exact mode) instead." % why)
    return ExactTracker(frames), None
