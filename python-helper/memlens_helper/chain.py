"""Runs the ``sitecustomize`` module that MemLens's own one shadows on ``sys.path``."""
import importlib.machinery
import importlib.util
import os
import sys


def run_shadowed_sitecustomize(helper_dir: str) -> None:
    """Finds the next ``sitecustomize`` on ``sys.path`` after the helper's folder and runs it.

    Errors in it are reported the way ``site`` reports them, and do not stop the program.
    """
    helper_dir = os.path.realpath(helper_dir)
    rest = [p for p in sys.path if os.path.realpath(p or os.curdir) != helper_dir]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # site.py prints the same kind of line and goes on.
        print("Error in sitecustomize; set PYTHONVERBOSE for traceback:\n%s: %s"
              % (type(exc).__name__, exc), file=sys.stderr)
