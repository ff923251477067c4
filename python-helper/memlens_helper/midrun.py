"""Snapshots while the program runs: the host's ``takeSnapshot``, or the program's own
``sys.audit("memlens.snapshot", label)``.

The program pauses only to read its memory maps (in the fast mode, also to copy the sampler's
per-stack table, which a forked child would find empty) and to ``fork()``: the child, a copy of
the process at that instant, takes the traces (or the copied table), groups them, runs the type
census and the garbage
collector's report, and writes a whole snapshot document to ``<out stem>-<seq>.json`` beside the
exit snapshot, while the program runs on. A thread of the helper waits for the child and tells
the host (``snapshotStarted``, then ``snapshotWritten`` or ``snapshotFailed``); without a channel
the file is still written and a refusal is printed to stderr.

- The audit hook is called for every audit event of the process (``open``, ``exec``, ``import``…),
  so it compares the event's name and returns; it cannot be removed, so it outlives the session
  and then refuses quietly. A snapshot asked by the program is forked in the calling thread, at
  that exact point of its code; one asked by the host is forked in the channel's reader thread.
- The memory maps are read in the program's process just before the fork (in the child they would
  be the child's). A helper child alive then (the held peak capture, an earlier snapshot's child)
  shares the program's pages, which the kernel counts as shared dirty: the child folds them back
  into private dirty (``smaps.fold_shared_dirty``) and the document says so.
- The child turns the collector off (no automatic collection frees cyclic garbage before it is
  counted), closes every file descriptor it inherited before the garbage collector's report (that
  report's collection runs the finalizers of the program's unreachable cycles: a file flushed or a
  socket written there would be written twice), reads pymalloc's statistics in a grandchild forked
  before the traces are copied (they need tracing stopped, and the copy would fill pymalloc's
  arenas), imports nothing (an import lock may have been held by a thread that the fork left
  behind), and ends with ``os._exit``.
- At most ``MAX_IN_FLIGHT`` children are written at once: each one is a copy of the program whose
  pages the program then copies again as it writes them. A host's request beyond that is refused
  (the user can ask again); the program's own waits for one to be written, since it marks a point
  of its code that a later snapshot would not be.
"""
import encodings.ascii  # noqa: F401  The children write and read ASCII: loaded now, not in a fork.
import gc
import os
import select
import signal
import sys
import threading
import time
import tracemalloc
from typing import Callable, Dict, List, Optional, Tuple

from . import process_stats, pymalloc, smaps
from .aggregate import Summary, summarize, summarize_samples
from .capture import CAN_FORK, close_inherited_fds, detach_from_terminal, watch_parent
from .owned import identity, still_ours
from .snapshot_writer import Peak, Totals, build_document, write_json_atomic

EVENT = "memlens.snapshot"
MAX_IN_FLIGHT = 2
MAX_LABEL = 200
WAIT_SECONDS = 600
#: How long a snapshot's child may go on writing once the program is gone: as long as the CLI
#: waits for the run's processes (src/cli/profile.ts); a snapshot of a huge heap takes seconds.
ORPHAN_SNAPSHOT_SECONDS = 60


def snapshot_path(out: str, seq: int) -> str:
    """``/runs/x/snapshot.json`` and 3 give ``/runs/x/snapshot-3.json``."""
    stem, ext = os.path.splitext(out)
    return "%s-%d%s" % (stem, seq, ext or ".json")


class _Instant:
    """What the program's process reads at the snapshot's instant, for the child to write.
    ``children`` says whether a snapshot's child may still be alive."""

    def __init__(self, session, children: bool) -> None:
        self.wall = time.time()
        self.perf = time.perf_counter()
        tracker = session.tracker
        self.traced, self.traced_peak = tracker.traced()
        # The fast mode's view is copied here, in the program's process: a forked child starts
        # with an empty table (the sampler's fork handler), and the copy is per stack, not per
        # block, so the program pauses for milliseconds.
        self.samples = tracker.native.live_view() if tracker.mode == "fast" else None
        self.usage = process_stats.usage()
        self.rss, self.anon = process_stats.rss_and_anonymous()
        # The kernel updates the high-water mark lazily: the resident size can be above it.
        self.usage = self.usage._replace(max_rss=max(self.usage.max_rss, self.rss or 0))
        held = session.watcher.held
        self.process = smaps.read_process_memory()
        # Folding is exact whenever the pages' only other holders are the helper's children, so
        # a child forked or let go during the read changes nothing: any child seen counts.
        self.shared = children or held is not None or session.watcher.held is not None


class MidRunSnapshots:
    def __init__(self, session) -> None:
        self.session = session
        self.pid = os.getpid()
        self.closed = False
        #: ``(t, label)`` of every snapshot forked, ``t`` on the session's ``perf0`` clock.
        self.markers: List[Tuple[float, str]] = []
        self._next_seq = 1
        # Reentrant: the SIGTERM handler's ``close`` may interrupt the main thread inside ``take``.
        self._lock = threading.RLock()
        self._taking = False
        #: One thread per child not yet reaped; removed by the thread itself.
        self._waiters: List[threading.Thread] = []
        #: The children being written, by sequence number, for ``abort``.
        self._children: Dict[int, int] = {}
        self._aborted = False

    @property
    def next_seq(self) -> int:
        """The sequence number the next snapshot will get: those below it were this run's."""
        return self._next_seq

    def install(self) -> None:
        """Listens for the program's audit event and for the host's requests."""
        sys.addaudithook(_audit_hook(self._on_audit, self.session.on_exec))
        if self.session.channel is not None:
            self.session.channel.listen(self._on_host_message)

    def _on_audit(self, args: tuple) -> None:
        try:  # An exception here would be raised at the program's sys.audit call.
            label = args[0] if args else None
            self.take(None if label is None else str(label), None)
        except Exception:
            pass

    def _on_host_message(self, message: dict) -> None:
        if message.get("type") != "takeSnapshot":
            return
        req_id = message.get("id")
        if not isinstance(req_id, int) or isinstance(req_id, bool):
            return
        label = message.get("label")
        self.take(label if isinstance(label, str) else None, req_id)

    def take(self, label: Optional[str], req_id: Optional[int]) -> None:
        """Forks a snapshot of this instant, or says why not."""
        if os.getpid() != self.pid:
            return  # A child the program forked: its snapshots would not be this run's.
        label = label[:MAX_LABEL] if label else None
        if req_id is None:
            self._wait_for_a_slot()
        with self._lock:
            seq = self._next_seq
            self._next_seq += 1
            reason = self._refusal()
            if reason is not None:
                self._failed(seq, req_id, reason)
                return
            self._taking = True
            try:
                pid, status, t = self._fork(seq, label)
            except RuntimeError as exc:
                # 3.12+ refuses to fork once the interpreter is shutting down.
                self._failed(seq, req_id, "Python %d.%d refuses to fork while the interpreter shuts down "
                             "(%s), so no snapshot can be taken this late in the program's exit."
                             % (sys.version_info[0], sys.version_info[1], exc)
                             if "shutdown" in str(exc) else "The snapshot could not fork (%s)." % exc)
                return
            except OSError as exc:
                self._failed(seq, req_id, "The snapshot could not fork a process (%s)." % exc)
                return
            finally:
                self._taking = False
            self._children[seq] = pid
            waiter = threading.Thread(target=self._wait, args=(pid, status, seq, req_id, label, t),
                                      name="memlens-snapshot-%d" % seq, daemon=True)
            self._waiters.append(waiter)
            try:
                waiter.start()
            except RuntimeError:
                # 3.12+ starts no thread at shutdown (where 3.13 still forks): wait here instead.
                self._waiters.remove(waiter)
                self._wait(pid, status, seq, req_id, label, t, listed=False)

    def _wait_for_a_slot(self) -> None:
        """The program asked for a snapshot at this point of its code: rather than lose it, the
        program waits until fewer than ``MAX_IN_FLIGHT`` children are being written. (The host's
        requests are refused instead: the user can ask again, and the moment is theirs anyway.)"""
        while len(self._waiters) >= MAX_IN_FLIGHT and not self.closed:
            try:
                oldest = self._waiters[0]
            except IndexError:
                return
            oldest.join(WAIT_SECONDS)

    def _refusal(self) -> Optional[str]:
        if not CAN_FORK:
            return ("Snapshots during a run are not supported on this platform yet: they need fork(), "
                    "which %s lacks." % sys.platform)
        if self.closed:
            return "The program has ended: MemLens is taking its exit snapshot instead."
        if self._taking:
            return "A snapshot was asked for while another one was being taken (from a fork handler)."
        if self.session.tracker.mode == "exact" and not tracemalloc.is_tracing():
            return "tracemalloc is not tracing (the program stopped it), so there is nothing to snapshot."
        if len(self._waiters) >= MAX_IN_FLIGHT:
            return ("%d snapshots are still being written, and MemLens writes at most %d at a time: "
                    "ask again once one of them is written." % (len(self._waiters), MAX_IN_FLIGHT))
        return None

    def _fork(self, seq: int, label: Optional[str]) -> Tuple[int, int, float]:
        """Reads the instant, forks the child; returns its pid, the read end of its status pipe
        and the instant in seconds since the program started."""
        s = self.session
        instant = _Instant(s, bool(self._waiters))
        marker = (instant.perf - s.perf0, label or "snapshot %d" % seq)
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except BaseException:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:
            _child(s, self.markers + [marker], seq, label, instant, write_end, self.pid)
        os.close(write_end)
        self.markers.append(marker)
        return pid, read_end, instant.wall - s.started

    def _wait(self, pid: int, status: int, seq: int, req_id: Optional[int], label: Optional[str],
              t: float, listed: bool = True) -> None:
        """The waiting thread of one child (``listed`` in ``_waiters``): tells the host the
        snapshot started, then how it ended."""
        named: dict = {"seq": seq}
        if req_id is not None:
            named["id"] = req_id
        if label:
            named["label"] = label
        self._send(dict({"type": "snapshotStarted"}, **named, t=round(t, 3)))
        started = time.monotonic()
        try:
            outcome = _wait_for_child(pid, status, started)
        except Exception as exc:  # The host must hear an answer whatever happened.
            outcome = "MemLens lost track of the snapshot's process (%s: %s)." % (type(exc).__name__, exc)
        finally:
            self._children.pop(seq, None)
            if listed:
                self._waiters.remove(threading.current_thread())
        if self._aborted and not outcome.startswith("ok "):
            outcome = "The program was stopped while this snapshot was being written."
        if outcome.startswith("ok "):
            self._send(dict({"type": "snapshotWritten", "path": snapshot_path(self.session.options.out, seq),
                             "kind": "snapshot", "seconds": float(outcome[3:])}, **named))
        else:
            self._failed(seq, req_id, outcome)

    def _failed(self, seq: int, req_id: Optional[int], error: str) -> None:
        if self.session.channel is None:
            # Run from a terminal without a host: the program's stderr is the only place to say it.
            print("MemLens: snapshot %d was not written: %s" % (seq, error), file=sys.stderr)
            return
        message = {"type": "snapshotFailed", "seq": seq, "error": error}
        if req_id is not None:
            message["id"] = req_id
        self._send(message)

    def _send(self, message: dict) -> None:
        if self.session.channel is not None:
            self.session.channel.send(message)

    def close(self, abort: bool = False) -> None:
        """At exit: refuses new snapshots, and waits until every child is written and reported, so
        that their messages come before ``finished`` and no child shares pages when the exit
        snapshot reads the memory maps. ``abort`` (the program was stopped) ends the children
        instead: a stop gives the exit snapshot a few seconds, which are not to be spent on them."""
        got = self._lock.acquire(timeout=10)
        self.closed = True
        if got:
            self._lock.release()
        if abort:
            self.abort()
        for waiter in list(self._waiters):
            waiter.join(WAIT_SECONDS + 10)

    def abort(self) -> None:
        """Ends the children still writing; their waiters report the snapshots as not written.
        Safe from a signal handler: it only sends signals."""
        self._aborted = True
        for pid in list(self._children.values()):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass  # Already gone.


def _audit_hook(take: Callable[[tuple], None], on_exec: Callable[[tuple], None]) -> Callable[[str, tuple], None]:
    """The hook: two string comparisons for every other event of the process. ``os.exec`` is raised
    by the ``os.exec*`` family just before the process is replaced (``atexit`` never runs then)."""
    def hook(event: str, args: tuple, _event: str = EVENT, _take: Callable[[tuple], None] = take,
             _exec: str = "os.exec", _on_exec: Callable[[tuple], None] = on_exec) -> None:
        if event == _event:
            _take(args)
        elif event == _exec:
            _on_exec(args)
    return hook


def _wait_for_child(pid: int, status: int, started: float) -> str:
    """``ok <seconds>`` when the child wrote the snapshot, else a sentence saying what happened.
    The status pipe's end may have been copied into a later fork, so the child's end of it is not
    awaited: the child's exit is checked each second."""
    deadline = time.monotonic() + WAIT_SECONDS
    # The program may close the pipe's end and reuse its number: checked before each use.
    known = identity(status)
    poller = select.poll()
    poller.register(status, select.POLLIN)
    data = b""
    reaped: Optional[int] = None
    try:
        while True:
            if not still_ours(status, known):
                # Lost to the program: the child's exit status alone says how it went.
                known = None
                reaped = _waitpid(pid, 0)[1]
                if reaped is not None and os.WIFEXITED(reaped) and os.WEXITSTATUS(reaped) == 0:
                    return "ok %.4f" % (time.monotonic() - started)
                break
            if poller.poll(1000) and still_ours(status, known):
                chunk = os.read(status, 4096)
                data += chunk
                if not chunk or data.endswith(b"\n"):
                    break
            done, code = _waitpid(pid, os.WNOHANG)
            if done:
                reaped = code
                if still_ours(status, known) and poller.poll(0):
                    data += os.read(status, 4096)
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                _waitpid(pid, 0)
                return "The snapshot took over %d s and was abandoned." % WAIT_SECONDS
    finally:
        if still_ours(status, known):
            os.close(status)
    if reaped is None:
        reaped = _waitpid(pid, 0)[1]
    text = data.decode("utf-8", "replace").strip()
    if text.startswith("ok "):
        return text
    if text:
        return "The snapshot's process failed: %s." % text.rstrip(".")
    return "The snapshot's process ended without writing it (%s)." % _describe_status(reaped)


def _waitpid(pid: int, options: int) -> Tuple[int, Optional[int]]:
    """``os.waitpid``, where a child already reaped by someone else counts as ended with an
    unknown status: a program that ignores SIGCHLD has its children reaped by the kernel, and a
    program's own SIGCHLD handler may reap them first. The status pipe then says how it went."""
    try:
        return os.waitpid(pid, options)
    except ChildProcessError:
        return pid, None


def _describe_status(status: Optional[int]) -> str:
    if status is None:
        return "its exit status was taken by the program's own child handling"
    if os.WIFSIGNALED(status):
        return "killed by signal %d" % os.WTERMSIG(status)
    return "exit status %d" % os.WEXITSTATUS(status)


def _child(s, markers: List[Tuple[float, str]], seq: int, label: Optional[str], instant: _Instant,
           status: int, parent: int) -> None:
    """Runs in the snapshot's child only; never returns."""
    code = 1
    try:
        t0 = time.monotonic()
        # A snapshot the program took just before it died is kept: the child finishes it first.
        watch_parent(parent, grace=ORPHAN_SNAPSHOT_SECONDS)
        detach_from_terminal()
        # The forking thread is this process's main thread now, so the program's Python signal
        # handlers would run here: a SIGCHLD reaper would take the grandchild's status, and an
        # ignored SIGCHLD would have the kernel reap it. Children are waited for by default here.
        if hasattr(signal, "SIGCHLD"):
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        try:
            # The program comes first: on a busy machine the child waits for the CPU, not the program.
            os.nice(19)
        except OSError:
            pass
        gc_enabled = gc.isenabled()
        gc.disable()
        s.gc_watch.uninstall()  # The child's collections are not the program's.
        close_inherited_fds(keep=status)
        tracker = s.tracker
        if tracker.mode != "exact":
            tracker.stop()  # The child's own allocations are not the program's.
        pymalloc_stats = _pymalloc_stats_in_grandchild(tracker.stop)
        if tracker.mode == "exact":
            peak: Optional[int] = tracemalloc.get_traced_memory()[1]
            frames = tracemalloc.get_traceback_limit()
            traces = tracemalloc._get_traces()
            tracemalloc.stop()
            summary = summarize(traces, s.user, s.options.max_paths)
            del traces
        elif instant.samples is not None:
            peak, frames = instant.traced_peak, tracker.frames
            summary = summarize_samples(instant.samples.stacks, s.user, s.options.max_paths)
        else:
            peak, frames, summary = None, tracker.frames, Summary([], 0, 0)
        process = instant.process
        if instant.shared and "smaps" in process:
            process["smaps"], folded = smaps.fold_shared_dirty(process["smaps"])
            if folded:
                process["sharedDirtyFolded"] = folded
                process["sharedDirtyNote"] = smaps.FOLD_NOTE
        stats_text = pymalloc_stats()
        objects, gc_report = s.census_and_gc([summary, process, markers, instant], gc_enabled, count_cyclic=False)
        timeline = None
        if s.timeline is not None:
            s.timeline.repair_after_fork()
            s.timeline.add(instant.perf, instant.traced, instant.rss, instant.anon)
            timeline = s.timeline.to_json(s.timeline_markers(markers))
        current = summary.bytes
        totals = Totals(traced_current=current, traced_peak=None if peak is None else max(peak, current),
                        blocks=summary.blocks, rss=instant.rss, wall_seconds=instant.wall - s.started,
                        usage=instant.usage,
                        samples=None if instant.samples is None else sum(r.samples or 0 for r in summary.rows))
        # A snapshot has no view at the peak: the peak view belongs to the exit snapshot.
        exact = tracker.mode == "exact"
        peak_info = Peak(method="none", captured_traced=0, captured_at=None,
                         step_bytes=s.watcher.step() if exact else None,
                         poll_seconds=s.options.poll_seconds if exact else None, captures=s.watcher.captures)
        doc = build_document(kind="snapshot", label=label, sequence=seq,
                             program=s.program_info(instant.wall, {"kind": "snapshot"}, s.midrun.pid),
                             settings=s.settings(frames), totals=totals, peak=peak_info, exit_rows=summary.rows,
                             peak_rows=[], is_user=s.user.is_user,
                             processing_seconds=time.monotonic() - t0, process=process, census=objects,
                             gc=gc_report, timeline=timeline, pymalloc_stats=stats_text,
                             imports=s.import_watch.costs() if s.options.imports and s.import_watch else None)
        write_json_atomic(snapshot_path(s.options.out, seq), doc)
        os.write(status, ("ok %.4f\n" % (time.monotonic() - t0)).encode("ascii"))
        code = 0
    except BaseException as exc:
        try:
            os.write(status, ("%s: %s\n" % (type(exc).__name__, exc)).encode("utf-8", "replace")[:4000])
        except BaseException:
            pass
    finally:
        os._exit(code)


def _pymalloc_stats_in_grandchild(stop_tracking: Callable[[], None]) -> Callable[[], Optional[str]]:
    """Forks a grandchild that stops tracking (``stop_tracking``: pymalloc reports nothing while
    hooks sit on its allocator) and prints pymalloc's statistics into a pipe, so they are the
    program's at the snapshot, not filled with the child's copy of the traces. Returns the
    function that reads them (the grandchild writes while the child works)."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            watch_parent(parent)
            os.close(read_end)
            stop_tracking()
            data = (pymalloc.debug_malloc_stats() or "").encode("ascii", "replace")
            while data:
                data = data[os.write(write_end, data):]
        finally:
            os._exit(0)
    os.close(write_end)

    def result() -> Optional[str]:
        chunks = []
        try:
            while True:
                chunk = os.read(read_end, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(read_end)
            os.waitpid(pid, 0)
        return b"".join(chunks).decode("ascii") or None

    return result
