"""Builds the snapshot document (``src/protocol/snapshot.ts`` describes it) and writes it.

Every file the helper leaves is written here, atomically: a temporary file in the same folder,
then a rename, so a reader never sees half a snapshot, whatever happens to the process. Files are
created with mode 0600 (they hold command lines and memory maps), only in a folder that exists:
the helper's children never create folders, so a late child whose host removed the run's folder
gives up instead of bringing the folder back.
"""
import json
import os
from typing import Dict, Iterable, List, Optional

from .aggregate import LineRow
from .scopes import file_scopes

FORMAT = "memlens.snapshot"
VERSION = 1


class _FileTable:
    """Numbers the files that lines and frames name, in first-seen order."""

    def __init__(self) -> None:
        self.index: Dict[str, int] = {}
        self.entries: List[dict] = []

    def ref(self, path: str) -> int:
        i = self.index.get(path)
        if i is None:
            i = self.index[path] = len(self.entries)
            self.entries.append({"path": path, "user": False, "lines": [], "peakLines": []})
        return i


def _line_json(table: _FileTable, row: LineRow) -> dict:
    out = {"line": row.line, "bytes": row.bytes, "blocks": row.blocks,
           "paths": [{"bytes": b, "blocks": n, "frames": [[table.ref(p), l] for p, l in frames]}
                     for b, n, frames in row.paths]}
    if row.no_user:
        out["noUserFrame"] = True
    return out


def build_document(*, kind: str, program: Optional[dict], settings: dict, totals: dict, peak: dict,
                   exit_rows: Iterable[LineRow], peak_rows: Iterable[LineRow],
                   is_user, processing_seconds: float, label: Optional[str] = None,
                   process: Optional[dict] = None, census: Optional[dict] = None, gc: Optional[dict] = None,
                   imports: Optional[List[dict]] = None, timeline: Optional[dict] = None,
                   pymalloc_stats: Optional[str] = None, origin: Optional[dict] = None,
                   tracing_stopped: Optional[dict] = None) -> dict:
    """The whole snapshot document; ``is_user(path)`` marks the user's files. The optional fields
    are written when given: ``process`` (the memory maps, from ``smaps.read_process_memory``),
    ``census`` (``census.take``), ``gc`` (``gc_watch.GcWatch.report``), ``imports``
    (``imports.ImportWatch.costs``), ``timeline`` (``timeline.Timeline.to_json``) and
    ``pymallocStats`` (``pymalloc.debug_malloc_stats``), ``tracingStopped`` (``{"at": seconds}``,
    when the program stopped tracing). ``program`` is None and ``origin`` given for
    a document imported from elsewhere (``tracemalloc_import``), which knows nothing of the program."""
    table = _FileTable()
    for key, rows in (("lines", exit_rows), ("peakLines", peak_rows)):
        for row in sorted(rows, key=lambda r: (r.path, r.line)):
            table.entries[table.ref(row.path)][key].append(_line_json(table, row))
    for entry in table.entries:
        entry["user"] = bool(is_user(entry["path"]))
        if entry["user"] and (entry["lines"] or entry["peakLines"]):
            scopes, error = file_scopes(entry["path"])
            if scopes is not None:
                entry["scopes"] = scopes
            else:
                entry["scopesError"] = error
    doc = {"format": FORMAT, "version": VERSION, "kind": kind, "program": program,
           "settings": settings, "totals": totals, "peak": peak, "files": table.entries,
           "processingSeconds": round(processing_seconds, 4)}
    if label:
        doc["label"] = label
    if tracing_stopped is not None:
        doc["tracingStopped"] = tracing_stopped
    optional = (("process", process), ("census", census), ("gc", gc), ("imports", imports),
                ("timeline", timeline), ("pymallocStats", pymalloc_stats), ("origin", origin))
    for key, value in optional:
        if value is not None:
            doc[key] = value
    return doc


class WriteError(OSError):
    """A snapshot file that could not be written; its text is a sentence for the user, such as
    "No space left on device (errno 28) writing /runs/x/snapshot.json"."""


def write_json_atomic(path: str, data: object) -> None:
    """Writes ``data`` as JSON to ``path`` through a temporary file (mode 0600) and a rename, in
    ``path``'s folder, which must exist; raises ``WriteError`` saying what failed."""
    folder = os.path.dirname(path) or "."
    # No tempfile: its lock may be held by a thread that a fork left behind.
    tmp = os.path.join(folder, ".memlens-%d-%s.tmp" % (os.getpid(), os.urandom(6).hex()))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise WriteError(_os_error(exc, path)) from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            # ASCII escapes keep odd file names (undecodable bytes become lone surrogates) valid.
            json.dump(data, f, ensure_ascii=True, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(_os_error(exc, path)) from None
        raise


def _os_error(exc: OSError, path: str) -> str:
    if exc.errno is None:
        return "%s writing %s" % (exc, path)
    return "%s (errno %d) writing %s" % (exc.strerror or os.strerror(exc.errno), exc.errno, path)
