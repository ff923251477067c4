"""The fast mode's native sampler, from Python: PEP 445 hooks on the RAW, MEM and OBJ allocators
that sample allocations by bytes (a Poisson process of mean ``interval`` bytes) and record each
sample's Python stack, with the per-stack estimated live bytes now (``live``) and at the moment
the estimated live total peaked (``peak``).

The C module is ``_built/_sampler<EXT_SUFFIX>``, built by ``scripts/build-native.sh`` for each
CPython 3.8-3.13; importing this package never fails, and ``unavailable()`` says why the module
cannot be used here (no build for this Python, a free-threaded build). Stacks are tuples of
``(filename, lineno)``, innermost first; the RAW allocations of threads that do not hold the GIL
have the empty stack. ``track_numpy(numpy)`` routes numpy's array data through the same sampler.
"""
import atexit
import os
import sys
import sysconfig
from types import ModuleType
from typing import List, NamedTuple, Optional, Tuple, Union

Stack = Tuple[Tuple[str, int], ...]

#: The default mean sampling interval, bytes (see the README's measured costs and errors).
DEFAULT_INTERVAL = 8 * 1024
DEFAULT_FRAMES = 64


class StackBytes(NamedTuple):
    """One stack of a view: its estimated live bytes, how many samples make the estimate, and the
    estimated number of live blocks (each sample stands for 1/p allocations)."""
    stack: Stack
    bytes: int
    samples: int
    blocks: int


class PeakView(NamedTuple):
    """The per-stack view copied when the estimated live total last rose past the margin."""
    stacks: List[StackBytes]
    total: int
    #: ``time.monotonic()`` seconds of the copy (0.0 when none was taken).
    time: float
    #: How many times the view was copied this session (each rise of the margin).
    copies: int


class LiveView(NamedTuple):
    """The per-stack view now, with the live total and sample count read at the same moment."""
    stacks: List[StackBytes]
    total: int
    samples: int


class Totals(NamedTuple):
    live: int
    high: int
    samples: int
    live_samples: int
    allocations: int


def _load() -> Tuple[Optional[object], Optional[str]]:
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return None, "this Python is free-threaded; the sampler's hooks assume the GIL"
    try:
        from memlens_native._built import _sampler  # type: ignore[attr-defined]
    except ImportError as error:
        return None, "no sampler module built for Python %d.%d (%s)" % (sys.version_info[0], sys.version_info[1], error)
    return _sampler, None


_sampler, _why_not = _load()
_stop_registered = False


def unavailable() -> Optional[str]:
    """None when the sampler can run here, else a sentence saying why not."""
    return _why_not


def _module():
    if _sampler is None:
        raise RuntimeError(_why_not)
    return _sampler


def start(interval: float = DEFAULT_INTERVAL, frames: int = DEFAULT_FRAMES, seed: Optional[int] = None,
          peak_margin: float = 0.01) -> None:
    """Starts a new session (the previous one's views are dropped): samples from now on, with
    ``frames`` frames per stack, a random seed unless one is given, and a peak copy at each rise
    of the estimated live total by ``peak_margin``. Tracking stops at exit, before the interpreter
    finalizes."""
    global _stop_registered
    module = _module()
    if seed is None:
        seed = int.from_bytes(os.urandom(8), "little")
    module.start(float(interval), int(frames), int(seed) & (2 ** 64 - 1), float(peak_margin))
    if not _stop_registered:
        atexit.register(stop)
        _stop_registered = True


def stop() -> None:
    """Puts the replaced allocators back; the views stay readable until the next ``start``."""
    if _sampler is not None:
        _sampler.stop()


def is_tracking() -> bool:
    return _sampler is not None and bool(_sampler.is_tracking())


def _merged(rows: List[Tuple[Stack, int, int, float]]) -> List[StackBytes]:
    """The module interns stacks by code object and instruction, so one line's allocations can
    come as several rows (two calls on one line, or two code objects of one file): equal
    (filename, line) stacks are one row here. Block estimates come as fractions, rounded once
    summed."""
    merged = {}
    for stack, size, count, blocks in rows:
        before = merged.get(stack)
        merged[stack] = (size, count, blocks) if before is None else (
            before[0] + size, before[1] + count, before[2] + blocks)
    return [StackBytes(stack, size, count, int(blocks + 0.5)) for stack, (size, count, blocks) in merged.items()]


def live() -> List[StackBytes]:
    """The estimated live bytes of each stack now."""
    return live_view().stacks


def live_view() -> LiveView:
    """``live()`` with the totals of the same moment (``totals()`` is read later, after the
    allocations that building this view's Python objects makes)."""
    rows, total, samples = _module().live()
    return LiveView(_merged(rows), total, samples)


def peak() -> PeakView:
    """The per-stack view at the recorded peak, with its estimated total, time and copies."""
    rows, total, when, copies = _module().peak()
    return PeakView(_merged(rows), total, when, copies)


def totals() -> Totals:
    """Estimated live bytes, their high, samples taken and live, allocations seen."""
    return Totals(*_module().totals())


def _numpy_c_api(numpy: ModuleType) -> Union[object, str]:
    """numpy's C-API table capsule, where numpy's own ``import_array()`` finds it
    (``numpy._core._multiarray_umath`` since 2.0, ``numpy.core`` before), or a sentence saying why
    it is not there. Only modules already imported are looked at: importing numpy's core from
    here while numpy itself is being imported could break that import."""
    for core in ("_core", "core"):
        umath = sys.modules.get("%s.%s._multiarray_umath" % (numpy.__name__, core))
        api = getattr(umath, "_ARRAY_API", None)
        if api is not None:
            return api
    return ("%s has no C API table loaded (_multiarray_umath._ARRAY_API): it is not numpy, or its import "
            "has not finished" % numpy.__name__)


def track_numpy(numpy: ModuleType) -> Optional[str]:
    """Routes the array data of ``numpy`` (the imported module) through the sampler, so that
    arrays are on the lines that made them: installs a NEP 49 handler that wraps numpy's current
    one. None when done (or already done in this context), else a sentence saying why not (no
    sampler here, numpy older than 1.22, a numpy C ABI this module does not know).

    Call it once numpy's import has finished, whether or not a session is running: the handler
    samples while one is and passes every call through otherwise, so arrays made during a session
    are freed correctly after ``stop()``. numpy keeps the handler in a ContextVar, so it applies to the calling
    thread and to contexts copied from it later (asyncio tasks); a thread started with
    ``threading`` begins with an empty context and numpy's default handler, and its arrays are
    not seen unless it calls ``track_numpy`` itself. Arrays keep their handler: an array made in
    a tracked context and freed in any thread leaves the table."""
    if _sampler is None:
        return _why_not
    api = _numpy_c_api(numpy)
    if isinstance(api, str):
        return api
    return _sampler.track_numpy(api)
