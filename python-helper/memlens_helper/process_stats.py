"""Figures about the process itself: resident memory, page faults, CPU time."""
import os
import sys
from typing import Optional

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def current_rss() -> Optional[int]:
    """Resident set size in bytes from ``/proc/self/statm``; None where there is no procfs."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def usage() -> dict:
    """Peak RSS (bytes), page faults and CPU seconds of this process so far."""
    if resource is None:
        return {"maxRss": 0, "minorFaults": 0, "majorFaults": 0,
                "cpuUserSeconds": 0.0, "cpuSystemSeconds": 0.0}
    ru = resource.getrusage(resource.RUSAGE_SELF)
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    max_rss = ru.ru_maxrss if sys.platform == "darwin" else ru.ru_maxrss * 1024
    return {"maxRss": int(max_rss), "minorFaults": int(ru.ru_minflt), "majorFaults": int(ru.ru_majflt),
            "cpuUserSeconds": round(ru.ru_utime, 4), "cpuSystemSeconds": round(ru.ru_stime, 4)}
