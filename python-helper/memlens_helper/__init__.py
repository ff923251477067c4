"""MemLens's Python helper: traces a program's memory with tracemalloc and writes a snapshot.

Standard library only, CPython 3.8 and newer. ``sitecustomize.py`` one folder up is the entry
point; ``session`` orchestrates, the other modules each do one job.
"""
