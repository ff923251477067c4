"""Holds a big heap (about 2.5 million live blocks) and runs until stopped: its exit snapshot
takes seconds, longer than the stop's grace period between signals."""
import time

rows = [{"id": i, "name": "row %d" % i} for i in range(800_000)]
print("ready", flush=True)
for _ in range(600):
    time.sleep(0.1)
