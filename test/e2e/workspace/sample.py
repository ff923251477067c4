"""MemLens end-to-end sample: known allocations on known lines (the tests name these lines)."""
import json

KEEP = []


def build():
    big = bytes(40 * 1024 * 1024)  # line 8: one 40 MiB block, kept alive by KEEP
    KEEP.append(big)
    words = [str(i) * 8 for i in range(50000)]  # line 10: many small strings
    KEEP.append(words)
    records = json.loads("[" + ",".join('{"k": %d}' % i for i in range(20000)) + "]")  # line 12
    KEEP.append(records)


class Cache:
    def fill(self):
        self.blob = bytes(3 * 1024 * 1024)  # line 18: 3 MiB
        return self


def main():
    build()
    KEEP.append(Cache().fill())


if __name__ == "__main__":
    main()
