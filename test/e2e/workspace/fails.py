"""Allocates, then dies of an uncaught exception: results for what ran, and the error."""

KEPT = bytes(6 * 1024 * 1024)  # line 3: 6 MiB


def divide(a, b):
    return a / b  # line 7: raises ZeroDivisionError


divide(1, 0)
