"""The snapshot's ``process`` field: the program's memory maps (``/proc/self/smaps``) at exit.

A program that allocates and touches a 64 MiB buffer and keeps it alive must show at least
64 MiB of anonymous private dirty memory in the maps the helper read. The check parses the text
with a few lines of its own, independent of the TypeScript parser. Where the maps cannot be read
the field holds a sentence instead, and the snapshot is still written.
"""
import os
import re
import sys

import pytest

from conftest import HELPER_DIR, MiB, run_profiled

sys.path.insert(0, str(HELPER_DIR))
from memlens_helper import smaps  # noqa: E402

HEADER = re.compile(r"^[0-9a-f]+-[0-9a-f]+ \S{4} [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ \d+ *(.*)$")
FIELD = re.compile(r"^(\w+):\s+(\d+) kB$")


def anonymous_private_dirty(text: str) -> int:
    """Bytes of Private_Dirty in mappings without a file (no name, [heap], [stack], [anon:…])."""
    total = 0
    anonymous = False
    for line in text.splitlines():
        header = HEADER.match(line)
        if header:
            name = header.group(1)
            anonymous = name == "" or name in ("[heap]", "[stack]") or name.startswith("[anon")
            continue
        field = FIELD.match(line)
        if field and field.group(1) == "Private_Dirty" and anonymous:
            total += int(field.group(2)) * 1024
    return total


def mapped_paths(text: str) -> set:
    return {m.group(1) for m in map(HEADER.match, text.splitlines()) if m and m.group(1).startswith("/")}


# The buffer is touched page by page: bytearray(n) is calloc'ed, so untouched pages would not be
# resident. A transient 32 MiB spike afterwards keeps the held peak child (see session.py) alive
# until exit, the case where reading the maps too early would see the buffer as shared.
KEEPS_64_MIB = """
import time
MiB = 1024 * 1024
keep = bytearray(64 * MiB)
for i in range(0, len(keep), 4096):
    keep[i] = 1
spike = bytearray(32 * MiB)
for i in range(0, len(spike), 4096):
    spike[i] = 1
time.sleep(0.1)
del spike
"""

KEEPS_64_MIB_NO_SPIKE = """
MiB = 1024 * 1024
keep = bytearray(64 * MiB)
for i in range(0, len(keep), 4096):
    keep[i] = 1
"""

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/smaps is Linux's")


@linux_only
def test_64_mib_kept_alive_shows_as_anonymous_private_dirty(tmp_path, python):
    run = run_profiled(tmp_path, KEEPS_64_MIB, python=python)
    assert run.proc.returncode == 0, run.proc.stderr
    process = run.doc["process"]
    assert "smapsError" not in process, process.get("smapsError")
    assert process["pageSize"] == os.sysconf("SC_PAGE_SIZE")
    # The peak view came from the held child, so the maps were read after it had ended.
    assert run.doc["peak"]["method"] == "fork"
    assert anonymous_private_dirty(process["smaps"]) >= 64 * MiB
    # They are the program's own maps: the interpreter that ran it is mapped.
    assert any(os.path.basename(p).startswith(("python", "libpython")) for p in mapped_paths(process["smaps"]))


@linux_only
def test_64_mib_without_a_spike_is_private_dirty_too(tmp_path):
    run = run_profiled(tmp_path, KEEPS_64_MIB_NO_SPIKE)
    assert run.proc.returncode == 0, run.proc.stderr
    assert anonymous_private_dirty(run.doc["process"]["smaps"]) >= 64 * MiB


@linux_only
def test_unreadable_maps_give_a_sentence_and_the_snapshot_is_still_written(tmp_path):
    # The program points the helper at a file that does not exist, the way a missing /proc would.
    source = ("import sys\nkeep = bytearray(1024 * 1024)\n"
              "sys.modules['memlens_helper.smaps'].SMAPS_PATH = '/proc/self/no-such-file'\n")
    run = run_profiled(tmp_path, source)
    assert run.proc.returncode == 0, run.proc.stderr
    process = run.doc["process"]
    assert "smaps" not in process
    assert process["smapsError"] == ("MemLens could not read /proc/self/no-such-file (No such file or "
                                     "directory), so this snapshot has no memory maps.")
    assert run.doc["files"], "the rest of the snapshot is there"


def test_not_linux_is_said_in_a_sentence():
    process = smaps.read_process_memory(platform="darwin")
    assert "smaps" not in process
    assert process["smapsError"] == "Memory maps (/proc/PID/smaps) exist only on Linux; this program ran on darwin."


def test_unreadable_path_is_said_in_a_sentence(tmp_path):
    folder = tmp_path / "a folder"
    folder.mkdir()
    process = smaps.read_process_memory(path=str(folder), platform="linux")
    assert "smaps" not in process
    assert process["smapsError"].startswith("MemLens could not read %s (" % folder)
    assert process["smapsError"].endswith("), so this snapshot has no memory maps.")


def test_bytes_that_are_not_utf8_survive_as_surrogates(tmp_path):
    fake = tmp_path / "smaps"
    fake.write_bytes(b"7f00-7f01 rw-p 00000000 00:00 0 /tmp/caf\xe9\nRss: 4 kB\n")
    process = smaps.read_process_memory(path=str(fake), platform="linux")
    assert process["smaps"] == "7f00-7f01 rw-p 00000000 00:00 0 /tmp/caf\udce9\nRss: 4 kB\n"
    assert process["smaps"].encode("utf-8", "surrogateescape") == fake.read_bytes()
