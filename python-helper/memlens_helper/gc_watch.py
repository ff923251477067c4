"""The garbage collector over the run and at its end: the snapshot's ``gc`` field.

During the run a ``gc.callbacks`` callback counts each generation's collections, the objects
they freed and found uncollectable, and the time between the ``start`` and ``stop`` calls; it
runs only when the collector does. Collections of the oldest generation, and any that took over
a millisecond, become timeline markers (at most ``MAX_MARKERS``).

At the snapshot the callback is removed (the helper's own collection is not the program's), and
one collection with ``gc.DEBUG_SAVEALL`` keeps the cyclic garbage (objects only the cycle
collector could free) in ``gc.garbage`` long enough to count it by type; those objects are then
taken out of ``gc.garbage`` again and the debug flags restored, so the next collection frees them
as it would have. What the program itself left in ``gc.garbage`` (uncollectable objects: legacy
finalizers, or appended by the program) is counted apart and left where it is.
"""
import gc
import time
from typing import Dict, List, Optional

from .census import TypeCounter

MAX_MARKERS = 500
SLOW_SECONDS = 0.001


MIDRUN_CYCLIC_NOTE = ("Cyclic garbage is counted at the end of the run only: counting it means a "
                      "collection, which runs the garbage's finalizers, and during the run they would "
                      "act before the program's own collector.")


class GcWatch:
    def __init__(self, perf0: float) -> None:
        self.perf0 = perf0
        # generation -> [collections, collected, uncollectable, seconds]
        self.stats: Dict[int, list] = {}
        # (t, generation, collected, uncollectable, seconds)
        self.markers: List[tuple] = []
        self._began: Optional[float] = None
        self.installed = False

    def _on_gc(self, phase: str, info: dict) -> None:
        # Collections never overlap (the collector runs one at a time), so one start time serves.
        # An exception here would be printed to the program's stderr: none may escape.
        try:
            if phase == "start":
                self._began = time.perf_counter()
                return
            began = self._began
            if began is None:
                return
            self._began = None
            now = time.perf_counter()
            seconds = now - began
            generation = info.get("generation", -1)
            collected = info.get("collected", 0)
            uncollectable = info.get("uncollectable", 0)
            s = self.stats.get(generation)
            if s is None:
                s = self.stats[generation] = [0, 0, 0, 0.0]
            s[0] += 1
            s[1] += collected
            s[2] += uncollectable
            s[3] += seconds
            if (generation == 2 or seconds > SLOW_SECONDS) and len(self.markers) < MAX_MARKERS:
                self.markers.append((began - self.perf0, generation, collected, uncollectable, seconds))
        except Exception:
            pass

    def install(self) -> None:
        gc.callbacks.append(self._on_gc)
        self.installed = True

    def uninstall(self) -> None:
        if self.installed:
            self.installed = False
            try:
                gc.callbacks.remove(self._on_gc)
            except ValueError:
                pass  # The program cleared gc.callbacks.

    def timeline_markers(self) -> List[dict]:
        out = []
        for t, generation, collected, uncollectable, seconds in self.markers:
            label = "gen %d: %s collected in %.1f ms" % (generation, format(collected, ","), seconds * 1000)
            if uncollectable:
                label += ", %s uncollectable" % format(uncollectable, ",")
            out.append({"t": round(t, 4), "kind": "gc", "label": label})
        return out

    def report(self, enabled: Optional[bool] = None, count_cyclic: bool = True) -> dict:
        """The snapshot's ``gc`` field. Call with tracing stopped and the callback removed: it runs
        one full collection (with ``DEBUG_SAVEALL``) to find the cyclic garbage. ``enabled`` is the
        program's setting where the caller changed it (a snapshot's child turns the collector off).

        ``count_cyclic=False`` leaves the cyclic garbage uncounted, with a note saying why: that
        collection runs the garbage's finalizers and weakref callbacks even under
        ``DEBUG_SAVEALL``, and in a snapshot's child they would act on the world outside it (a
        ``TemporaryDirectory`` removing its folder) before the program's own collector would."""
        self.uninstall()
        if enabled is None:
            enabled = gc.isenabled()
        thresholds = list(gc.get_threshold())
        generations = [{"generation": g, "collections": s[0], "collected": s[1], "uncollectable": s[2],
                        "seconds": round(s[3], 6)} for g, s in sorted(self.stats.items())]
        garbage = gc.garbage
        before = len(garbage)
        uncollectable = TypeCounter()
        for obj in garbage[:before]:
            uncollectable.add(obj)
        if not count_cyclic:
            return {"enabled": enabled, "thresholds": thresholds, "generations": generations,
                    "cyclicGarbage": [], "cyclicGarbageNote": MIDRUN_CYCLIC_NOTE,
                    "uncollectable": uncollectable.rows()}
        cyclic = TypeCounter()
        flags = gc.get_debug()
        # SAVEALL alone: the program's own debug flags (DEBUG_STATS…) would print to its stderr.
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
        finally:
            gc.set_debug(flags)
        found = garbage[before:]
        del garbage[before:]
        for obj in found:
            cyclic.add(obj)
        del found
        return {"enabled": enabled, "thresholds": thresholds, "generations": generations,
                "cyclicGarbage": cyclic.rows(), "uncollectable": uncollectable.rows()}
