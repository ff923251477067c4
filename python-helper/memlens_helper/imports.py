"""What each import cost: traced memory, anonymous memory and wall time per imported module.

A finder placed first on ``sys.meta_path`` finds nothing itself: it asks the finders after it
for the spec, as the import system would, and when the spec's loader is an object of its own
(not a class such as ``BuiltinImporter``), it arms that loader with two instance attributes,
``create_module`` and ``exec_module``, that shadow the class's methods. Each removes both
attributes as soon as it is called (the loader is then exactly what it was), measures, and calls
the loader's own method. So ``spec.loader``, ``module.__loader__``, types and identities stay the
loader's, and nothing runs outside imports. A loader armed for a spec that is never loaded
(``importlib.util.find_spec``) is disarmed at the next import in the same thread.

Measuring starts in ``create_module`` (an extension module runs its initialisation there) and
ends when ``exec_module`` returns. Nested imports are attributed to the module being imported
(a stack per thread): ``total`` is the growth while the module was imported, ``self`` that minus
its measured children. The figures are traced memory (the tracker's: tracemalloc's, or the sampler's estimate) and
anonymous resident memory (``/proc/self/statm``, see ``process_stats.rss_and_anonymous``).

What it misses: modules imported before the helper started (the interpreter's start-up), built-in
and frozen modules (their loader is a class; their cost counts in the module that imported them),
modules found by finders that the program puts before this one on ``sys.meta_path``, and loaders
without ``exec_module``. A failed import records nothing; what it imported successfully is
attributed to the module that tried it. Imports in several threads at once overlap in time, and
each then sees the other's growth.

The calls to the loader's own methods carry the marker ``# runs the imported module``:
``aggregate`` lets allocations whose traceback passes through those lines (and only those)
count as the program's, not as the helper's.
"""
import sys
import threading
import time
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Tuple

from .process_stats import rss_and_anonymous

#: The marker on the lines through which the imported module's own code runs.
RUNS_IMPORTED_CODE = "# runs the imported module"
MAX_MARKERS = 1000
_ARMED = "_memlens_armed"
_HELPER_PACKAGE = __name__.split(".")[0]


def _marked_lines() -> frozenset:
    """Lines of this file that carry ``RUNS_IMPORTED_CODE``, read from the source once at start."""
    try:
        with open(__file__, encoding="utf-8") as f:
            return frozenset(i for i, text in enumerate(f, 1) if text.rstrip().endswith(RUNS_IMPORTED_CODE))
    except (OSError, UnicodeDecodeError):
        return frozenset()


#: Line numbers in this file that are transparent to attribution (see the module's docstring).
TRANSPARENT_LINES = _marked_lines()


class _Frame:
    """One import in progress."""

    __slots__ = ("name", "spec", "created", "start", "traced", "anon", "child_traced", "child_anon",
                 "children")

    def __init__(self, name: str, spec: Any, start: float, traced: int, anon: Optional[int]) -> None:
        self.name = name
        self.spec = spec
        # True between create_module's return and exec_module's call, when nothing else imports.
        self.created = False
        self.start = start
        self.traced = traced
        self.anon = anon
        self.child_traced = 0
        self.child_anon = 0
        # Indexes into ImportWatch.records of the imports this one pulled in.
        self.children: List[int] = []


class ImportWatch:
    """The finder (installed first on ``sys.meta_path``) and the costs it recorded."""

    def __init__(self, perf0: float, traced: Callable[[], Tuple[int, int]]) -> None:
        self.perf0 = perf0
        #: The tracker's traced bytes now and their peak (estimated in the fast mode).
        self._traced = traced
        # (module, parent, file, start, seconds, tracedSelf, tracedTotal, anonSelf, anonTotal)
        self.records: List[list] = []
        # (t, module) of imports that user code made directly.
        self.markers: List[tuple] = []
        self._local = threading.local()
        self.installed = False
        #: Called with the module once the import of that name has run, in the importing thread:
        #: the fast mode routes numpy's arrays through the sampler there (numpy's allocator is
        #: per context, and the importing thread's is the one that makes the program's arrays).
        self.after_import: Dict[str, Callable[[ModuleType], None]] = {}

    # The finder protocol -------------------------------------------------------------------

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        local = self._local
        armed = getattr(local, "armed", None)
        if armed is not None:
            local.armed = None
            _disarm(armed)
        if fullname == _HELPER_PACKAGE or fullname.startswith(_HELPER_PACKAGE + "."):
            return None  # The helper's own modules are not the program's imports.
        spec = None
        meta_path = sys.meta_path
        after = False
        for finder in list(meta_path):
            if not after:
                after = finder is self
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue  # A legacy finder: the import system asks it after this one returns None.
            spec = find(fullname, path, target)
            if spec is not None:
                break
        if spec is None:
            return None
        loader = spec.loader
        if (loader is not None and not isinstance(loader, (type, ModuleType)) and hasattr(loader, "exec_module")
                and self._arm(loader)):
            local.armed = loader
        return spec

    def _arm(self, loader: Any) -> bool:
        """Gives the loader the measuring attributes; False when it cannot take them."""
        try:
            state = vars(loader)
        except TypeError:
            return False  # No instance dictionary (slots, a C type).
        if _ARMED in state:
            return True
        saved = {name: state[name] for name in ("create_module", "exec_module") if name in state}
        real_create = getattr(loader, "create_module", None)
        real_exec = loader.exec_module
        watch = self

        def create_module(spec_: Any) -> Any:
            frame = watch._enter(loader, ("create_module",), spec_, None)
            try:
                module = real_create(spec_)  # runs the imported module
            except BaseException:
                watch._leave(frame, ok=False)
                raise
            if frame is not None:
                frame.created = True
            return module

        def exec_module(module: Any) -> None:
            frame = watch._enter(loader, ("create_module", "exec_module"), None, module)
            try:
                real_exec(module)  # runs the imported module
            except BaseException:
                watch._leave(frame, ok=False)
                raise
            watch._leave(frame, ok=True)
            then = watch.after_import.get(getattr(module, "__name__", None))
            if then is not None:
                try:
                    then(module)
                except Exception:
                    pass  # The program's import has succeeded; what MemLens does after is its own.

        try:
            state[_ARMED] = saved
            if real_create is not None:
                loader.create_module = create_module
            loader.exec_module = exec_module
        except Exception:
            _disarm(loader)
            return False
        return True

    def _enter(self, loader: Any, names: tuple, spec: Any, module: Any) -> Optional[_Frame]:
        """Disarms ``names`` and opens (or, for ``exec_module``, resumes) the module's frame.
        Never raises: a failure here must not fail the program's import; it is just not measured."""
        try:
            if getattr(self._local, "armed", None) is loader:
                self._local.armed = None  # In use: a nested import must not disarm it.
            _disarm(loader, names)
            return self._begin(spec) if module is None else self._resume(module)
        except Exception:
            return None

    def _leave(self, frame: Optional[_Frame], ok: bool) -> None:
        if frame is not None:
            try:
                self._end(frame, ok)
            except Exception:
                pass

    # Measuring -----------------------------------------------------------------------------

    def _stack(self) -> List[_Frame]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def _begin(self, spec: Any) -> _Frame:
        stack = self._stack()
        # A module created but never executed (its attributes failed to set) is dropped.
        while stack and stack[-1].created:
            self._end(stack[-1], ok=False)
        frame = _Frame(getattr(spec, "name", None) or "?", spec, time.perf_counter(),
                       self._traced()[0], rss_and_anonymous()[1])
        stack.append(frame)
        return frame

    def _resume(self, module: Any) -> _Frame:
        """The frame create_module opened for this module, or a new one."""
        stack = self._stack()
        spec = getattr(module, "__spec__", None)
        if stack and stack[-1].created and stack[-1].spec is spec:
            stack[-1].created = False
            return stack[-1]
        if spec is None:
            spec = _NameOnly(getattr(module, "__name__", "?"))
        return self._begin(spec)

    def _end(self, frame: _Frame, ok: bool) -> None:
        now = time.perf_counter()
        traced = self._traced()[0]
        anon = rss_and_anonymous()[1]
        stack = self._stack()
        while stack and stack[-1] is not frame:
            stack.pop()  # Frames an exception skipped past; they recorded nothing.
        if stack:
            stack.pop()
        parent = stack[-1] if stack else None
        if not ok:
            # Nothing is recorded for a failed import; its measured children move up a level.
            if parent is not None:
                parent.child_traced += frame.child_traced
                parent.child_anon += frame.child_anon
                parent.children.extend(frame.children)
            for i in frame.children:
                self.records[i][1] = parent.name if parent is not None else None
            return
        traced_total = traced - frame.traced
        anon_total = anon - frame.anon if anon is not None and frame.anon is not None else None
        start = frame.start - self.perf0
        spec = frame.spec
        origin = getattr(spec, "origin", None)
        file = origin if isinstance(origin, str) and getattr(spec, "has_location", False) else None
        self.records.append([frame.name, parent.name if parent is not None else None, file,
                             start, now - frame.start, traced_total - frame.child_traced, traced_total,
                             anon_total - frame.child_anon if anon_total is not None else None, anon_total])
        if parent is not None:
            parent.child_traced += traced_total
            if anon_total is not None:
                parent.child_anon += anon_total
            parent.children.append(len(self.records) - 1)
        elif len(self.markers) < MAX_MARKERS:
            self.markers.append((start, frame.name))

    # Life cycle ----------------------------------------------------------------------------

    def install(self) -> None:
        sys.meta_path.insert(0, self)  # type: ignore[arg-type]
        self.installed = True

    def uninstall(self) -> None:
        """Stops measuring (the helper's own imports at exit are not the program's)."""
        if self.installed:
            self.installed = False
            try:
                sys.meta_path.remove(self)  # type: ignore[arg-type]
            except ValueError:
                pass  # The program rebuilt sys.meta_path.

    def costs(self) -> List[dict]:
        """The snapshot's ``imports``: one entry per measured import, in the order they began."""
        out = []
        for name, parent, file, start, seconds, t_self, t_total, a_self, a_total in sorted(
                self.records, key=lambda r: r[3]):
            out.append({"module": name, "parent": parent, "file": file, "start": round(start, 4),
                        "seconds": round(seconds, 6), "tracedSelf": t_self, "tracedTotal": t_total,
                        "privateDirtySelf": a_self, "privateDirtyTotal": a_total})
        return out


class _NameOnly:
    """A stand-in spec for a module executed without one."""

    origin = None
    has_location = False

    def __init__(self, name: str) -> None:
        self.name = name


def _disarm(loader: Any, names: tuple = ("create_module", "exec_module")) -> None:
    """Removes measuring attributes (``names``; all of them by default, and the loader is then
    as it was), restoring any instance attributes they shadowed."""
    try:
        state = vars(loader)
        saved = state.get(_ARMED)
        if saved is None:
            return
        for name in names:
            if name in saved:
                state[name] = saved.pop(name)
            else:
                state.pop(name, None)
        if "exec_module" in names:
            del state[_ARMED]
    except Exception:
        pass

