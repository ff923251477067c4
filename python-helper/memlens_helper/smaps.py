"""Reads the process's memory maps (``/proc/self/smaps``) for the snapshot's ``process`` field.

The text goes into the snapshot as the kernel wrote it: parsing and classifying happen in
TypeScript (``src/model/smaps.ts``), so the helper's cost is one file read of 100-300 KB. The
bytes are decoded as UTF-8 with ``surrogateescape``, so a path that is not valid UTF-8 survives
as lone surrogates (the snapshot writer escapes them) instead of failing the snapshot.

A forked child shares the program's pages copy-on-write, and the kernel counts a page mapped by
two processes as ``Shared_Dirty``, so the program's writable memory (``Private_Dirty``) would seem
to vanish while a helper child lives. At exit the maps are read once no helper child is alive
(see ``session.py``). During the run a child is usually alive (the held peak capture), so a
snapshot folds it back (``fold_shared_dirty``): in a private (``p``) mapping, a page is shared
only through a fork, and after a fork the parent's ``Private_Dirty + Shared_Dirty`` of such a
mapping is what its ``Private_Dirty`` was before (a page it wrote since is its own again, a page
it did not is still the shared original).
"""
import os
import sys
from typing import Optional, Tuple

SMAPS_PATH = "/proc/self/smaps"


def page_size() -> Optional[int]:
    """The system's page size in bytes, or None where ``sysconf`` cannot tell."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


FOLD_NOTE = ("While this snapshot was taken, MemLens's own forked children shared the program's pages "
             "copy-on-write, which the kernel counts as shared dirty. MemLens counted those pages of "
             "private mappings as private dirty (writable memory) again, as they are without the "
             "children. Pss still counts them as shared, and pages the program shares with children it "
             "forked itself count as private dirty too.")


def fold_shared_dirty(text: str) -> Tuple[str, int]:
    """``text`` with each private mapping's ``Shared_Dirty`` moved into its ``Private_Dirty``
    (the kernel's padding kept), and the bytes moved. Shared (``s``) mappings are left as they are."""
    lines = text.split("\n")
    private = False
    shared_kb = 0
    folded_kb = 0
    for i, line in enumerate(lines):
        first = line[:1]
        if first and first in "0123456789abcdef":  # A mapping's header: start-end perms offset…
            parts = line.split(None, 2)
            private = len(parts) > 1 and parts[1].endswith("p")
            shared_kb = 0
        elif not private:
            continue
        elif line.startswith("Shared_Dirty:"):
            shared_kb = _kb(line)
            if shared_kb:
                lines[i] = _with_kb(line, 0)
        elif line.startswith("Private_Dirty:") and shared_kb:
            lines[i] = _with_kb(line, _kb(line) + shared_kb)
            folded_kb += shared_kb
            shared_kb = 0
    return "\n".join(lines), folded_kb * 1024


def _kb(line: str) -> int:
    parts = line.split()
    try:
        return int(parts[1])
    except (IndexError, ValueError):
        return 0


def _with_kb(line: str, kb: int) -> str:
    """``Name:      123 kB`` with another number, right-aligned where the old one was."""
    name, _, rest = line.partition(":")
    width = len(rest) - len(" kB")
    return "%s:%s kB" % (name, str(kb).rjust(width) if len(str(kb)) < width else " " + str(kb))


def read_process_memory(path: Optional[str] = None, platform: Optional[str] = None) -> dict:
    """The snapshot's ``process`` field: ``{"smaps": text, "pageSize": n}`` on Linux, or
    ``{"smapsError": sentence, ...}`` when the maps cannot be read. Never raises.

    ``path`` and ``platform`` default to ``SMAPS_PATH`` and ``sys.platform``; they are
    parameters so tests can take the failure paths.
    """
    path = SMAPS_PATH if path is None else path
    platform = sys.platform if platform is None else platform
    out: dict = {}
    size = page_size()
    if size is not None:
        out["pageSize"] = size
    if not platform.startswith("linux"):
        out["smapsError"] = ("Memory maps (/proc/PID/smaps) exist only on Linux; "
                             "this program ran on %s." % platform)
        return out
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        out["smapsError"] = "MemLens could not read %s (%s), so this snapshot has no memory maps." % (
            path, exc.strerror or type(exc).__name__)
        return out
    except Exception as exc:  # The snapshot matters more than its maps: never fail it here.
        out["smapsError"] = "MemLens could not read %s (%s: %s), so this snapshot has no memory maps." % (
            path, type(exc).__name__, exc)
        return out
    if not data:
        out["smapsError"] = "%s was empty, so this snapshot has no memory maps." % path
        return out
    out["smaps"] = data.decode("utf-8", "surrogateescape")
    return out
