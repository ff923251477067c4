"""Holds a big heap (about 2.5 million live blocks) and runs until stopped: its exit snapshot
takes seconds, longer than the stop's grace period between signals. Writes big_heap.ready in
its working folder once the heap is built."""
import time

rows = [{"id": i, "name": "row %d" % i} for i in range(800_000)]
# Built: the test stops it now (a stop while the list is built would first free it, slowly).
open("big_heap.ready", "w").close()
for _ in range(600):
    time.sleep(0.1)
