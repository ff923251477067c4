"""The helper's line to the host: newline-delimited JSON on a local socket (``MEMLENS_CHANNEL``).

It is separate from the program's stdout and stderr, which stay the program's own. A host that
went away is not an error: messages are then dropped and the program runs on.
"""
import json
import socket
import sys
import threading
from typing import Optional


class Channel:
    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
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

    def close(self) -> None:
        for end in (self._sock, self._pipe):
            if end is not None:
                try:
                    end.close()
                except OSError:
                    pass
        self._sock = self._pipe = None
