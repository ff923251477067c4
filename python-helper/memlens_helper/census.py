"""Live objects by type at the snapshot: the snapshot's ``census`` field.

``gc.get_objects()`` returns only what the collector tracks (containers). Atoms (``int``,
``str``, ``bytes``, ``float``) and tuples or dicts that hold only atoms (the collector untracks
those) are found by following ``gc.get_referents`` from there, transitively, with a set of the ids
already seen: one level is not enough (a list of row tuples holds the strings one level further
down). Each object counts once, with ``sys.getsizeof`` (shallow) bytes, under its type's name.

The walk is bounded in CPU time (``MEMLENS_CENSUS_SECONDS``, 2 s by default, of the census
thread's own CPU time): when the bound is hit, the figures are a lower bound, ``complete`` is false
and a note says how far it got. CPU time, not wall time: on a busy machine the census waits for a
CPU, and a wall-clock bound then measured the machine's load rather than the census's work (the
same walk took 0.5 s of CPU time and 0.5 to 40 s of wall time, and a snapshot's child at
``nice 19`` stopped after 14-87 % of the objects); with a bound on its work, what the census
finds does not depend on the load. ``seconds`` is the wall time it took, ``cpuSeconds`` its CPU
time. It runs in batches (``gc.get_referents`` of thousands of objects in one call) and asks for
the referents only of objects whose type supports the collector: others cannot refer to anything
it can see.

The helper's own objects are left out as far as practical: its modules, their functions and
classes, instances of its classes and the containers they hold (found from ``helper_roots``,
walked through the helper's own objects and plain containers only), the frames of the helper's
code on the stack, and the census's own bookkeeping. An atom the helper shares with the program
still counts if the program reaches it.

Run it with tracing stopped: traced, the walk would cost several times more and its own
allocations would be traced.
"""
import gc
import sys
import time
from array import array
from collections import deque
from types import FunctionType, ModuleType
from typing import Any, Callable, Dict, Iterable, List, Optional

#: An object's identity, as unique as ``id()`` among live objects (the pointer rotated by four
#: bits), without its cost: ``id()`` raises the audit event ``builtins.id``, and with the helper's
#: audit hook installed (``midrun``) every call then runs that Python hook, 3 to 6 times the call.
identity = object.__hash__
TOP_TYPES = 200
#: ``Py_TPFLAGS_HAVE_GC``: objects of other types refer to nothing the collector can see.
_HAVE_GC = 1 << 14
_BATCH = 4096
#: How often (wall time) the walk reads its CPU clock: the bound can be passed by as much CPU time.
_CHECK_SECONDS = 0.005
_HELPER_PACKAGE = "memlens_helper"
#: Containers that belong to whoever holds them: walked when the helper holds them.
_PLAIN_CONTAINERS = (dict, list, tuple, set, frozenset, deque, array)


def type_name(t: type) -> str:
    """``dict`` for builtins, else ``module.QualName``."""
    qualname = getattr(t, "__qualname__", None) or getattr(t, "__name__", None) or repr(t)
    module = getattr(t, "__module__", None)
    if not isinstance(module, str) or module == "builtins":
        return str(qualname)
    return "%s.%s" % (module, qualname)


class TypeCounter:
    """Count and ``sys.getsizeof`` bytes per type."""

    def __init__(self) -> None:
        self.counts: Dict[type, list] = {}

    def add(self, obj: Any) -> None:
        t = type(obj)
        c = self.counts.get(t)
        if c is None:
            c = self.counts[t] = [0, 0, 0]
        c[0] += 1
        c[1] += _sizeof(obj)

    def rows(self, limit: Optional[int] = None) -> List[dict]:
        """``TypeCount`` rows, largest ``bytes`` first (then count, then name); types that share a
        name (two classes ``Node`` in one module) are merged."""
        merged: Dict[str, list] = {}
        for t, (count, size, _) in self.counts.items():
            m = merged.setdefault(type_name(t), [0, 0])
            m[0] += count
            m[1] += size
        rows = [{"type": name, "count": c, "bytes": b} for name, (c, b) in merged.items()]
        rows.sort(key=lambda r: (-r["bytes"], -r["count"], r["type"]))
        return rows if limit is None else rows[:limit]

    def totals(self) -> tuple:
        return sum(c[0] for c in self.counts.values()), sum(c[1] for c in self.counts.values())


def _sizeof(obj: Any) -> int:
    try:
        return sys.getsizeof(obj)
    except Exception:  # A class whose __sizeof__ fails: counted, with no size.
        return 0


def _is_helper_module(name: Any) -> bool:
    return isinstance(name, str) and (name == _HELPER_PACKAGE or name.startswith(_HELPER_PACKAGE + "."))


def _helper_owned(roots: Iterable[Any]) -> set:
    """Ids of the helper's objects, from ``roots`` (its modules, its session…): helper modules,
    their functions, classes and instances, and plain containers held by them. The walk stops at
    everything else (other modules, other classes and functions, other objects), so it cannot
    wander into the program's memory through a shared reference."""
    owned: set = set()
    stack = list(roots)
    while stack:
        obj = stack.pop()
        k = identity(obj)
        if k in owned:
            continue
        t = type(obj)
        if isinstance(obj, ModuleType):
            if not _is_helper_module(obj.__name__):
                continue
            owned.add(k)
            stack.append(obj.__dict__)
            continue
        if isinstance(obj, type):
            if not _is_helper_module(obj.__dict__.get("__module__")):
                continue
        elif isinstance(obj, FunctionType):
            if not _is_helper_module(obj.__module__):
                continue
        elif not (t in _PLAIN_CONTAINERS or _is_helper_module(getattr(t, "__module__", None))
                  or t.__name__ in ("cell", "method", "code")):
            continue
        owned.add(k)
        if t.__flags__ & _HAVE_GC:
            for ref in gc.get_referents(obj):
                # A function's globals are its module's dictionary: only the helper's are walked.
                if type(ref) is dict and "__name__" in ref and not _is_helper_module(ref["__name__"]):
                    continue
                stack.append(ref)
    return owned


def _cpu_clock() -> Callable[[], float]:
    """The calling thread's CPU time (user and system, so page faults count), where the platform
    has it; else the process's."""
    try:
        time.thread_time()
        return time.thread_time
    except (AttributeError, OSError):
        return time.process_time


def take(seconds: float, helper_roots: Iterable[Any] = ()) -> dict:
    """The snapshot's ``census``: at most ``TOP_TYPES`` types by bytes, totals, and whether the
    walk finished within ``seconds`` of this thread's CPU time."""
    t0 = time.perf_counter()
    cpu = _cpu_clock()
    cpu0 = cpu()
    deadline = cpu0 + seconds
    helper_roots = list(helper_roots)
    helper_roots += [m for name, m in list(sys.modules.items()) if _is_helper_module(name)]
    seen = _helper_owned(helper_roots)
    del helper_roots
    frame: Any = sys._getframe()
    while frame is not None:
        if _is_helper_module(frame.f_globals.get("__name__")):
            seen.add(identity(frame))
        frame = frame.f_back
    del frame
    objects = gc.get_objects()
    counter = TypeCounter()
    counts = counter.counts
    seen.update((identity(seen), identity(objects), identity(counter), identity(counts)))
    total = len(objects)
    pending: List[list] = []
    seen.add(identity(pending))
    next_seed = 0
    complete = True
    add = seen.add
    ident = identity
    get = counts.get
    referents = gc.get_referents
    sizeof = sys.getsizeof
    perf = time.perf_counter
    next_check = t0
    while True:
        if pending:
            batch = pending.pop()
        elif next_seed < total:
            batch = objects[next_seed:next_seed + _BATCH]
            next_seed += _BATCH
        else:
            break
        expand = []
        push = expand.append
        for obj in batch:
            k = ident(obj)
            if k in seen:
                continue
            add(k)
            t = type(obj)
            c = get(t)
            if c is None:
                c = counts[t] = [0, 0, t.__flags__ & _HAVE_GC]
            c[0] += 1
            try:
                c[1] += sizeof(obj)
            except Exception:
                pass
            if c[2]:
                push(obj)
        del batch
        if expand:
            found = referents(*expand)
            del expand
            if len(found) > _BATCH:
                pending.extend(found[i:i + _BATCH] for i in range(0, len(found), _BATCH))
            else:
                pending.append(found)
            del found
        # The CPU clock costs a system call (0.5 µs, against 0.06 for the wall clock) and the loop
        # turns about 100 000 times a second (read each turn, it cost 5-8 % of the walk): it is read
        # once per _CHECK_SECONDS of wall time.
        now = perf()
        if now >= next_check:
            next_check = now + _CHECK_SECONDS
            if cpu() > deadline:
                complete = False
                break
    del objects, pending
    n, size = counter.totals()
    out = {"types": counter.rows(TOP_TYPES), "objects": n, "bytes": size, "complete": complete,
           "seconds": round(time.perf_counter() - t0, 4), "cpuSeconds": round(cpu() - cpu0, 4)}
    if not complete:
        # How many of the collector's objects were reached says nothing here: the walk goes deep
        # from each start first, so it may have counted most objects from a few starts.
        out["note"] = ("The census stopped at its %s s bound of CPU time after counting %s objects (the "
                       "garbage collector tracks %s, and the walk also counts what they hold), so the "
                       "figures are a lower bound." % (_seconds(seconds), format(n, ","), format(total, ",")))
    return out


def _seconds(s: float) -> str:
    return ("%.3f" % s).rstrip("0").rstrip(".")
