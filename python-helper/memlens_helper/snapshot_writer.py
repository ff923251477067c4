"""Builds the snapshot document (``src/protocol/snapshot.ts`` describes it) and writes it.

``build_document`` is the one builder of every snapshot document the helper writes: the exit
snapshot (``session``), a snapshot taken during the run (``midrun``) and an imported tracemalloc
dump (``tracemalloc_import``). Callers pass what differs between them as plain values
(``Program``, ``Settings``, ``Totals``, ``Peak``); the field names and their order are written
here alone, so the three kinds of document cannot drift apart, and every name written here is one
that ``test/fixtures/snapshot-fields.json`` declares (the helper tests check it).

Every file the helper leaves is written here, atomically: a temporary file in the same folder,
then a rename, so a reader never sees half a snapshot, whatever happens to the process. Files are
created with mode 0600 (they hold command lines and memory maps), only in a folder that exists:
the helper's children never create folders, so a late child whose host removed the run's folder
gives up instead of bringing the folder back.
"""
import json
import os
from typing import Callable, Dict, Iterable, List, NamedTuple, Optional

from .aggregate import LineRow
from .process_stats import Usage
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


def _path_json(table: _FileTable, size: int, blocks: int, frames: list, samples: Optional[int]) -> dict:
    out: dict = {"bytes": size, "blocks": blocks, "frames": [[table.ref(p), l] for p, l in frames]}
    if samples is not None:
        out["samples"] = samples
    return out


def _line_json(table: _FileTable, row: LineRow) -> dict:
    out: dict = {"line": row.line, "bytes": row.bytes, "blocks": row.blocks}
    if row.samples is not None:
        out["samples"] = row.samples
    out["paths"] = [_path_json(table, *path) for path in row.paths]
    if row.no_user:
        out["noUserFrame"] = True
    return out


class Program(NamedTuple):
    """The program and its process (``ProgramInfo``); times are seconds since the Unix epoch."""
    argv: List[str]
    cwd: str
    #: The working folder at an exit snapshot where the program changed it; else None.
    exit_cwd: Optional[str]
    pid: int
    executable: str
    version: str
    implementation: str
    start_time: float
    end_time: float
    #: How the program ended (``ProgramEnd``), as ``session`` saw it: ``{"kind": "exit"}``…
    end: dict


class Settings(NamedTuple):
    """What the allocations were tracked and grouped with (``SnapshotSettings``)."""
    frames: int
    roots: List[str]
    max_paths: int
    #: ``fast`` (sampled, estimated figures), ``exact`` (tracemalloc) or ``light`` (not tracked).
    mode: str = "exact"
    #: The fast mode's mean sampling interval, bytes.
    sample_interval: Optional[int] = None
    #: Why the mode asked for did not run, as a sentence for the user.
    mode_note: Optional[str] = None


class Totals(NamedTuple):
    """The run's figures (``Totals``). A document made outside the program (an imported dump)
    knows only the traces: the rest is None, written as null."""
    traced_current: int
    traced_peak: Optional[int]
    blocks: int
    rss: Optional[int]
    #: Seconds since the program started, when the snapshot was taken.
    wall_seconds: Optional[float]
    usage: Optional[Usage]
    #: Live samples behind the fast mode's estimates; None for exact figures.
    samples: Optional[int] = None


class Peak(NamedTuple):
    """How the per-line view at the peak was obtained (``PeakInfo``)."""
    method: str
    captured_traced: int
    #: Seconds since the program started; None without a capture.
    captured_at: Optional[float]
    step_bytes: Optional[int]
    poll_seconds: Optional[float]
    captures: int
    #: Why the watcher stopped capturing the peak during the run, where it did.
    error: Optional[str] = None
    #: The sampler's margin (``method == "sampler"``): a copy at each rise of this fraction.
    margin: Optional[float] = None


def _program_json(p: Program) -> dict:
    out: dict = {"argv": p.argv, "cwd": p.cwd}
    if p.exit_cwd is not None:
        out["exitCwd"] = p.exit_cwd
    out.update({"pid": p.pid,
                "python": {"executable": p.executable, "version": p.version, "implementation": p.implementation},
                "startTime": round(p.start_time, 3), "endTime": round(p.end_time, 3), "end": p.end})
    return out


def _totals_json(t: Totals) -> dict:
    u = t.usage
    return {"tracedCurrent": t.traced_current, "tracedPeak": t.traced_peak, "blocks": t.blocks,
            "maxRss": None if u is None else u.max_rss, "rss": t.rss,
            "minorFaults": None if u is None else u.minor_faults,
            "majorFaults": None if u is None else u.major_faults,
            "wallSeconds": None if t.wall_seconds is None else round(t.wall_seconds, 4),
            "cpuUserSeconds": None if u is None else u.cpu_user_seconds,
            "cpuSystemSeconds": None if u is None else u.cpu_system_seconds,
            **({} if t.samples is None else {"samples": t.samples})}


def _peak_json(p: Peak) -> dict:
    out = {"method": p.method, "capturedTraced": p.captured_traced,
           "capturedAt": None if p.captured_at is None else round(p.captured_at, 3),
           "stepBytes": p.step_bytes, "pollSeconds": p.poll_seconds, "captures": p.captures}
    if p.error is not None:
        out["error"] = p.error
    if p.margin is not None:
        out["margin"] = p.margin
    return out


def _settings_json(s: Settings) -> dict:
    out: dict = {"frames": s.frames, "roots": s.roots, "maxPaths": s.max_paths, "mode": s.mode}
    if s.sample_interval is not None:
        out["sampleInterval"] = s.sample_interval
    if s.mode_note is not None:
        out["modeNote"] = s.mode_note
    return out


def build_document(*, kind: str, program: Optional[Program], settings: Settings, totals: Totals, peak: Peak,
                   exit_rows: Iterable[LineRow], peak_rows: Iterable[LineRow],
                   is_user: Callable[[str], bool], processing_seconds: float, label: Optional[str] = None,
                   sequence: Optional[int] = None, process: Optional[dict] = None, census: Optional[dict] = None,
                   gc: Optional[dict] = None, imports: Optional[List[dict]] = None, timeline: Optional[dict] = None,
                   pymalloc_stats: Optional[str] = None, imported_from: Optional[str] = None,
                   tracing_stopped_at: Optional[float] = None) -> dict:
    """The whole snapshot document: ``kind`` is ``exit`` at the end of a run, ``snapshot`` for one
    taken during it (with its ``sequence`` number in the run) or imported; ``is_user(path)`` marks
    the user's files. ``program`` is None and ``imported_from`` the dump's path for a document
    imported from a tracemalloc dump (``tracemalloc_import``), which knows nothing of the program.
    ``tracing_stopped_at`` is when the program stopped tracing, in seconds since it started.

    The sections that other modules build are written as they give them, when given: ``process``
    (the memory maps, ``smaps.read_process_memory``), ``census`` (``census.take``), ``gc``
    (``gc_watch.GcWatch.report``), ``imports`` (``imports.ImportWatch.costs``), ``timeline``
    (``timeline.Timeline.to_json``) and ``pymalloc_stats`` (``pymalloc.debug_malloc_stats``)."""
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
    doc: dict = {"format": FORMAT, "version": VERSION, "kind": kind}
    if label:
        doc["label"] = label
    if sequence is not None:
        doc["sequence"] = sequence
    doc.update({"program": None if program is None else _program_json(program),
                "settings": _settings_json(settings),
                "totals": _totals_json(totals), "peak": _peak_json(peak), "files": table.entries,
                "processingSeconds": round(processing_seconds, 4)})
    sections = (("process", process), ("census", census), ("gc", gc), ("imports", imports),
                ("timeline", timeline), ("pymallocStats", pymalloc_stats),
                ("origin", None if imported_from is None else {"kind": "tracemalloc-dump", "path": imported_from}),
                ("tracingStopped", None if tracing_stopped_at is None else {"at": round(tracing_stopped_at, 3)}))
    for key, value in sections:
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
