"""Ignores SIGINT and SIGTERM: only SIGKILL ends it, so it leaves no snapshot."""
import signal
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
KEEP = bytes(4 * 1024 * 1024)  # line 7: 4 MiB
while True:
    time.sleep(0.05)
