"""Ground truth for numpy's array data through the native sampler (``memlens_native.track_numpy``,
NEP 49): programs make arrays of known sizes on known lines and print the sampler's views. They
run under every interpreter here that has numpy (Debian's ``/usr/bin/python3`` with
``python3-numpy``); where none has, they are skipped with the reason. The refusals (numpy too old,
an unknown C ABI, not numpy) are checked under every Python with a fake C-API table."""
import os
import subprocess
import textwrap
from pathlib import Path
from typing import List

import pytest

from conftest import INTERPRETERS, MiB
from test_native_sampler import run_program


def _with_numpy() -> List[str]:
    """The interpreters of the matrix, and Debian's, that import numpy."""
    found = []
    for path in dict.fromkeys(INTERPRETERS + ["/usr/bin/python3"]):
        if not os.access(path, os.X_OK):
            continue
        probe = subprocess.run([path, "-c", "import numpy"], capture_output=True, timeout=60)
        if probe.returncode == 0:
            found.append(path)
    return found


NUMPY_PYTHONS = _with_numpy()


@pytest.fixture(params=NUMPY_PYTHONS or [None], ids=lambda p: p or "no-numpy")
def numpy_python(request) -> str:
    if request.param is None:
        pytest.skip("no interpreter here has numpy (Debian: apt-get install python3-numpy)")
    return request.param


def run_numpy(python: str, tmp_path: Path, body: str) -> dict:
    """``run_program`` with numpy imported and tracked first."""
    return run_program(python, tmp_path, "import numpy as np\nwhy = sampler.track_numpy(np)\nassert why is None, why\n"
                       + textwrap.dedent(body))


def test_arrays_are_on_their_lines_within_2_percent_and_leave_when_freed(numpy_python: str, tmp_path: Path) -> None:
    """np.zeros goes through the handler's calloc, np.ones through its malloc, ndarray.resize
    through its realloc: each 40 MiB array is on its line within 2 %, and gone once freed."""
    out = run_numpy(numpy_python, tmp_path, """
        sampler.start(seed=1)
        zeros = np.zeros(40 * MiB, dtype=np.uint8)  # @zeros
        ones = np.ones(5 * MiB, dtype=np.float64)  # @ones
        grown = np.zeros(8 * MiB, dtype=np.uint8)
        grown.resize(40 * MiB, refcheck=False)  # @resize
        rows = sampler.live()
        held = [on_line(rows, LINE_zeros), on_line(rows, LINE_ones), on_line(rows, LINE_resize)]
        exact = [zeros.nbytes, ones.nbytes, grown.nbytes]
        del zeros, ones, grown
        rows = sampler.live()
        after = [on_line(rows, LINE_zeros)[0], on_line(rows, LINE_ones)[0], on_line(rows, LINE_resize)[0]]
        sampler.stop()
        core = np._core if hasattr(np, "_core") else np.core  # numpy 2 renamed it; the old name warns
        report(held=held, exact=exact, after=after, handler=core.multiarray.get_handler_name())
    """)
    for (size, samples), exact in zip(out["held"], out["exact"]):
        assert exact == 40 * MiB and samples == 1, out
        assert abs(size - exact) <= 0.02 * exact, out
    assert out["after"] == [0, 0, 0], out
    assert out["handler"] == "memlens(default_allocator)", out


def test_an_array_made_20_calls_below_a_line_reaches_it(numpy_python: str, tmp_path: Path) -> None:
    out = run_numpy(numpy_python, tmp_path, """
        def down(depth):
            if depth == 0:
                return np.ones(16 * MiB, dtype=np.uint8)  # @bottom
            return down(depth - 1)  # @recurse
        sampler.start(seed=2)
        array = down(20)  # @top
        stacks = [[line for f, line in r.stack if f == __file__] for r in sampler.live() if r.bytes >= 8 * MiB]
        sizes = [r.bytes for r in sampler.live() if r.bytes >= 8 * MiB]
        sampler.stop()
        report(stacks=stacks, sizes=sizes, bottom=LINE_bottom, recurse=LINE_recurse, top=LINE_top)
    """)
    assert len(out["stacks"]) == 1, out
    assert out["stacks"][0] == [out["bottom"]] + [out["recurse"]] * 20 + [out["top"]], out
    assert abs(out["sizes"][0] - 16 * MiB) <= 0.02 * 16 * MiB, out


def test_arrays_made_while_tracking_are_freed_after_stop_and_numpy_keeps_working(
        numpy_python: str, tmp_path: Path) -> None:
    """After stop() the handler passes every call through: arrays sampled during the session are
    freed correctly (the views keep the session as it was), new arrays compute right, and a new
    session samples again without a second track_numpy."""
    out = run_numpy(numpy_python, tmp_path, """
        sampler.start(seed=3)
        kept = [np.full(1 * MiB, i, dtype=np.int64) for i in range(16)]  # @kept
        grown = np.arange(1 * MiB, dtype=np.int64)
        during = on_line(sampler.live(), LINE_kept)[0]
        sampler.stop()
        del kept
        grown.resize(4 * MiB, refcheck=False)
        after_stop = on_line(sampler.live(), LINE_kept)[0]
        made = [np.arange(MiB, dtype=np.int64) * 2 for _ in range(32)]
        total = int(sum(int(a.sum()) for a in made)) + int(grown[:MiB].sum())
        del made, grown
        sampler.start(seed=4)
        again = np.zeros(24 * MiB, dtype=np.uint8)  # @again
        second = on_line(sampler.live(), LINE_again)[0]
        sampler.stop()
        del again
        series = MiB * (MiB - 1) // 2  # the sum of arange(MiB)
        report(during=during, after_stop=after_stop, total=total, expected=32 * 2 * series + series, second=second)
    """)
    assert abs(out["during"] - 128 * MiB) <= 0.02 * 128 * MiB, out
    assert out["after_stop"] == out["during"], out
    assert out["total"] == out["expected"], out
    assert abs(out["second"] - 24 * MiB) <= 0.02 * 24 * MiB, out


def test_the_handler_applies_to_the_context_that_installed_it(numpy_python: str, tmp_path: Path) -> None:
    """numpy keeps its handler in a ContextVar. A thread started after track_numpy begins with an
    empty context, so its arrays go through numpy's default handler and are not seen (the limit,
    stated in track_numpy's docstring), unless it calls track_numpy itself; an array made in the
    tracked thread and freed in another leaves the table, since arrays keep their handler."""
    out = run_numpy(numpy_python, tmp_path, """
        import asyncio
        results = {}
        def untracked():
            results["untracked"] = np.zeros(16 * MiB, dtype=np.uint8)  # @untracked
        def tracked():
            results["why"] = sampler.track_numpy(np)
            results["tracked"] = np.zeros(16 * MiB, dtype=np.uint8)  # @tracked
        async def task():
            return np.zeros(16 * MiB, dtype=np.uint8)  # @task
        sampler.start(seed=5)
        main = np.zeros(16 * MiB, dtype=np.uint8)  # @main
        for target in (untracked, tracked):
            thread = threading.Thread(target=target)
            thread.start(); thread.join()
        in_task = asyncio.run(task())
        rows = sampler.live()
        seen = {name: on_line(rows, line)[0] for name, line in
                [("untracked", LINE_untracked), ("tracked", LINE_tracked), ("task", LINE_task), ("main", LINE_main)]}
        def release():
            global main
            del main
        thread = threading.Thread(target=release)
        thread.start(); thread.join()
        freed_elsewhere = on_line(sampler.live(), LINE_main)[0]
        sampler.stop()
        report(seen=seen, why=results["why"], freed_elsewhere=freed_elsewhere)
    """)
    seen = out["seen"]
    assert out["why"] is None, out
    assert seen["untracked"] == 0, out
    for name in ("tracked", "task", "main"):
        assert abs(seen[name] - 16 * MiB) <= 0.02 * 16 * MiB, out
    assert out["freed_elsewhere"] == 0, out


def test_a_program_that_exits_with_arrays_alive_and_the_sampler_running_ends_cleanly(
        numpy_python: str, tmp_path: Path) -> None:
    """stop() runs at exit; the arrays still alive, and those a thread makes until the end, are
    freed during finalization through the handler, which then passes them through."""
    out = run_numpy(numpy_python, tmp_path, """
        sampler.start(seed=6)
        kept = [np.ones(64 * 1024) for _ in range(200)]
        def churn():
            sampler.track_numpy(np)
            while True:
                np.empty(8192).fill(1.0)
        threading.Thread(target=churn, daemon=True).start()
        time.sleep(0.05)
        report(tracking=sampler.is_tracking(), held=sampler.totals().live >= 200 * 64 * 1024 * 8 * 0.9)
    """)
    assert out == {"tracking": True, "held": True}, out


def test_track_numpy_says_why_not_for_an_old_numpy_an_unknown_abi_or_not_numpy(python: str, tmp_path: Path) -> None:
    """A fake numpy whose C-API table answers the version questions: the sampler must refuse
    before it reads the handler functions, which are missing (NULL) from the fake table."""
    out = run_program(python, tmp_path, """
        import ctypes, types
        new_capsule = ctypes.pythonapi.PyCapsule_New
        new_capsule.restype, new_capsule.argtypes = ctypes.py_object, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
        version = ctypes.CFUNCTYPE(ctypes.c_uint)
        keep = []
        def fake_numpy(name, abi, feature):
            table = (ctypes.c_void_p * 310)()
            functions = [version(lambda: abi), version(lambda: feature)]
            table[0], table[211] = [ctypes.cast(f, ctypes.c_void_p) for f in functions]
            keep.extend([table, functions])
            numpy = types.ModuleType(name)
            core = types.ModuleType(name + ".core")
            umath = types.ModuleType(name + ".core._multiarray_umath")
            umath._ARRAY_API = new_capsule(ctypes.addressof(table), None, None)
            sys.modules.update({name: numpy, name + ".core": core, umath.__name__: umath})
            return numpy
        report(old=sampler.track_numpy(fake_numpy("np_old", 0x01000009, 0x0E)),
               abi=sampler.track_numpy(fake_numpy("np_next", 0x03000000, 0x20)),
               other=sampler.track_numpy(types.ModuleType("json_like")))
    """)
    assert "older than 1.22" in out["old"] and "0xe" in out["old"], out
    assert "ABI version 0x3000000" in out["abi"], out
    assert "no C API table" in out["other"], out
