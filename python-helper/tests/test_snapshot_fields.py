"""The helper writes only the fields that ``src/protocol/snapshot.ts`` declares.

``test/fixtures/snapshot-fields.json`` lists them (``conftest.DECLARED_FIELDS``); the TypeScript
tests hold that list equal to the schema. Here the one writer, ``snapshot_writer.build_document``,
is given every part it can write, including those only rare runs reach (a watcher that failed, a
user file that does not parse), and real exit, mid-run and imported documents are checked too;
``conftest.Run`` checks every other document the tests read.
"""
import json
import subprocess
import sys
from pathlib import Path

from conftest import HELPER_DIR, run_profiled, undeclared_fields

sys.path.insert(0, str(HELPER_DIR))
from memlens_helper.aggregate import LineRow  # noqa: E402
from memlens_helper.process_stats import Usage  # noqa: E402
from memlens_helper.snapshot_writer import Peak, Program, Settings, Totals, build_document  # noqa: E402

PROGRAM = """\
import sys, tracemalloc
kept = bytearray(1 << 20)
sys.audit("memlens.snapshot", "during")
dump = sys.argv[1]
tracemalloc.take_snapshot().dump(dump)
tracemalloc.stop()
"""


def _row(path: str, line: int, no_user: bool) -> LineRow:
    row = LineRow(path, line, no_user)
    row.bytes, row.blocks, row.samples = 4096, 2, 1
    row.paths = [(4096, 2, ((path, line), (path, 1)), 1)]
    return row


def test_every_field_the_writer_can_write_is_declared(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n    pass\n")
    parsed = Path(__file__).resolve()
    doc = build_document(
        kind="exit", label="a label", sequence=3,
        program=Program(argv=["python3", "prog.py"], cwd="/start", exit_cwd="/later", pid=42, executable="python3",
                        version="3.11.7", implementation="CPython", start_time=1.0, end_time=2.0,
                        end={"kind": "exit"}),
        settings=Settings(frames=8, roots=["/start"], max_paths=5, mode="fast", sample_interval=8192,
                          mode_note="The fast mode cannot run here."),
        totals=Totals(traced_current=4096, traced_peak=8192, blocks=2, rss=1 << 20, wall_seconds=1.0,
                      usage=Usage(1 << 21, 10, 0, 0.5, 0.1), samples=2),
        peak=Peak(method="fork", captured_traced=4096, captured_at=0.5, step_bytes=1 << 21, poll_seconds=0.005,
                  captures=1, error="peak capture stopped: fork failed (no memory)", margin=0.01),
        exit_rows=[_row(str(parsed), 10, False), _row(str(broken), 1, True)], peak_rows=[_row(str(parsed), 10, False)],
        is_user=lambda p: True, processing_seconds=0.25, pymalloc_stats="Small block threshold = 512\n",
        imported_from="/dumps/prog.tracemalloc", tracing_stopped_at=0.75)
    assert {"label", "sequence", "origin", "tracingStopped"} <= set(doc)
    assert {"mode", "sampleInterval", "modeNote"} <= set(doc["settings"]) and "samples" in doc["totals"]
    assert "margin" in doc["peak"] and "samples" in doc["files"][0]["lines"][0]["paths"][0]
    assert doc["peak"]["error"] and doc["program"]["exitCwd"] == "/later"
    assert sorted(("scopes" in f, "scopesError" in f) for f in doc["files"]) == [(False, True), (True, False)]
    assert undeclared_fields(doc) == []


def _order(doc: dict, other: dict) -> list:
    """The keys of ``doc`` that ``other`` has too, in ``doc``'s order, down the objects both hold."""
    keys = []
    for key, value in doc.items():
        if key in other:
            keys.append(key)
            if isinstance(value, dict) and isinstance(other[key], dict):
                keys.append(_order(value, other[key]))
    return keys


def test_exit_mid_run_and_imported_documents_hold_declared_fields_in_one_order(tmp_path):
    dump = tmp_path / "prog.tracemalloc"
    run = run_profiled(tmp_path, PROGRAM, args=[str(dump)])
    assert run.proc.returncode == 0, run.proc.stderr
    during = json.loads((tmp_path / "out" / "snapshot-1.json").read_text(encoding="ascii"))
    out = tmp_path / "imported.json"
    imported = subprocess.run([sys.executable, "-E", "-S", "-m", "memlens_helper.tracemalloc_import", str(dump),
                               str(out), "--root", str(tmp_path)], cwd=str(HELPER_DIR), capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    documents = {"exit": run.doc, "mid-run": during, "imported": json.loads(out.read_text(encoding="ascii"))}
    assert [d["kind"] for d in documents.values()] == ["exit", "snapshot", "snapshot"]
    for name, doc in documents.items():
        assert undeclared_fields(doc) == [], name
    # One writer: the fields the kinds share come in the same order in each.
    for name, doc in documents.items():
        for other_name, other in documents.items():
            assert _order(doc, other) == _order(other, doc), (name, other_name)
