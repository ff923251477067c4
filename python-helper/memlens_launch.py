"""Runs the profiled program in the editor's terminal and keeps that terminal open afterwards.

VS Code closes a terminal as soon as its process ends, and with it the program's output and
traceback. So the terminal's process is this small launcher (run with ``-S``: it must not start
the helper itself): it runs the program as a child that shares the terminal, so input, Ctrl+C
and colours work as usual, reports the exact exit status on the helper's channel, and then waits
for a key before it lets the terminal close. Usage: ``python -S memlens_launch.py script.py args…``
(or ``-m module args…``). The launcher ignores SIGINT and SIGTERM, which reach it with the rest of
the terminal's process group: they are the program's to handle.
"""
import json
import os
import signal
import socket
import subprocess
import sys


def _report(message: dict) -> None:
    path = os.environ.get("MEMLENS_CHANNEL")
    if not path:
        return
    # The host hears a connection only once it says hello with the run's token.
    hello = {"type": "hello", "token": os.environ.get("MEMLENS_CHANNEL_TOKEN", "")}
    data = (json.dumps(hello) + "\n" + json.dumps(message) + "\n").encode()
    try:
        if sys.platform == "win32":
            with open(path, "wb", buffering=0) as pipe:
                pipe.write(data)
        else:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(path)
                s.sendall(data)
    except OSError:
        pass  # The editor is gone; the terminal still says how the program ended.


def _wait_for_a_key() -> None:
    try:
        import termios
        import tty
    except ImportError:
        sys.stdin.readline()
        return
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        os.read(fd, 1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def main(argv: list) -> int:
    if not argv:
        print("usage: python -S memlens_launch.py script.py [args...]", file=sys.stderr)
        return 2
    try:
        child = subprocess.Popen([sys.executable] + argv)
    except OSError as exc:
        print("MemLens: cannot start %s: %s" % (sys.executable, exc), file=sys.stderr)
        _report({"type": "exited", "pid": None, "code": 127, "signal": None})
        return 127
    # Only now: the child must start with the default handlers.
    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: None)
    while True:
        try:
            code = child.wait()
            break
        except InterruptedError:
            continue
    sig = None
    if code < 0:
        try:
            sig = signal.Signals(-code).name
        except ValueError:
            sig = "signal %d" % -code
    _report({"type": "exited", "pid": child.pid, "code": None if sig else code, "signal": sig})
    status = "was ended by %s" % sig if sig else "exited with status %d" % code
    if sys.stdin.isatty():
        sys.stdout.write("\n\x1b[2m[MemLens] The program %s. Results are in the editor. "
                         "Press any key to close this terminal.\x1b[0m" % status)
        sys.stdout.flush()
        try:
            _wait_for_a_key()
        except (OSError, KeyboardInterrupt):
            pass
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
