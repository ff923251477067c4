"""MemLens's hook into the interpreter's start-up.

The host runs the user's own command line (``python script.py args`` or ``python -m pkg``) with
this folder first on ``PYTHONPATH``, so Python imports this module during start-up, before the
program. When ``MEMLENS_OUT`` is set it starts tracing and arms the exit snapshot; in every case it
then runs the ``sitecustomize`` it shadows (Debian ships one), so the program sees the same
start-up as under plain Python. Nothing of MemLens stays on the stack under the program's code,
which is what keeps tracing cheap: tracemalloc pays for every frame on every allocation.
"""
import os

# Imported before the session starts, so that its imports are not counted as the program's.
from memlens_helper import chain as _memlens_chain

if os.environ.get("MEMLENS_OUT"):
    from memlens_helper import session as _memlens_session

    _memlens_session.start()
    del _memlens_session

_memlens_chain.run_shadowed_sitecustomize(os.path.dirname(os.path.abspath(__file__)))
del _memlens_chain, os
