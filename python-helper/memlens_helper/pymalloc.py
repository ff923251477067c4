"""pymalloc's own statistics at the snapshot: the snapshot's ``pymallocStats`` field.

``sys._debugmallocstats()`` prints arenas, pools and blocks (in use and free, per size class)
with C's ``fprintf`` to file descriptor 2, not to ``sys.stderr``. So descriptor 2 is pointed at
a temporary file around the call and restored afterwards, even on error: the text never reaches
the program's stderr. The text is stored as printed; ``src/model/pymalloc.ts`` parses it. Another
thread of the program that writes to descriptor 2 during that millisecond would write into the
file instead; at exit, only daemon threads can still be running.
"""
import os
import sys
import tempfile
from typing import Optional


def debug_malloc_stats() -> Optional[str]:
    """The text ``sys._debugmallocstats()`` prints, or None where it does not exist or fails."""
    dump = getattr(sys, "_debugmallocstats", None)
    if dump is None:
        return None
    try:
        stream = sys.stderr
        if stream is not None:
            stream.flush()  # The program's buffered text goes out before descriptor 2 moves.
    except Exception:
        pass
    try:
        with tempfile.TemporaryFile() as tmp:
            saved = os.dup(2)
            try:
                os.dup2(tmp.fileno(), 2)
                try:
                    dump()
                finally:
                    os.dup2(saved, 2)
            finally:
                os.close(saved)
            tmp.seek(0)
            text = tmp.read().decode("ascii", "replace")
    except Exception:
        return None
    return text or None
