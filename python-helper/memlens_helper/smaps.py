"""Reads the process's memory maps (``/proc/self/smaps``) for the snapshot's ``process`` field.

The text goes into the snapshot as the kernel wrote it: parsing and classifying happen in
TypeScript (``src/model/smaps.ts``), so the helper's cost is one file read of 100-300 KB. The
bytes are decoded as UTF-8 with ``surrogateescape``, so a path that is not valid UTF-8 survives
as lone surrogates (the snapshot writer escapes them) instead of failing the snapshot.

Read it only while no helper child is alive: a forked child shares the program's pages
copy-on-write, and the kernel counts a page mapped by two processes as ``Shared_Dirty``, so the
program's writable memory (``Private_Dirty``) would seem to vanish (see ``session.py``).
"""
import os
import sys
from typing import Optional

SMAPS_PATH = "/proc/self/smaps"


def page_size() -> Optional[int]:
    """The system's page size in bytes, or None where ``sysconf`` cannot tell."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


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
