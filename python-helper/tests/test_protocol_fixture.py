"""The helper writes what ``src/protocol/snapshot.ts`` describes.

``test/fixtures/helper-exit.json`` is a real helper snapshot that the TypeScript tests load too.
A fresh snapshot of the same program must use only the fields, and value types, that the fixture
has, and the fixture's version must be the helper's, so the two sides cannot drift apart silently.
``test/fixtures/helper-snapshot.json`` is the same for a snapshot taken during the run, and
``test/fixtures/helper-exec.json`` for a program that changed folder, stopped tracing and exec'd.
Regenerate them with ``python3 python-helper/tests/test_protocol_fixture.py [exit|snapshot|exec]``.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import HELPER_DIR, undeclared_fields

sys.path.insert(0, str(HELPER_DIR))
from memlens_helper import snapshot_writer  # noqa: E402

FIXTURES = HELPER_DIR.parent / "test" / "fixtures"
PROGRAM = FIXTURES / "programs" / "leaky_report.py"
MIDRUN_PROGRAM = FIXTURES / "programs" / "snapshot_during_run.py"
EXEC_PROGRAM = FIXTURES / "programs" / "exec_after_chdir.py"
#: What only a snapshot taken during the run writes.
MIDRUN_ONLY = {("$.sequence", "number"), ("$.process.sharedDirtyFolded", "number"),
               ("$.process.sharedDirtyNote", "str")}


def shape(value, path="$", out=None):
    """The set of (json path, type name) pairs of a document; list items share one path."""
    out = set() if out is None else out
    kind = "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__
    out.add((path, kind))
    if isinstance(value, dict):
        for k, v in value.items():
            shape(v, "%s.%s" % (path, k), out)
    elif isinstance(value, list):
        for v in value:
            shape(v, path + "[]", out)
    return out


def profile_program(workdir: Path, program: Path = PROGRAM, snapshot: str = "out.json") -> dict:
    """Runs ``program`` under the helper and returns the snapshot file ``snapshot`` it left."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(str(program), str(workdir))
    out = workdir / "out.json"
    env = dict(os.environ, PYTHONPATH=str(HELPER_DIR), MEMLENS_OUT=str(out), MEMLENS_MAX_PATHS="3")
    subprocess.run([sys.executable, program.name], cwd=str(workdir), env=env, capture_output=True, check=False)
    doc = json.loads((workdir / snapshot).read_text())
    unknown = undeclared_fields(doc)
    assert not unknown, "the helper wrote fields src/protocol/snapshot.ts does not declare: %s" % unknown
    return doc


def test_fresh_snapshot_uses_only_what_the_fixture_has(tmp_path):
    fixture = json.loads((FIXTURES / "helper-exit.json").read_text())
    fresh = profile_program(tmp_path)
    assert fixture["format"] == fresh["format"] == snapshot_writer.FORMAT
    assert fixture["version"] == fresh["version"] == snapshot_writer.VERSION
    # exitCode/exitSignal are the host's to add; the helper never writes them.
    assert "exitCode" not in fresh["program"]
    unknown = shape(fresh) - shape(fixture)
    assert not unknown, "fields the fixture (and so the TypeScript tests) lack: %s" % sorted(unknown)


def test_fresh_snapshot_during_the_run_uses_only_what_its_fixture_has(tmp_path):
    fixture = json.loads((FIXTURES / "helper-snapshot.json").read_text())
    exit_fixture = json.loads((FIXTURES / "helper-exit.json").read_text())
    fresh = profile_program(tmp_path, MIDRUN_PROGRAM, "out-1.json")
    assert fixture["version"] == fresh["version"] == snapshot_writer.VERSION
    assert (fresh["kind"], fresh["sequence"], fresh["label"]) == ("snapshot", 1, "after the report")
    unknown = shape(fresh) - shape(fixture)
    assert not unknown, "fields the fixture (and so the TypeScript tests) lack: %s" % sorted(unknown)
    # The fields only a snapshot during the run writes are there for the TypeScript tests to read.
    assert MIDRUN_ONLY <= shape(fixture) - shape(exit_fixture)


def test_fresh_snapshot_of_an_exec_uses_only_what_its_fixture_has(tmp_path):
    fixture = json.loads((FIXTURES / "helper-exec.json").read_text())
    fresh = profile_program(tmp_path, EXEC_PROGRAM)
    assert fixture["version"] == fresh["version"] == snapshot_writer.VERSION
    assert fresh["program"]["end"] == {"kind": "exec", "argv": [fresh["program"]["end"]["argv"][0], "--from-the-fixture"]}
    assert fresh["program"]["exitCwd"] == os.path.join(fresh["program"]["cwd"], "later")
    assert fresh["tracingStopped"]["at"] > 0
    unknown = shape(fresh) - shape(fixture)
    assert not unknown, "fields the fixture (and so the TypeScript tests) lack: %s" % sorted(unknown)


if __name__ == "__main__":
    if sys.argv[1:] == ["exec"]:
        doc = profile_program(Path("/tmp/memlens-fixture-ws"), EXEC_PROGRAM)
        doc["program"]["exitCode"], doc["program"]["exitSignal"] = 0, None
        (FIXTURES / "helper-exec.json").write_text(json.dumps(doc, indent=1))
        print("wrote", FIXTURES / "helper-exec.json")
    elif sys.argv[1:] == ["snapshot"]:
        doc = profile_program(Path("/tmp/memlens-fixture-ws"), MIDRUN_PROGRAM, "out-1.json")
        (FIXTURES / "helper-snapshot.json").write_text(json.dumps(doc, indent=1))
        print("wrote", FIXTURES / "helper-snapshot.json")
    else:
        # Regenerates the fixture; the host's exit status is added as the extension would add it.
        doc = profile_program(Path("/tmp/memlens-fixture-ws"))
        doc["program"]["exitCode"], doc["program"]["exitSignal"] = 1, None
        (FIXTURES / "helper-exit.json").write_text(json.dumps(doc, indent=1))
        print("wrote", FIXTURES / "helper-exit.json")
