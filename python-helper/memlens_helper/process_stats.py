"""Figures about the process itself: resident memory, page faults, CPU time."""
import os
import sys
from typing import NamedTuple, Optional, Tuple

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


def rss_and_anonymous() -> Tuple[Optional[int], Optional[int]]:
    """Resident and anonymous resident bytes (``RssAnon``) from one read of ``/proc/self/statm``,
    about 10 µs; ``(None, None)`` where there is no procfs.

    Anonymous resident memory is what the timeline and the import costs call private dirty: the
    process's private writable memory (a written page of a private file mapping is copied into an
    anonymous page too). It is read here rather than as ``Private_Dirty`` from
    ``/proc/self/smaps_rollup`` for two reasons. While the helper's held peak child is alive it
    shares the program's pages, and the kernel then counts them as ``Shared_Dirty``: the
    program's ``Private_Dirty`` drops to almost nothing for as long as the child lives, while its
    anonymous memory stays what it is. And ``smaps_rollup`` walks every page table of the
    process (0.2 ms for a small process, 1.3 ms at 100 MiB, growing with the size), holding the
    memory map lock the program needs to grow its heap; ``statm`` reads two counters.
    """
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            fields = os.read(fd, 256).split()
        finally:
            os.close(fd)
        resident, shared = int(fields[1]), int(fields[2])
        return resident * _PAGE, (resident - shared) * _PAGE
    except (OSError, ValueError, IndexError):
        return None, None


class Usage(NamedTuple):
    """Figures of this process so far, from ``getrusage``."""
    #: Peak resident set size, bytes.
    max_rss: int
    minor_faults: int
    major_faults: int
    cpu_user_seconds: float
    cpu_system_seconds: float


def usage() -> Usage:
    """Peak RSS (bytes), page faults and CPU seconds of this process so far."""
    if resource is None:
        return Usage(0, 0, 0, 0.0, 0.0)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    max_rss = ru.ru_maxrss if sys.platform == "darwin" else ru.ru_maxrss * 1024
    return Usage(int(max_rss), int(ru.ru_minflt), int(ru.ru_majflt), round(ru.ru_utime, 4), round(ru.ru_stime, 4))
