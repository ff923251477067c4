"""A long-running service that leaks: every tick keeps 1 MiB it never frees (the @leak line) and
churns a 4 MiB temporary that is freed (the @churn line). It runs until stopped, for at most a
minute, so snapshots can be taken while it runs."""
import time

MiB = 1024 * 1024
kept = []


def tick():
    scratch = b"y" * (4 * MiB)  # @churn
    kept.append(b"x" * MiB)  # @leak
    return len(scratch)


def main():
    for _ in range(600):
        tick()
        time.sleep(0.1)


if __name__ == "__main__":
    main()
