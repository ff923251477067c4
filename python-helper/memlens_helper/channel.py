"""The helper's line to the host: newline-delimited JSON on a local socket (``MEMLENS_CHANNEL``).

It is separate from the program's stdout and stderr, which stay the program's own. A host that
went away is not an error: messages are then dropped and the program runs on.

It is two-way: ``listen`` starts a daemon thread that reads the host's requests (``takeSnapshot``)
from the same socket. The thread waits in ``recv`` without the GIL, so the program runs on while
nothing arrives; a line that is not a JSON object is ignored. Its allocations carry its own frames,
never the program's, so attribution leaves them out. On Windows the pipe is opened for writing
only (a synchronous pipe handle serialises a pending read with every write), so there is no reader.
"""
import json
import socket
import sys
import threading
from typing import Callable, Optional

#: A host line longer than this is not a request (they are a few dozen bytes): it is dropped.
MAX_LINE = 64 * 1024


class Channel:
    def __init__(self, path: str) -> None:
        # Reentrant: the SIGTERM handler's exit snapshot may interrupt the main thread mid-send.
        self._lock = threading.RLock()
        self._sock: Optional[socket.socket] = None
        self._pipe = None
        try:
            if sys.platform == "win32":
                self._pipe = open(path, "wb", buffering=0)  # A named pipe \\.\pipe\...
            else:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self._sock = s
        except OSError as exc:
            print("MemLens: cannot reach the editor at %s (%s); results go to the snapshot file only."
                  % (path, exc), file=sys.stderr)

    def send(self, message: dict) -> None:
        data = (json.dumps(message, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
        with self._lock:
            try:
                if self._sock is not None:
                    self._sock.sendall(data)
                elif self._pipe is not None:
                    self._pipe.write(data)
            except OSError:
                self.close()

    def listen(self, on_message: Callable[[dict], None]) -> None:
        """Calls ``on_message`` with each JSON object the host sends, from a daemon thread."""
        if self._sock is not None:
            threading.Thread(target=self._read, args=(self._sock, on_message), name="memlens-channel",
                             daemon=True).start()

    @staticmethod
    def _read(sock: socket.socket, on_message: Callable[[dict], None]) -> None:
        pending = b""
        while True:
            try:
                chunk = sock.recv(4096)
            except OSError:
                return  # Closed.
            if not chunk:
                return  # The host closed its end, or ``close`` shut the socket down.
            pending += chunk
            while True:
                line, nl, rest = pending.partition(b"\n")
                if not nl:
                    break
                pending = rest
                try:
                    message = json.loads(line.decode("utf-8"))
                except ValueError:  # Not JSON (UnicodeDecodeError is a ValueError too).
                    continue
                if isinstance(message, dict):
                    try:
                        on_message(message)
                    except Exception:  # A request that fails must not end the reader.
                        pass
            if len(pending) > MAX_LINE:
                pending = b""

    def close(self) -> None:
        if self._sock is not None:
            try:
                # Wakes the reader's recv; close alone would leave it blocked on Linux.
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for end in (self._sock, self._pipe):
            if end is not None:
                try:
                    end.close()
                except OSError:
                    pass
        self._sock = self._pipe = None
