"""A GTK application under MemLens: snapshots during ``Gtk.main()``, exit snapshot after it.

Long-running GUI programs spend their time in a native main loop. This runs a real GTK 3 window
(Debian's ``python3-gi`` under ``/usr/bin/python3``, on a virtual X display from ``xvfb-run``)
that appends 2 000 rows to a ``Gtk.ListStore`` and keeps 256 KiB of Python bytes every 50 ms,
marks snapshots from its own timeout callbacks (``sys.audit``) and gets one asked by the host on
the channel while it waits in the main loop, then quits. Skipped where GTK or Xvfb is missing.
"""
import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import HELPER_DIR, FakeHost, Run

SYSTEM_PYTHON = "/usr/bin/python3"
KiB = 1024


def _gtk_available() -> bool:
    if not (shutil.which("xvfb-run") and os.access(SYSTEM_PYTHON, os.X_OK)):
        return False
    probe = "import gi; gi.require_version('Gtk', '3.0'); from gi.repository import Gtk"
    return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _gtk_available(), reason="needs python3-gi with GTK 3 and xvfb-run")

APP = """
import os, sys
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk

kept = []
store = Gtk.ListStore(int, str)
ticks = 0


def tick():
    global ticks
    ticks += 1
    for i in range(2000):
        store.append([i, "row %d of tick %d" % (i, ticks)])
    kept.append(b"x" * (256 * 1024))  # @leak
    if ticks == 3:
        open("ready", "w").close()  # The test's host asks for its snapshot now.
    if ticks in (5, 10):
        sys.audit("memlens.snapshot", "tick %d" % ticks)
    if ticks >= 12 and os.path.exists("host-done"):
        Gtk.main_quit()
        return False
    return True


window = Gtk.Window(title="MemLens GTK test")
view = Gtk.TreeView(model=store)
view.append_column(Gtk.TreeViewColumn("n", Gtk.CellRendererText(), text=0))
view.append_column(Gtk.TreeViewColumn("label", Gtk.CellRendererText(), text=1))
scroller = Gtk.ScrolledWindow()
scroller.add(view)
window.add(scroller)
window.set_default_size(400, 300)
window.show_all()
GLib.timeout_add(50, tick)
Gtk.main()
print("rows", len(store))
"""


def _writable(smaps: str) -> int:
    return sum(int(line.split()[1]) * KiB for line in smaps.splitlines() if line.startswith("Private_Dirty:"))


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_snapshots_during_gtk_main_loop(tmp_path, mode):
    host = FakeHost()
    script = tmp_path / "app.py"
    script.write_text(APP, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if (not k.startswith("MEMLENS_") or k == "MEMLENS_MODE") and k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(HELPER_DIR), MEMLENS_OUT=str(tmp_path / "out" / "snapshot.json"),
               MEMLENS_MODE=mode, **host.env())
    proc = subprocess.Popen(["xvfb-run", "-a", SYSTEM_PYTHON, str(script)], cwd=str(tmp_path), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        host.wait_for(lambda m: m["type"] == "started", timeout=60)
        deadline = time.monotonic() + 60
        while not (tmp_path / "ready").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        # Asked while the main thread waits in GTK's main loop: the channel's thread forks.
        host.send({"type": "takeSnapshot", "id": 7, "label": "from the host"})
        asked = host.wait_for(lambda m: m.get("id") == 7 and m["type"] in ("snapshotWritten", "snapshotFailed"))
        (tmp_path / "host-done").write_text("")
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        host.close()
    assert proc.returncode == 0, err
    assert out.startswith("rows ") and int(out.split()[1]) >= 2000 * 12, out
    assert asked["type"] == "snapshotWritten", asked
    docs = {}
    for name in os.listdir(str(tmp_path / "out")):
        if name.startswith("snapshot-"):
            doc = json.loads((tmp_path / "out" / name).read_text(encoding="ascii"))
            docs[doc["label"]] = Run(subprocess.CompletedProcess([], 0), doc, script)
    assert set(docs) == {"from the host", "tick 5", "tick 10"}, sorted(docs)
    assert docs["from the host"].doc["sequence"] == asked["seq"]
    # Five ticks between the program's two marks: five 256 KiB buffers on the leaking line.
    five, ten = docs["tick 5"], docs["tick 10"]
    grown = ten.bytes_at("leak") - five.bytes_at("leak")
    assert abs(grown - 5 * 256 * KiB) <= 0.05 * 5 * 256 * KiB, grown
    # The rows live in GTK's own (native) memory, which tracemalloc does not see; writable
    # memory from the memory maps does: it grows by at least the Python buffers.
    assert _writable(ten.doc["process"]["smaps"]) - _writable(five.doc["process"]["smaps"]) >= 5 * 256 * KiB
    exit_doc = json.loads((tmp_path / "out" / "snapshot.json").read_text(encoding="ascii"))
    assert exit_doc["kind"] == "exit" and exit_doc["settings"]["mode"] == mode
    labels = [m["label"] for m in exit_doc["timeline"]["markers"] if m["kind"] == "snapshot"]
    assert set(labels) == {"from the host", "tick 5", "tick 10", "exit snapshot"}
