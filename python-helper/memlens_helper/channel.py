"""The helper's line to the host: newline-delimited JSON on a local socket (``MEMLENS_CHANNEL``).

It is separate from the program's stdout and stderr, which stay the program's own. A host that
went away is not an error: messages are then dropped and the program runs on, unless the host
asked otherwise (``on_host_gone``, for ``MEMLENS_END_WITH_HOST``).

Every connection opens with ``{"type": "hello", "token": …}`` (``MEMLENS_CHANNEL_TOKEN``): the host
refuses any other. The socket's descriptor is checked before each use (``owned``): a program that
closed it and opened something at its number gets nothing of the helper's; the helper forgets
that number without closing it, connects again and says hello again.

It is two-way: ``listen`` starts a daemon thread that reads the host's requests (``takeSnapshot``)
from the same socket. The thread waits in ``poll`` without the GIL, waking each second to check
that the socket is still its own, so the program runs on while nothing arrives; a line that is not
a JSON object is ignored. Its allocations carry its own frames, never the program's, so attribution
leaves them out. On Windows the pipe is opened for writing only (a synchronous pipe handle
serialises a pending read with every write), so there is no reader.
"""
import json
import select
import socket
import sys
import threading
from typing import Callable, Optional

from .owned import identity, still_ours

#: A host line longer than this is not a request (they are a few dozen bytes): it is dropped.
MAX_LINE = 64 * 1024
#: How often the reader checks that its socket is still its own while nothing arrives, ms.
CHECK_MS = 1000


class Channel:
    def __init__(self, path: str, token: str = "") -> None:
        self._path = path
        self._hello = _line({"type": "hello", "token": token})
        # Reentrant: the SIGTERM handler's exit snapshot may interrupt the main thread mid-send.
        self._lock = threading.RLock()
        self._sock: Optional[socket.socket] = None
        self._sock_id = None
        self._pipe = None
        self._closing = False
        #: Called once, from the reader, when the host's end goes away while the channel is open.
        self.on_host_gone: Optional[Callable[[], None]] = None
        if sys.platform == "win32":
            try:
                self._pipe = open(path, "wb", buffering=0)  # A named pipe \\.\pipe\...
                self._pipe.write(self._hello)
            except OSError as exc:
                self._pipe = None
                _say_unreachable(path, exc)
        else:
            error = self._connect()
            if error is not None:
                _say_unreachable(path, error)

    def _connect(self) -> Optional[OSError]:
        """Connects and says hello; the error when the host cannot be reached."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self._path)
            s.sendall(self._hello)
        except OSError as exc:
            s.close()
            return exc
        self._sock, self._sock_id = s, identity(s.fileno())
        return None

    def _ours(self) -> bool:
        """Whether the socket is still the one the helper opened (call with the lock held)."""
        if self._sock is None:
            return False
        if still_ours(self._sock.fileno(), self._sock_id):
            return True
        # The program closed it and its number may be the program's now: forget the number
        # without closing it (``detach``: no finalizer closes it either), and connect again.
        self._sock.detach()
        self._sock = None
        if not self._closing and self._connect() is None:
            return True
        return False

    def send(self, message: dict) -> None:
        data = _line(message)
        with self._lock:
            try:
                if self._sock is not None and self._ours():
                    self._sock.sendall(data)
                elif self._pipe is not None:
                    self._pipe.write(data)
            except OSError:
                # The host went away: the reader sees it too and says so; nothing more is sent.
                self._drop()

    def listen(self, on_message: Callable[[dict], None]) -> None:
        """Calls ``on_message`` with each JSON object the host sends, from a daemon thread."""
        if self._sock is not None:
            threading.Thread(target=self._read, args=(on_message,), name="memlens-channel",
                             daemon=True).start()

    def _read(self, on_message: Callable[[dict], None]) -> None:
        pending = b""
        current: Optional[socket.socket] = None
        while True:
            with self._lock:
                if self._closing:
                    return
                if self._sock is None or not self._ours():
                    gone = not self._closing
                    break
                sock = self._sock
            if sock is not current:
                current, pending = sock, b""  # A new connection: a line is never split across two.
            poller = select.poll()
            try:
                poller.register(sock.fileno(), select.POLLIN)
            except (OSError, ValueError):  # Forgotten by a sender meanwhile (``fileno`` is -1).
                continue
            if not poller.poll(CHECK_MS):
                continue
            with self._lock:
                # Readable, but whose? The program may have put its own socket at this number.
                if self._closing or sock is not self._sock or not self._ours():
                    continue
            try:
                chunk = sock.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    if self._closing:
                        return
                    if sock is not self._sock or not still_ours(sock.fileno(), self._sock_id):
                        continue  # Lost to the program, not ended by the host: reconnect above.
                    self._drop()
                gone = True
                break
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
        if gone and self.on_host_gone is not None:
            self.on_host_gone()

    def _drop(self) -> None:
        """Closes the helper's own end (call with the lock held): the host is gone."""
        if self._sock is not None:
            if still_ours(self._sock.fileno(), self._sock_id):
                try:
                    # Wakes the reader's wait; close alone would leave it blocked on Linux.
                    self._sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self._sock.close()
            else:
                self._sock.detach()
        if self._pipe is not None:
            try:
                self._pipe.close()
            except OSError:
                pass
        self._sock = self._pipe = None

    def close(self) -> None:
        """Ends the channel at the helper's own finish: the reader stops, and the host's end
        going away from now on is no news."""
        with self._lock:
            self._closing = True
            self._drop()


def _line(message: dict) -> bytes:
    return (json.dumps(message, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def _say_unreachable(path: str, exc: OSError) -> None:
    print("MemLens: cannot reach the editor at %s (%s); results go to the snapshot file only."
          % (path, exc), file=sys.stderr)
