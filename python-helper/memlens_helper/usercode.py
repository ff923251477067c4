"""Decides which source files are the user's code: the files MemLens attributes memory to.

User code is any file under the roots (workspace folders, else the script's folder), except the
interpreter's own files, installed packages (``site-packages``, ``dist-packages``), virtual
environments (a folder holding ``pyvenv.cfg``) and the helper itself.
"""
import os
import sys
from typing import Dict, Iterable, List

from . import imports
from .imports import TRANSPARENT_LINES

_IMPORTS_FILE = os.path.realpath(imports.__file__)


def _prefixes() -> List[str]:
    seen = []
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, getattr(sys, "base_exec_prefix", "")):
        if p:
            real = os.path.realpath(p)
            if real not in seen:
                seen.append(real)
    return seen


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class UserCode:
    """Classifies file names as they appear in tracebacks; answers are cached per name."""

    def __init__(self, roots: Iterable[str], helper_dir: str, start_cwd: str) -> None:
        self.roots = [os.path.realpath(r) for r in roots]
        self.helper_dir = os.path.realpath(helper_dir)
        # Python 3.8 keeps the script's name as given on the command line: relative names are
        # resolved against the folder the program started in, even if it changed folder since.
        self.start_cwd = start_cwd
        self.prefixes = _prefixes()
        self._real: Dict[str, str] = {}
        self._user: Dict[str, bool] = {}
        self._venv: Dict[str, bool] = {}

    def real(self, filename: str) -> str:
        """The absolute real path of a traceback's file name (names like ``<string>`` kept)."""
        r = self._real.get(filename)
        if r is None:
            if filename.startswith("<") and filename.endswith(">"):
                r = filename
            else:
                r = os.path.realpath(os.path.join(self.start_cwd, filename))
            self._real[filename] = r
        return r

    def is_helper(self, filename: str) -> bool:
        return _under(self.real(filename), self.helper_dir)

    def is_transparent(self, filename: str, line: int) -> bool:
        """True for the import hook's lines that run the imported module's code: a frame there
        sits under the program's import, and its allocations are the program's, not the helper's."""
        return line in TRANSPARENT_LINES and self.real(filename) == _IMPORTS_FILE

    def is_helper_frame(self, filename: str, line: int) -> bool:
        """A frame of the helper's own work (``is_helper`` minus the transparent lines)."""
        return self.is_helper(filename) and not self.is_transparent(filename, line)

    def is_user(self, filename: str) -> bool:
        u = self._user.get(filename)
        if u is None:
            u = self._classify(self.real(filename))
            self._user[filename] = u
        return u

    def _classify(self, path: str) -> bool:
        if path.startswith("<") or not any(_under(path, r) for r in self.roots):
            return False
        if _under(path, self.helper_dir):
            return False
        parts = path.split(os.sep)
        if "site-packages" in parts or "dist-packages" in parts:
            return False
        # A root may itself sit inside a prefix (a project inside a venv folder): only exclude the
        # prefix when the root does not lie within it.
        for prefix in self.prefixes:
            if _under(path, prefix) and not any(_under(r, prefix) for r in self.roots):
                return False
        return not self._in_venv(os.path.dirname(path))

    def _in_venv(self, folder: str) -> bool:
        """True when ``folder`` or one of its parents below the root holds ``pyvenv.cfg``."""
        v = self._venv.get(folder)
        if v is None:
            if any(folder == r for r in self.roots) or os.path.dirname(folder) == folder:
                v = os.path.isfile(os.path.join(folder, "pyvenv.cfg"))
            else:
                v = os.path.isfile(os.path.join(folder, "pyvenv.cfg")) or self._in_venv(os.path.dirname(folder))
            self._venv[folder] = v
        return v
