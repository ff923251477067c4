"""The program runs exactly as under plain Python, and every way of ending leaves a snapshot."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import HELPER_DIR, MiB, run_profiled

SHOW_ENVIRONMENT = """
import json, os, sys
print(json.dumps({"argv": sys.argv, "path0": sys.path[0], "name": __name__,
                  "memlens": sorted(k for k in os.environ if k.startswith("MEMLENS_")),
                  "pythonpath": os.environ.get("PYTHONPATH")}))
"""


def test_script_sees_argv_path_and_main_as_under_plain_python(tmp_path, python):
    run = run_profiled(tmp_path, SHOW_ENVIRONMENT, python=python, args=["a b", "ü"])
    assert run.proc.returncode == 0, run.proc.stderr
    seen = json.loads(run.proc.stdout)
    plain = subprocess.run([python, str(run.script), "a b", "ü"], cwd=str(tmp_path), capture_output=True,
                           text=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    expected = json.loads(plain.stdout)
    assert seen["argv"] == expected["argv"] == [str(run.script), "a b", "ü"]
    assert seen["path0"] == expected["path0"]
    assert seen["name"] == "__main__"
    # The helper's options and folder are gone from the environment children inherit.
    assert seen["memlens"] == []
    assert seen["pythonpath"] is None
    assert run.doc is not None


def test_module_run_with_dash_m(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    run = run_profiled(tmp_path, "import sys\nif __name__ == '__main__':\n"
                       "    data = bytearray(5 * 1024 * 1024)  # @data\n    print(sys.argv[1:])\n",
                       name="pkg/tool.py", pre_args=["-m", "pkg.tool"], args=["x"])
    assert run.proc.returncode == 0, run.proc.stderr
    assert run.proc.stdout.strip() == "['x']"
    assert abs(run.bytes_at("data") - 5 * MiB) < 0.05 * 5 * MiB
    assert "-m" in run.doc["program"]["argv"] or sys.version_info < (3, 10)


def test_sys_exit_keeps_globals_and_writes_the_snapshot(tmp_path):
    run = run_profiled(tmp_path, "import sys\nkept = bytearray(3 * 1024 * 1024)  # @kept\nsys.exit(3)\n")
    assert run.proc.returncode == 3
    assert run.doc["program"]["end"] == {"kind": "exit"}
    assert run.bytes_at("kept") >= 3 * MiB


def test_uncaught_exception_is_recorded_with_its_line(tmp_path):
    run = run_profiled(tmp_path, "kept = bytearray(2 * 1024 * 1024)  # @kept\n"
                       "def fail():\n    raise ValueError('bad <input>')  # @raise\nfail()\n")
    assert run.proc.returncode == 1
    assert "ValueError: bad <input>" in run.proc.stderr  # The program's own traceback still prints.
    end = run.doc["program"]["end"]
    assert end["kind"] == "exception" and end["type"] == "ValueError" and end["message"] == "bad <input>"
    assert end["line"] == run.line_of("raise") and end["file"] == os.path.realpath(str(run.script))
    assert run.bytes_at("kept") >= 2 * MiB


def test_syntax_error_in_the_script_is_recorded(tmp_path):
    run = run_profiled(tmp_path, "x = 1\ndef broken(:\n    pass\n")
    assert run.proc.returncode == 1
    end = run.doc["program"]["end"]
    assert end["type"] == "SyntaxError" and end["line"] == 2


def _start_and_signal(tmp_path, sig, source, group=False):
    script = tmp_path / "prog.py"
    script.write_text(source)
    out = tmp_path / "out" / "snapshot.json"
    env = dict(os.environ, PYTHONPATH=str(HELPER_DIR), MEMLENS_OUT=str(out))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=str(tmp_path), env=env, start_new_session=group,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    if group:
        time.sleep(0.2)  # Let the watcher fork its held peak capture: it is in the group too.
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    proc.wait(timeout=60)
    return proc, json.loads(out.read_text()) if out.exists() else None


WAITS = "import time, sys\nheld = bytearray(6 * 1024 * 1024)\nprint('ready', flush=True)\ntime.sleep(60)\n"
WAITS_AFTER_PEAK = ("import time\nheld = bytearray(20 * 1024 * 1024)\ntmp = bytearray(40 * 1024 * 1024)\n"
                    "time.sleep(0.2)\ndel tmp\nprint('ready', flush=True)\ntime.sleep(60)\n")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_to_the_whole_group_keeps_exit_and_peak_views(tmp_path, sig):
    # Ctrl+C in a terminal, and the host's cancel, signal the whole process group: the helper's
    # own children are in it and must survive until the parent has written the snapshot.
    proc, doc = _start_and_signal(tmp_path, sig, WAITS_AFTER_PEAK, group=True)
    assert doc is not None, proc.stderr.read()
    assert doc["peak"]["method"] == "fork"
    assert doc["peak"]["capturedTraced"] >= 60 * MiB
    user = [f for f in doc["files"] if f["user"]][0]
    assert sum(r["bytes"] for r in user["lines"]) < 30 * MiB
    assert not list((tmp_path / "out").glob(".memlens-*"))


def test_sigterm_writes_the_snapshot_and_ends_by_sigterm(tmp_path):
    proc, doc = _start_and_signal(tmp_path, signal.SIGTERM, WAITS)
    assert proc.returncode == -signal.SIGTERM
    assert doc["program"]["end"] == {"kind": "signal", "signal": "SIGTERM"}
    assert sum(r["bytes"] for f in doc["files"] if f["user"] for r in f["lines"]) >= 6 * MiB


def test_sigint_ends_through_keyboard_interrupt_with_a_snapshot(tmp_path):
    proc, doc = _start_and_signal(tmp_path, signal.SIGINT, WAITS)
    assert proc.returncode in (-signal.SIGINT, 1)
    assert doc["program"]["end"]["type"] == "KeyboardInterrupt"
    assert sum(r["bytes"] for f in doc["files"] if f["user"] for r in f["lines"]) >= 6 * MiB


def test_sigkill_leaves_no_file_at_all(tmp_path):
    proc, doc = _start_and_signal(tmp_path, signal.SIGKILL, WAITS)
    assert proc.returncode == -signal.SIGKILL
    assert doc is None
    assert not [p for p in (tmp_path / "out").glob("*")] if (tmp_path / "out").exists() else True


def test_helper_allocations_never_appear_and_lines_add_up_to_traced(tmp_path):
    run = run_profiled(tmp_path, "import time\nx = [bytes(1000) for _ in range(3000)]\ntime.sleep(1.2)\n")
    helper = os.path.realpath(str(HELPER_DIR))
    assert not [f["path"] for f in run.doc["files"] if f["path"].startswith(helper)]
    total = sum(r["bytes"] for f in run.doc["files"] for r in f["lines"])
    assert total == run.doc["totals"]["tracedCurrent"]
    assert sum(r["blocks"] for f in run.doc["files"] for r in f["lines"]) == run.doc["totals"]["blocks"]


def test_rows_without_a_user_frame_are_kept_and_flagged(tmp_path):
    # At depth 1 the json decoder's frame is the only one seen: no user frame within reach.
    run = run_profiled(tmp_path, "import json\nd = json.loads('[' + ','.join(['\"s%d\"' % i for i in range(20000)]) + ']')\n",
                       env={"MEMLENS_FRAMES": "1"})
    flagged = [r for f in run.doc["files"] if not f["user"] for r in f["lines"] if r.get("noUserFrame")]
    assert sum(r["bytes"] for r in flagged) > 500 * 1024
    assert run.doc["settings"]["frames"] == 1


def test_stdout_and_stdin_stay_the_programs_own(tmp_path):
    run = run_profiled(tmp_path, "name = input('Name? ')\nprint('hello', name)\n", stdin="Ada\n")
    assert run.proc.stdout == "Name? hello Ada\n"
    assert run.proc.stderr == ""


def test_children_run_untraced(tmp_path):
    run = run_profiled(tmp_path, "import subprocess, sys\n"
                       "subprocess.run([sys.executable, '-c', 'import sys; print(\"sitecustomize\" in sys.modules and "
                       "hasattr(sys.modules[\"sitecustomize\"], \"_memlens_session\"))'])\n")
    assert run.proc.returncode == 0
    assert run.proc.stdout.strip() == "False"


def test_the_shadowed_sitecustomize_still_runs(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "sitecustomize.py").write_text("import os\nos.environ['SHADOWED_RAN'] = 'yes'\n")
    run = run_profiled(tmp_path, "import os\nprint(os.environ.get('SHADOWED_RAN'))\n",
                       env={"PYTHONPATH": os.pathsep.join([str(HELPER_DIR), str(other)])})
    assert run.proc.stdout.strip() == "yes"
    assert run.doc is not None


def test_channel_carries_started_live_and_finished(tmp_path):
    sock_path = str(tmp_path / "ch.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen(1)
    received = []

    def accept():
        conn, _ = server.accept()
        buf = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            buf += chunk
        received.extend(json.loads(l) for l in buf.decode().splitlines())

    t = threading.Thread(target=accept)
    t.start()
    run = run_profiled(tmp_path, "import time\nprint('out')\nx = bytearray(1 << 20)\ntime.sleep(1.3)\n",
                       env={"MEMLENS_CHANNEL": sock_path, "MEMLENS_CHANNEL_TOKEN": "the-run-token"})
    t.join(30)
    server.close()
    # Every connection opens with the run's token; the host hears nothing else before it.
    assert received[0] == {"type": "hello", "token": "the-run-token"}
    received = received[1:]
    kinds = [m["type"] for m in received]
    assert kinds[0] == "started" and kinds[-1] == "finished", kinds
    assert "live" in kinds and "snapshotWritten" in kinds
    live = [m for m in received if m["type"] == "live"][-1]
    assert live["tracedCurrent"] >= 1 << 20 and live["rss"] > live["tracedCurrent"]
    assert received[-1]["path"] == str(tmp_path / "out" / "snapshot.json")
    assert run.proc.stdout == "out\n"


def test_scopes_come_with_qualified_names_and_ranges(tmp_path):
    run = run_profiled(tmp_path, "class Store:\n    def fill(self):\n        def inner():\n"
                       "            return 1\n        self.data = bytearray(1 << 20)\n\nStore().fill()\n")
    scopes = {s["name"]: (s["kind"], s["line"], s["endLine"]) for s in run.file()["scopes"]}
    assert scopes == {"Store": ("class", 1, 5), "Store.fill": ("function", 2, 5),
                      "Store.fill.inner": ("function", 3, 4)}


def test_snapshot_is_written_atomically_and_names_its_format(tmp_path):
    run = run_profiled(tmp_path, "x = 1\n")
    assert run.doc["format"] == "memlens.snapshot" and run.doc["version"] == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["snapshot.json"]


def test_peak_rss_is_never_below_the_resident_size_at_exit(tmp_path):
    run = run_profiled(tmp_path, "kept = bytearray(48 * 1024 * 1024)\nkept[::4096] = b'x' * len(kept[::4096])\n")
    totals = run.doc["totals"]
    assert totals["rss"] >= 48 * MiB
    assert totals["maxRss"] >= totals["rss"]


def test_the_launcher_says_hello_before_it_reports_the_exit_status(tmp_path, host):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMLENS_")}
    env.update(host.env())
    proc = subprocess.run([sys.executable, "-S", str(HELPER_DIR / "memlens_launch.py"), "-c", "raise SystemExit(3)"],
                          env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 3
    exited = host.wait_for(lambda m: m["type"] == "exited")
    assert exited["code"] == 3 and exited["signal"] is None
    assert host.hellos == 1 and host.refused == 0
