"""Runs until stopped, growing a little each tick: the stop test cancels it."""
import time

KEEP = [bytes(12 * 1024 * 1024)]  # line 4: 12 MiB before the loop
while True:
    KEEP.append(bytes(64 * 1024))  # line 6: 64 KiB a tick
    time.sleep(0.05)
