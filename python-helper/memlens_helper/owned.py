"""Which file descriptors are still the helper's own.

A program may close descriptors it did not open (``os.closerange(3, 1000)``, as daemons do) and
then open files and sockets that get the same numbers. A number alone then names the program's
file: writing to it, reading from it or closing it would act on the program's data. So the helper
records each descriptor's identity (device and inode, which ``fstat`` gives for files, pipes and
sockets alike) when it opens it, and checks it before each use. One that changed is forgotten,
never closed, and opened anew where that is possible.
"""
import os
from typing import Optional, Tuple

Identity = Tuple[int, int]


def identity(fd: int) -> Optional[Identity]:
    """``(st_dev, st_ino)`` of the open descriptor ``fd``; None when it is not open."""
    if fd < 0:
        return None
    try:
        st = os.fstat(fd)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def still_ours(fd: int, known: Optional[Identity]) -> bool:
    """Whether ``fd`` is still the descriptor whose identity was recorded as ``known``."""
    return known is not None and identity(fd) == known
