"""Builds the snapshot document (``src/protocol/snapshot.ts`` describes it) and writes it.

Every file the helper leaves is written here, atomically: a temporary file in the same folder,
then a rename, so a reader never sees half a snapshot, whatever happens to the process.
"""
import json
import os
import tempfile
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
                   pymalloc_stats: Optional[str] = None, origin: Optional[dict] = None) -> dict:
    """The whole snapshot document; ``is_user(path)`` marks the user's files. The optional fields
    are written when given: ``process`` (the memory maps, from ``smaps.read_process_memory``),
    ``census`` (``census.take``), ``gc`` (``gc_watch.GcWatch.report``), ``imports``
    (``imports.ImportWatch.costs``), ``timeline`` (``timeline.Timeline.to_json``) and
    ``pymallocStats`` (``pymalloc.debug_malloc_stats``). ``program`` is None and ``origin`` given for
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
    optional = (("process", process), ("census", census), ("gc", gc), ("imports", imports),
                ("timeline", timeline), ("pymallocStats", pymalloc_stats), ("origin", origin))
    for key, value in optional:
        if value is not None:
            doc[key] = value
    return doc


def write_json_atomic(path: str, data: object) -> None:
    """Writes ``data`` as JSON to ``path`` through a temporary file and a rename."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".memlens-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            # ASCII escapes keep odd file names (undecodable bytes become lone surrogates) valid.
            json.dump(data, f, ensure_ascii=True, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
