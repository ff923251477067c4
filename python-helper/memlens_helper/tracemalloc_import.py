"""Imports a file written by ``tracemalloc.Snapshot.dump()`` as a MemLens snapshot document.

    python -E -S -m memlens_helper.tracemalloc_import IN OUT [--root DIR ...] [--max-paths N]

A dump is a pickle, and loading a pickle can run any code it names. The extension loads one only
after the user said the file is trusted, and only in this separate process; on top of that the
unpickler here resolves exactly the two classes a dump names (``tracemalloc.Snapshot`` and
``tracemalloc._Traces``, pickled by ``NEWOBJ`` on every Python 3.6-3.13, no ``copyreg`` helper)
and refuses any other before anything of it is looked up, let alone called. What it builds is
then checked to be a snapshot of the known layout before any of it is used.

The raw traces (``Snapshot.traces._traces``: ``(domain, size, frames)`` up to 3.8 and
``(domain, size, frames, total_nframe)`` from 3.9, frames innermost first, one tuple per distinct
traceback, which pickling keeps shared) are grouped exactly as at the end of a profiled run
(``aggregate.summarize``, ``usercode.UserCode``). A dump records nothing about the program (its
command line, process, times, resident memory, the traced peak): those fields are null, never
guessed, and ``origin`` says where the document came from.

The exit code says what went wrong and stderr holds one sentence for the user: see ``EXIT_*``.
Run it with ``-S`` (or at least without ``MEMLENS_OUT``), so that the helper's ``sitecustomize``
does not start profiling this process itself. The extension also passes ``-E`` (no ``PYTHONPATH``
that could shadow ``pickle``), from the helper's folder, which ``-m`` puts first on ``sys.path``.
"""
import argparse
import os
import pickle
import platform
import sys
import time
import tracemalloc
from typing import Iterable, List, NoReturn, Optional, Sequence, Set

from .aggregate import summarize
from .snapshot_writer import Peak, Settings, Totals, build_document, write_json_atomic
from .usercode import UserCode

EXIT_UNREADABLE = 3
EXIT_NOT_PICKLE = 4
EXIT_NOT_SNAPSHOT = 5
EXIT_FORBIDDEN = 6
EXIT_TRUNCATED = 7
EXIT_VERSION = 8
EXIT_WRITE = 9
EXIT_FAILED = 1

HELPER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Everything a Snapshot.dump() file names. Checked as exact pairs: from pickle protocol 4 a dotted
# name ("Snapshot.load") would otherwise reach attributes of an allowed class.
_ALLOWED = frozenset({("tracemalloc", "Snapshot"), ("tracemalloc", "_Traces")})


class DumpError(Exception):
    """A dump that cannot be imported: ``code`` is the exit code, the message one sentence."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Forbidden(Exception):
    """Raised from inside the unpickler; deliberately not an UnpicklingError, so it is told apart."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _show(text: object, limit: int = 80) -> str:
    """A name read from the file, safe to put in a one-line message (no control characters)."""
    s = str(text)
    s = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in s)
    return s if len(s) <= limit else s[:limit - 1] + "\u2026"


class _SnapshotUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        if (module, name) not in _ALLOWED:
            raise _Forbidden("%s.%s" % (_show(module), _show(name)))
        cls = getattr(tracemalloc, name, None)
        if not isinstance(cls, type):
            raise DumpError(EXIT_VERSION, "this Python's tracemalloc has no %s class" % name)
        return cls

    def persistent_load(self, pid: object) -> NoReturn:
        raise _Forbidden("a persistent object (%s)" % _show(pid))


def load_dump(path: str) -> object:
    """Unpickles ``path`` with the restricted unpickler. @raises DumpError."""
    try:
        f = open(path, "rb")
    except OSError as exc:
        raise DumpError(EXIT_UNREADABLE, "%s cannot be read (%s)." % (path, exc.strerror or exc)) from None
    with f:
        head = f.read(2)
        if not head:
            raise DumpError(EXIT_NOT_PICKLE, "%s is empty, not a tracemalloc snapshot." % path)
        # Snapshot.dump() writes the newest protocol, which starts with PROTO (0x80) and its number.
        if head[:1] != b"\x80":
            hint = (" It is JSON: if it is a MemLens snapshot, open it with MemLens: Open Snapshot File."
                    if head[:1] in (b"{", b"[") else "")
            raise DumpError(EXIT_NOT_PICKLE, "%s is not a pickle, so not a file written by tracemalloc's "
                                             "Snapshot.dump().%s" % (path, hint))
        if len(head) < 2:
            raise DumpError(EXIT_TRUNCATED, "%s is truncated: it ends after its first byte." % path)
        if head[1] > pickle.HIGHEST_PROTOCOL:
            raise DumpError(EXIT_VERSION, "%s was written with pickle protocol %d, newer than Python %s reads "
                                          "(up to %d): import it with the Python that wrote it, or a newer one."
                            % (path, head[1], platform.python_version(), pickle.HIGHEST_PROTOCOL))
        f.seek(0)
        try:
            return _SnapshotUnpickler(f).load()
        except _Forbidden as exc:
            raise DumpError(EXIT_FORBIDDEN, "%s asks to load %s, which no tracemalloc snapshot holds: it may be a "
                                            "hostile file (pickles can run code), so MemLens stopped reading it and "
                                            "ran nothing from it." % (path, exc.what)) from None
        except DumpError as exc:
            raise DumpError(exc.code, "%s cannot be read here: %s; import it with the Python that wrote it."
                            % (path, exc)) from None
        except EOFError:
            raise DumpError(EXIT_TRUNCATED, _truncated(path)) from None
        except pickle.UnpicklingError as exc:
            # "pickle data was truncated" (C), "pickle exhausted before end of frame" (Python).
            if "truncated" in str(exc) or "exhausted" in str(exc):
                raise DumpError(EXIT_TRUNCATED, _truncated(path)) from None
            raise DumpError(EXIT_NOT_PICKLE, "%s is a damaged pickle (%s), not a tracemalloc snapshot."
                            % (path, _show(exc, 120))) from None
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            # What the unpickler raises on opcodes that make no sense (a bad memo index, a
            # non-string global name): the bytes are not a well-formed pickle.
            raise DumpError(EXIT_NOT_PICKLE, "%s is a damaged pickle (%s: %s), not a tracemalloc snapshot."
                            % (path, type(exc).__name__, _show(exc, 120))) from None


def _truncated(path: str) -> str:
    return "%s is truncated: the pickle ends before the snapshot does (an interrupted dump or copy?)." % path


def raw_traces(snapshot: object, path: str) -> tuple:
    """``(traces, traceback_limit)`` of an unpickled dump, checked down to every frame, since a
    hostile file can give the allowed classes any state. @raises DumpError."""
    def not_snapshot(what: str) -> DumpError:
        return DumpError(EXIT_NOT_SNAPSHOT, "%s is not a tracemalloc snapshot: %s." % (path, what))

    if type(snapshot) is not tracemalloc.Snapshot:
        raise not_snapshot("it holds a pickled %s" % _show(type(snapshot).__name__))
    state = vars(snapshot)
    traces_obj, limit = state.get("traces"), state.get("traceback_limit")
    traces = vars(traces_obj).get("_traces") if type(traces_obj) is tracemalloc._Traces else None
    if type(traces) not in (list, tuple):
        raise not_snapshot("its traces are missing")
    if type(limit) is not int or limit < 1:
        raise not_snapshot("its traceback limit is %s" % _show(repr(limit)))
    checked: Set[int] = set()
    for trace in traces:
        if type(trace) is not tuple:
            raise not_snapshot("a trace is a %s" % _show(type(trace).__name__))
        if len(trace) not in (3, 4):
            raise DumpError(EXIT_VERSION, "%s holds traces of %d items, a layout MemLens does not know (it reads "
                                          "those of Python 3.6 to 3.13)." % (path, len(trace)))
        frames = trace[2]
        if not (type(trace[0]) is int and type(trace[1]) is int and trace[1] >= 0 and type(frames) is tuple
                and (len(trace) == 3 or type(trace[3]) is int)):
            raise not_snapshot("a trace is not (domain, size, frames)")
        # Frames are shared per distinct traceback: each tuple is checked once.
        if id(frames) not in checked:
            checked.add(id(frames))
            for frame in frames:
                if not (type(frame) is tuple and len(frame) == 2 and type(frame[0]) is str
                        and "\0" not in frame[0] and type(frame[1]) is int and frame[1] >= 0):
                    raise not_snapshot("a frame is not (file name, line)")
    return traces, limit


def start_folder(traces: Sequence[tuple], candidates: List[str]) -> str:
    """The folder relative file names are resolved against. Python 3.8 keeps a script's name as
    given on its command line, and a dump does not say where that was run: the candidate (the
    roots, then the dump's folder) under which most of those names exist; the last when none."""
    names: Set[str] = set()
    seen: Set[int] = set()
    for trace in traces:
        frames = trace[2]
        if id(frames) not in seen:
            seen.add(id(frames))
            names.update(f[0] for f in frames if f[0] and not f[0].startswith("<") and not os.path.isabs(f[0]))
    if not names:
        return candidates[-1]
    hits = [sum(os.path.exists(os.path.join(folder, n)) for n in names) for folder in candidates]
    best = max(range(len(candidates)), key=lambda i: (hits[i], -i))
    return candidates[best] if hits[best] > 0 else candidates[-1]


def import_dump(path: str, roots: Iterable[str], max_paths: int) -> dict:
    """The snapshot document of the dump at ``path``. @raises DumpError."""
    t0 = time.monotonic()
    traces, limit = raw_traces(load_dump(path), path)
    dump_dir = os.path.dirname(os.path.realpath(path))
    roots = [os.path.realpath(r) for r in roots] or [os.path.realpath(os.getcwd())]
    user = UserCode(roots, HELPER_DIR, start_folder(traces, roots + [dump_dir]))
    summary = summarize(traces, user, max_paths)
    # What a dump cannot tell is null: the process's figures, the traced peak, and the peak view's
    # capture settings (there was no capture).
    totals = Totals(traced_current=summary.bytes, traced_peak=None, blocks=summary.blocks, rss=None,
                    wall_seconds=None, usage=None)
    peak = Peak(method="none", captured_traced=0, captured_at=None, step_bytes=None, poll_seconds=None, captures=0)
    settings = Settings(frames=limit, roots=user.roots, max_paths=max_paths)
    return build_document(kind="snapshot", program=None, settings=settings, totals=totals, peak=peak,
                          exit_rows=summary.rows, peak_rows=[], is_user=user.is_user,
                          processing_seconds=time.monotonic() - t0, label=os.path.basename(path),
                          imported_from=os.path.realpath(path))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m memlens_helper.tracemalloc_import",
        description="Convert a tracemalloc Snapshot.dump() file into a MemLens snapshot document.")
    parser.add_argument("dump", help="the file written by tracemalloc.Snapshot.dump()")
    parser.add_argument("out", help="where to write the MemLens snapshot (JSON)")
    parser.add_argument("--root", action="append", default=[], metavar="DIR",
                        help="a folder of user code (repeatable; default: the working folder)")
    parser.add_argument("--max-paths", type=int, default=5, metavar="N", help="call paths kept per line (1-100)")
    args = parser.parse_args(argv)
    max_paths = max(1, min(100, args.max_paths))
    try:
        doc = import_dump(args.dump, args.root, max_paths)
    except DumpError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    except Exception as exc:  # A bug here: still one sentence for the user, not a traceback.
        print("MemLens could not import %s (%s: %s)." % (args.dump, type(exc).__name__, _show(exc, 200)),
              file=sys.stderr)
        return EXIT_FAILED
    try:
        # The importer is a process of its own, not a helper child: it may make the output's folder.
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), mode=0o700, exist_ok=True)
        write_json_atomic(args.out, doc)
    except OSError as exc:
        print("MemLens could not write %s (%s)." % (args.out, exc.strerror or exc), file=sys.stderr)
        return EXIT_WRITE
    return 0


if __name__ == "__main__":
    sys.exit(main())
