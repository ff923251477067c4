"""``memlens_helper.tracemalloc_import`` turns a ``tracemalloc.Snapshot.dump()`` file into a
snapshot document, and refuses anything else in one sentence, without running what a hostile
pickle names.

Each test runs the importer the way the extension does (``python -E -S -X utf8 -m …`` in this
folder, see ``src/run/tracemallocImport.ts``) under every Python 3.8+ found. ``test/fixtures/
tracemalloc-import.json`` is a real imported document that the TypeScript tests load too; fresh
imports must use only its fields and value types. Regenerate it with
``python3 python-helper/tests/test_tracemalloc_import.py``.
"""
import json
import os
import pickle
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import List, Optional

import pytest

from conftest import HELPER_DIR, INTERPRETERS, MiB, run_profiled, undeclared_fields
from test_protocol_fixture import shape

sys.path.insert(0, str(HELPER_DIR))
from memlens_helper import snapshot_writer, tracemalloc_import as ti  # noqa: E402

FIXTURES = HELPER_DIR.parent / "test" / "fixtures"
PROGRAM = FIXTURES / "programs" / "tracemalloc_dump.py"


class Imported:
    def __init__(self, proc: subprocess.CompletedProcess, out: Path) -> None:
        self.proc = proc
        self.doc = json.loads(out.read_text(encoding="ascii")) if out.exists() else None
        unknown = undeclared_fields(self.doc)
        assert not unknown, "the importer wrote fields src/protocol/snapshot.ts does not declare: %s" % unknown

    def file(self, path: Path) -> dict:
        want = os.path.realpath(str(path))
        return next(f for f in self.doc["files"] if f["path"] == want)

    def line(self, path: Path, marker: str) -> Optional[dict]:
        n = line_of(path, marker)
        return next((r for r in self.file(path)["lines"] if r["line"] == n), None)


def line_of(path: Path, marker: str) -> int:
    for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text.rstrip().endswith("# @" + marker):
            return i
    raise AssertionError("no marker %r" % marker)


def import_dump(python: str, dump: Path, out: Path, roots: List[str]) -> Imported:
    """Runs the importer as the extension does: the helper's folder is the working folder, which
    ``-m`` puts first on sys.path; ``-E`` ignores PYTHON* variables and ``-S`` skips site."""
    args = [python, "-E", "-S", "-X", "utf8", "-m", "memlens_helper.tracemalloc_import", str(dump), str(out)]
    for r in roots:
        args += ["--root", r]
    proc = subprocess.run(args, cwd=str(HELPER_DIR), capture_output=True, encoding="utf-8", timeout=120)
    return Imported(proc, out)


def make_dump(python: str, workdir: Path) -> Path:
    """Runs the fixture program (plain Python, no helper) in ``workdir``; returns its dump."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(str(PROGRAM), str(workdir))
    dump = workdir / "prog.tracemalloc"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",) and not k.startswith("MEMLENS_")}
    # A relative script name, as typed: Python 3.8 keeps it so in the traces.
    proc = subprocess.run([python, PROGRAM.name, str(dump)], cwd=str(workdir), env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return dump


def refused(imp: Imported, code: int) -> str:
    assert imp.proc.returncode == code, (imp.proc.returncode, imp.proc.stderr)
    assert imp.doc is None
    lines = imp.proc.stderr.strip().splitlines()
    assert len(lines) == 1, imp.proc.stderr
    return lines[0]


def test_a_dump_imports_with_the_buffer_on_its_line(tmp_path, python):
    dump = make_dump(python, tmp_path / "ws")
    script = tmp_path / "ws" / PROGRAM.name
    imp = import_dump(python, dump, tmp_path / "out" / "doc.json", [str(tmp_path / "ws")])
    assert imp.proc.returncode == 0, imp.proc.stderr
    assert imp.proc.stderr == ""
    doc = imp.doc
    fixture = json.loads((FIXTURES / "tracemalloc-import.json").read_text())
    assert fixture["version"] == doc["version"] == snapshot_writer.VERSION
    unknown = shape(doc) - shape(fixture)
    assert not unknown, "fields the fixture (and so the TypeScript tests) lack: %s" % sorted(unknown)

    row = imp.line(script, "big")
    assert abs(row["bytes"] - 10 * MiB) <= 0.05 * 10 * MiB, row
    assert not row.get("noUserFrame")
    assert [imp.doc["files"][i]["path"] for i, _ in row["paths"][0]["frames"]][0] == os.path.realpath(str(script))
    # What a dump cannot know is null, not made up; where it came from is said.
    assert doc["kind"] == "snapshot" and doc["label"] == "prog.tracemalloc"
    assert doc["program"] is None
    assert doc["origin"] == {"kind": "tracemalloc-dump", "path": os.path.realpath(str(dump))}
    assert doc["totals"]["tracedPeak"] is None and doc["totals"]["maxRss"] is None
    assert doc["totals"]["wallSeconds"] is None and doc["totals"]["rss"] is None
    assert doc["totals"]["tracedCurrent"] >= 10 * MiB
    assert doc["totals"]["tracedCurrent"] == sum(r["bytes"] for f in doc["files"] for r in f["lines"])
    assert doc["peak"]["method"] == "none" and all(not f["peakLines"] for f in doc["files"])
    assert doc["settings"]["frames"] == 8
    assert doc["settings"]["roots"] == [os.path.realpath(str(tmp_path / "ws"))]
    names = [s["name"] for s in imp.file(script)["scopes"]]
    assert names == ["build", "load"]


def test_the_documented_command_line_works_and_is_not_profiled(tmp_path, python):
    # python -m … with the helper's folder on PYTHONPATH; a stray MEMLENS_OUT would start the
    # helper's sitecustomize on the importer itself unless -S keeps site out.
    dump = make_dump(python, tmp_path / "ws")
    stray = tmp_path / "stray.json"
    env = dict(os.environ, PYTHONPATH=str(HELPER_DIR), MEMLENS_OUT=str(stray))
    proc = subprocess.run([python, "-S", "-m", "memlens_helper.tracemalloc_import", str(dump), str(tmp_path / "doc.json"),
                           "--root", str(tmp_path / "ws"), "--max-paths", "2"],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert not stray.exists()
    doc = json.loads((tmp_path / "doc.json").read_text())
    assert doc["settings"]["maxPaths"] == 2
    assert all(len(r["paths"]) <= 2 for f in doc["files"] for r in f["lines"])


def test_a_dump_of_one_python_imports_under_another(tmp_path):
    if len(INTERPRETERS) < 2:
        pytest.skip("one Python only")
    # The oldest and the newest: 3.8 writes (domain, size, frames) traces, later ones add total_nframe.
    for writer, reader in ((INTERPRETERS[0], INTERPRETERS[-1]), (INTERPRETERS[-1], INTERPRETERS[0])):
        work = tmp_path / os.path.basename(writer)
        dump = make_dump(writer, work)
        imp = import_dump(reader, dump, work / "doc.json", [str(work)])
        assert imp.proc.returncode == 0, imp.proc.stderr
        assert abs(imp.line(work / PROGRAM.name, "big")["bytes"] - 10 * MiB) <= 0.05 * 10 * MiB


def test_library_memory_counts_on_the_users_line_as_the_helper_counts_it(tmp_path, python):
    # The same program profiled by the helper also writes its own dump: both views of one moment.
    run = run_profiled(tmp_path, PROGRAM.read_text(encoding="utf-8"), python=python, name="prog.py",
                       args=[str(tmp_path / "prog.tracemalloc")])
    assert run.proc.returncode == 0, run.proc.stderr
    imp = import_dump(python, tmp_path / "prog.tracemalloc", tmp_path / "doc.json", [str(tmp_path)])
    assert imp.proc.returncode == 0, imp.proc.stderr
    helper, imported = run.line("lib"), imp.line(run.script, "lib")
    assert helper["bytes"] > 2 * MiB
    assert abs(imported["bytes"] - helper["bytes"]) <= 0.05 * helper["bytes"], (imported, helper)
    assert not imported.get("noUserFrame") and not helper.get("noUserFrame")
    # The call path runs from json's own frames out to the user's line, as the helper lists it.
    top = [imp.doc["files"][i]["path"] for i, _ in imported["paths"][0]["frames"]]
    helper_top = [run.doc["files"][i]["path"] for i, _ in helper["paths"][0]["frames"]]
    assert top == helper_top and any(p.endswith(os.path.join("json", "decoder.py")) for p in top)
    # Outside the roots no frame is the user's: memory stays on the innermost frame, flagged.
    other = tmp_path / "elsewhere"
    other.mkdir()
    imp = import_dump(python, tmp_path / "prog.tracemalloc", tmp_path / "doc2.json", [str(other)])
    assert imp.proc.returncode == 0, imp.proc.stderr
    decoder = [f for f in imp.doc["files"] if f["path"].endswith(os.path.join("json", "decoder.py"))]
    assert decoder and not decoder[0]["user"]
    assert sum(r["bytes"] for r in decoder[0]["lines"]) > 2 * MiB
    assert all(r.get("noUserFrame") for f in imp.doc["files"] for r in f["lines"])


class _RunsCommand:
    """Pickles as a call of ``os.system``: what a hostile file would carry."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def test_a_hostile_pickle_is_refused_and_runs_nothing(tmp_path, python):
    marker = tmp_path / "MARKER"
    command = "touch %s" % marker
    plain = tmp_path / "plain.pickle"
    plain.write_bytes(pickle.dumps(_RunsCommand(command), protocol=2))
    # Inside a real snapshot's structure, where the allowed classes come first.
    nested = tmp_path / "nested.pickle"
    nested.write_bytes(pickle.dumps(tracemalloc.Snapshot([(0, 10, (("x.py", 1),), _RunsCommand(command))], 1),
                                    protocol=pickle.HIGHEST_PROTOCOL))
    # From protocol 4 a dotted name would reach an allowed class's attributes (Snapshot.load opens
    # and unpickles any file with the unrestricted unpickler).
    dotted = tmp_path / "dotted.pickle"
    dotted.write_bytes(b"\x80\x04\x8c\x0btracemalloc\x8c\rSnapshot.load\x93\x8c\x01x\x85R.")
    # A persistent id asks the loader for an object by name: nothing here answers it.
    persistent = tmp_path / "persistent.pickle"
    persistent.write_bytes(b"\x80\x02Pdb-connection\n.")
    system = "%s.system" % os.system.__module__  # posix, or nt on Windows
    cases = ((plain, system), (nested, system), (dotted, "tracemalloc.Snapshot.load"),
             (persistent, "a persistent object (db-connection)"))
    for path, name in cases:
        message = refused(import_dump(python, path, tmp_path / "doc.json", [str(tmp_path)]), ti.EXIT_FORBIDDEN)
        assert message.startswith("%s asks to load %s," % (path, name)), message
        assert "may be a hostile file" in message, message
        assert not marker.exists(), "the pickle's command ran"


def test_truncated_foreign_and_newer_files_are_refused_in_a_sentence(tmp_path, python):
    dump = make_dump(python, tmp_path / "ws")
    data = dump.read_bytes()
    cases = []

    def case(name: str, content: bytes, code: int, words: str) -> None:
        path = tmp_path / name
        path.write_bytes(content)
        cases.append((path, code, words))

    case("half.tracemalloc", data[:len(data) // 2], ti.EXIT_TRUNCATED, "is truncated")
    case("snapshot.json", b'{"format": "memlens.snapshot"}', ti.EXIT_NOT_PICKLE, "is not a pickle")
    case("notes.txt", b"just some text\n", ti.EXIT_NOT_PICKLE, "is not a pickle")
    case("empty.tracemalloc", b"", ti.EXIT_NOT_PICKLE, "is empty")
    case("damaged.tracemalloc", b"\x80\x04\xff" + data[3:], ti.EXIT_NOT_PICKLE, "is a damaged pickle")
    case("dict.pickle", pickle.dumps({"traces": []}, protocol=4), ti.EXIT_NOT_SNAPSHOT,
         "is not a tracemalloc snapshot: it holds a pickled dict")
    case("future.pickle", b"\x80\x09" + data[2:], ti.EXIT_VERSION, "was written with pickle protocol 9")
    # Traces of a layout no Python 3.6-3.13 writes: a tracemalloc of another version.
    odd = tracemalloc.Snapshot([(0, 10, (("x.py", 1),), 1, "extra")], 1)
    case("layout.pickle", pickle.dumps(odd, protocol=4), ti.EXIT_VERSION, "holds traces of 5 items")
    for path, code, words in cases:
        message = refused(import_dump(python, path, tmp_path / "doc.json", [str(tmp_path)]), code)
        assert message.startswith(str(path)) and words in message, message
    missing = refused(import_dump(python, tmp_path / "nope", tmp_path / "doc.json", []), ti.EXIT_UNREADABLE)
    assert "cannot be read" in missing


if __name__ == "__main__":
    # Regenerates the fixture from a dump of the fixture program in /tmp/memlens-tracemalloc-ws.
    work = Path("/tmp/memlens-tracemalloc-ws")
    made = make_dump(sys.executable, work)
    result = import_dump(sys.executable, made, FIXTURES / "tracemalloc-import.json", [str(work)])
    assert result.proc.returncode == 0, result.proc.stderr
    (FIXTURES / "tracemalloc-import.json").write_text(json.dumps(result.doc, indent=1))
    print("wrote", FIXTURES / "tracemalloc-import.json")
