"""The helper's options, read once from ``MEMLENS_*`` environment variables.

The variables (and the helper's folder on ``PYTHONPATH``) are then removed from ``os.environ``
so that child processes run untraced and see the environment the user gave the program.
"""
import math
import os
import sys
from typing import List, NamedTuple, Optional


class Options(NamedTuple):
    out: str
    #: ``fast``, ``exact`` or ``light`` (``tracker``); the hosts validate it, anything else is fast.
    mode: str
    #: The fast mode's mean sampling interval, bytes.
    sample_interval: int
    channel: Optional[str]
    #: The run's token, sent in the hello that opens every connection to the host.
    channel_token: str
    #: End the program when the host's end of the channel goes away (``MEMLENS_END_WITH_HOST=1``).
    end_with_host: bool
    frames: int
    roots: List[str]
    peak: bool
    max_paths: int
    poll_seconds: float
    census_seconds: float
    timeline_seconds: float
    imports: bool


def _int(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        value = default
    return max(low, min(high, value))


def _seconds(name: str, default: float, high: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        value = default
    if not math.isfinite(value):
        value = default if math.isnan(value) else high
    return max(0.0, min(high, value))


def _timeline_seconds() -> float:
    """The timeline's interval: 0 turns it off; otherwise at least 10 ms."""
    ms = _int("MEMLENS_TIMELINE_MS", 100, 0, 3_600_000)
    return 0.0 if ms == 0 else max(10, ms) / 1000.0


def default_roots(argv: List[str], cwd: str) -> List[str]:
    """The script's folder for ``python script.py``; the working folder for ``-m`` and ``-c``."""
    if argv and argv[0] not in ("", "-c", "-m", "-"):
        return [os.path.dirname(os.path.realpath(os.path.join(cwd, argv[0])))]
    return [os.path.realpath(cwd)]


def read_and_consume(helper_dir: str) -> Options:
    """Reads the options and removes every trace of MemLens from ``os.environ``."""
    env = os.environ
    cwd = os.getcwd()
    roots = [os.path.realpath(r) for r in env.get("MEMLENS_ROOTS", "").split(os.pathsep) if r]
    options = Options(
        out=os.path.abspath(env["MEMLENS_OUT"]),
        mode=env.get("MEMLENS_MODE") if env.get("MEMLENS_MODE") in ("fast", "exact", "light") else "fast",
        sample_interval=_int("MEMLENS_SAMPLE_INTERVAL", 8192, 1, 1 << 30),
        channel=env.get("MEMLENS_CHANNEL") or None,
        channel_token=env.get("MEMLENS_CHANNEL_TOKEN", ""),
        end_with_host=env.get("MEMLENS_END_WITH_HOST", "0") == "1",
        frames=_int("MEMLENS_FRAMES", 8, 1, 1000),
        roots=roots or default_roots(sys.argv, cwd),
        peak=env.get("MEMLENS_PEAK", "1") != "0",
        max_paths=_int("MEMLENS_MAX_PATHS", 5, 1, 100),
        poll_seconds=_int("MEMLENS_POLL_MS", 5, 1, 10000) / 1000.0,
        census_seconds=_seconds("MEMLENS_CENSUS_SECONDS", 2.0, 600.0),
        timeline_seconds=_timeline_seconds(),
        imports=env.get("MEMLENS_IMPORTS", "1") != "0",
    )
    for name in [n for n in env if n.startswith("MEMLENS_")]:
        del env[name]
    _remove_from_pythonpath(helper_dir)
    return options


def _remove_from_pythonpath(helper_dir: str) -> None:
    parts = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    kept = [p for p in parts if p and os.path.realpath(p) != helper_dir]
    if kept:
        os.environ["PYTHONPATH"] = os.pathsep.join(kept)
    else:
        os.environ.pop("PYTHONPATH", None)
