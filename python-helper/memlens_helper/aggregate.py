"""Turns allocations grouped by call stack into memory per source line.

Two sources give such groups. tracemalloc's raw traces (``tracemalloc._get_traces()``: tuples
whose frames run innermost first) are grouped by traceback object first: tracemalloc shares one
tuple per distinct traceback, so grouping by identity is a cheap integer lookup per block. The
fast mode's sampler gives its per-stack estimates already grouped (``memlens_native``), each with
the number of samples behind it. Either way the user's line is resolved once per distinct stack,
never per block.
"""
import heapq
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .census import identity
from .usercode import UserCode

Frame = Tuple[str, int]
#: A call path of a line: bytes, blocks, frames (innermost first), and the samples behind the
#: estimate (None for exact figures).
PathRow = Tuple[int, int, List[Frame], Optional[int]]
#: Allocations of one stack: frames, bytes, blocks, samples (None: exact).
Group = Tuple[Sequence[Frame], int, int, Optional[int]]


class LineRow:
    """Live memory attributed to one line: totals and the call paths that allocated it."""

    __slots__ = ("path", "line", "bytes", "blocks", "samples", "no_user", "paths")

    def __init__(self, path: str, line: int, no_user: bool) -> None:
        self.path = path
        self.line = line
        self.bytes = 0
        self.blocks = 0
        #: Samples behind the estimate (fast mode); None when the figures are exact.
        self.samples: Optional[int] = None
        self.no_user = no_user
        self.paths: List[PathRow] = []

    def to_json(self) -> list:
        """The row as a forked capture's child hands it over (exact mode only: no samples)."""
        return [self.path, self.line, self.bytes, self.blocks, self.no_user,
                [[b, n, [list(f) for f in frames]] for b, n, frames, _ in self.paths]]

    @classmethod
    def from_json(cls, row: list) -> "LineRow":
        r = cls(row[0], row[1], row[4])
        r.bytes, r.blocks = row[2], row[3]
        r.paths = [(b, n, [(f[0], f[1]) for f in frames], None) for b, n, frames in row[5]]
        return r


class Summary:
    """Per-line rows plus the totals they add up to."""

    def __init__(self, rows: List[LineRow], bytes_: int, blocks: int) -> None:
        self.rows = rows
        self.bytes = bytes_
        self.blocks = blocks


def group_by_traceback(traces: Sequence[tuple]) -> List[list]:
    """``[frames, bytes, blocks, None]`` per distinct traceback (tuples from ``_get_traces``)."""
    groups: Dict[int, list] = {}
    get = groups.get
    ident = identity
    for trace in traces:
        frames = trace[2]
        g = get(ident(frames))
        if g is None:
            groups[ident(frames)] = [frames, trace[1], 1, None]
        else:
            g[1] += trace[1]
            g[2] += 1
    return list(groups.values())


def summarize(traces: Sequence[tuple], user: UserCode, max_paths: int) -> Summary:
    """Memory per line from tracemalloc's traces (see ``summarize_groups``)."""
    return summarize_groups(group_by_traceback(traces), user, max_paths)


def summarize_samples(stacks: Iterable, user: UserCode, max_paths: int) -> Summary:
    """Memory per line from the sampler's view (``memlens_native.StackBytes``): estimated bytes
    and blocks, with the samples behind them."""
    return summarize_groups(((s.stack, s.bytes, s.blocks, s.samples) for s in stacks), user, max_paths)


def summarize_groups(groups: Iterable[Group], user: UserCode, max_paths: int) -> Summary:
    """Memory per line: each stack counts on its innermost user frame.

    A traceback with no user frame within reach counts on its innermost frame, flagged, so that
    the rows add up to traced memory. Tracebacks that pass through the helper's own code are the
    helper's allocations and are left out, except through the import hook's lines that run the
    imported module (``imports.TRANSPARENT_LINES``): what a module allocates while it is imported is
    the program's.
    """
    rows: Dict[Tuple[str, int], LineRow] = {}
    candidates: Dict[Tuple[str, int], List[Tuple[int, int, Sequence[Frame], Optional[int]]]] = {}
    total = blocks = 0
    real = user.real
    for frames, size, count, samples in groups:
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
        if samples is not None:
            row.samples = (row.samples or 0) + samples
        candidates[key].append((size, count, frames, samples))
    for key, row in rows.items():
        top = heapq.nlargest(max_paths, candidates[key], key=lambda c: c[0])
        # The import hook's transparent frames are left out of the paths: they are not the program's.
        row.paths = [(size, count, [(real(f[0]), f[1]) for f in frames if not user.is_transparent(f[0], f[1])],
                      samples)
                     for size, count, frames, samples in top]
    return Summary(list(rows.values()), total, blocks)
