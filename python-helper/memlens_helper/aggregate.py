"""Turns tracemalloc's raw traces into memory per source line.

The traces are read once (``tracemalloc._get_traces()``: tuples whose frames run innermost
first) and grouped by traceback object first: tracemalloc shares one tuple per distinct
traceback, so grouping by identity is a cheap integer lookup per block. The user's line is then
resolved once per distinct traceback, never per block.
"""
import heapq
from typing import Dict, List, Sequence, Tuple

from .census import identity
from .usercode import UserCode

Frame = Tuple[str, int]
PathRow = Tuple[int, int, List[Frame]]


class LineRow:
    """Live memory attributed to one line: totals and the call paths that allocated it."""

    __slots__ = ("path", "line", "bytes", "blocks", "no_user", "paths")

    def __init__(self, path: str, line: int, no_user: bool) -> None:
        self.path = path
        self.line = line
        self.bytes = 0
        self.blocks = 0
        self.no_user = no_user
        self.paths: List[PathRow] = []

    def to_json(self) -> list:
        return [self.path, self.line, self.bytes, self.blocks, self.no_user,
                [[b, n, [list(f) for f in frames]] for b, n, frames in self.paths]]

    @classmethod
    def from_json(cls, row: list) -> "LineRow":
        r = cls(row[0], row[1], row[4])
        r.bytes, r.blocks = row[2], row[3]
        r.paths = [(b, n, [(f[0], f[1]) for f in frames]) for b, n, frames in row[5]]
        return r


class Summary:
    """Per-line rows plus the totals they add up to."""

    def __init__(self, rows: List[LineRow], bytes_: int, blocks: int) -> None:
        self.rows = rows
        self.bytes = bytes_
        self.blocks = blocks


def group_by_traceback(traces: Sequence[tuple]) -> List[list]:
    """``[frames, bytes, blocks]`` per distinct traceback (tuples from ``_get_traces``)."""
    groups: Dict[int, list] = {}
    get = groups.get
    ident = identity
    for trace in traces:
        frames = trace[2]
        g = get(ident(frames))
        if g is None:
            groups[ident(frames)] = [frames, trace[1], 1]
        else:
            g[1] += trace[1]
            g[2] += 1
    return list(groups.values())


def summarize(traces: Sequence[tuple], user: UserCode, max_paths: int) -> Summary:
    """Memory per line: each traceback counts on its innermost user frame.

    A traceback with no user frame within reach counts on its innermost frame, flagged, so that
    the rows add up to traced memory. Tracebacks that pass through the helper's own code are the
    helper's allocations and are left out, except through the import hook's lines that run the
    imported module (``imports.TRANSPARENT_LINES``): what a module allocates while it is imported is
    the program's.
    """
    rows: Dict[Tuple[str, int], LineRow] = {}
    candidates: Dict[Tuple[str, int], List[Tuple[int, int, tuple]]] = {}
    total = blocks = 0
    real = user.real
    for frames, size, count in group_by_traceback(traces):
        if any(user.is_helper_frame(f[0], f[1]) for f in frames):
            continue
        total += size
        blocks += count
        target = None
        for f in frames:
            if user.is_user(f[0]):
                target = f
                break
        no_user = target is None
        if no_user:
            target = frames[0] if frames else ("<unknown>", 0)
        key = (real(target[0]), target[1])
        row = rows.get(key)
        if row is None:
            row = rows[key] = LineRow(key[0], key[1], no_user)
            candidates[key] = []
        row.bytes += size
        row.blocks += count
        candidates[key].append((size, count, frames))
    for key, row in rows.items():
        top = heapq.nlargest(max_paths, candidates[key], key=lambda c: c[0])
        # The import hook's transparent frames are left out of the paths: they are not the program's.
        row.paths = [(size, count, [(real(f[0]), f[1]) for f in frames if not user.is_transparent(f[0], f[1])])
                     for size, count, frames in top]
    return Summary(list(rows.values()), total, blocks)
