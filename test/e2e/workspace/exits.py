"""Allocates, then exits with status 3."""
import sys

KEPT = bytes(2 * 1024 * 1024)  # line 4: 2 MiB
sys.exit(3)
