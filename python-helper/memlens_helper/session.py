"""One profiled run: starts tracking (the mode's tracker: ``tracker``), and writes the end-of-run
snapshot exactly once.

The exit snapshot is taken by an ``atexit`` handler registered before the program starts, so it
runs last, while ``__main__``'s globals are still alive. SIGTERM and SIGHUP (a closed terminal)
take the snapshot in their handler and then end the process with the same signal; SIGINT raises
KeyboardInterrupt as usual and ends through ``atexit``; an uncaught exception is recorded by a
wrapped ``sys.excepthook``. Tracing stops before the traces are processed.

Beside the traces, the session keeps the run's timeline (sampled by the watcher thread), the
garbage collector's callback, the import hook and the listeners for snapshots during the run
(``midrun``: the program's audit event and the host's requests), all installed at start. At the
exit snapshot they are stopped first (the helper's own work is not the program's), and the type
census and the cyclic-garbage census run once tracing has stopped: traced, they would cost
several times more. In the fast mode there are no traces to process: the exit's views are the
sampler's per-stack tables, read before the sampler stops.
"""
import atexit
import os
import platform
import signal
import sys
import tempfile
import time
import tracemalloc
import warnings
from typing import Callable, List, NamedTuple, Optional, Tuple

from . import census, config, process_stats, pymalloc, smaps, tracker
from .aggregate import Summary, summarize_samples
from .capture import ForkedCapture, capture_in_process
from .channel import Channel
from .gc_watch import GcWatch
from .imports import ImportWatch
from .midrun import MidRunSnapshots, snapshot_path
from .snapshot_writer import Peak, Program, Settings, Totals, WriteError, build_document, write_json_atomic
from .timeline import Timeline
from .usercode import UserCode
from .watcher import Watcher

HELPER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_HANDLED_SIGNALS = ("SIGTERM", "SIGHUP")
CAPTURE_TIMEOUT = 600


class Session:
    def __init__(self, options: config.Options) -> None:
        self.options = options
        # The profiled process: a child it forks inherits this object, its atexit and handlers.
        self.pid = os.getpid()
        self.started = time.time()
        # The same instant on the monotonic clock, which the sampler's peak copy is timed with.
        self.started_monotonic = time.monotonic()
        self.tracker, self.mode_note = tracker.choose(options.mode, options.frames, options.sample_interval)
        #: Why numpy's arrays could not be tracked in the fast mode, where they could not.
        self.numpy_note: Optional[str] = None
        # The clock of the timeline, the import costs and the GC markers: seconds since this moment.
        self.perf0 = time.perf_counter()
        self.argv = list(getattr(sys, "orig_argv", None) or [sys.executable] + sys.argv)
        # The working folder at the start: the command line's relative paths are relative to it,
        # whatever folder the program moves to later.
        self.cwd = os.getcwd()
        self.user = UserCode(options.roots, HELPER_DIR, self.cwd)
        #: Seconds since the start when the program itself called ``tracemalloc.stop()``; and the
        #: traced peak at that moment (stopping forgets it).
        self.tracing_stopped_at: Optional[float] = None
        self._peak_at_stop = 0
        # The run's folder is made here, by the program's process, if the host has not: the
        # helper's children never create folders (see snapshot_writer).
        try:
            os.makedirs(os.path.dirname(options.out), mode=0o700, exist_ok=True)
        except OSError:
            pass  # Writing the snapshot will say what is wrong.
        self.channel = Channel(options.channel, options.channel_token) if options.channel else None
        if self.channel is not None:
            self.channel.on_host_gone = self._on_host_gone
        self.end: dict = {"kind": "exit"}
        self.finished = False
        traced = self.tracker.traced
        self.timeline = Timeline(options.timeline_seconds, self.perf0, traced) if options.timeline_seconds else None
        self.gc_watch = GcWatch(self.perf0)
        # The fast mode needs the import hook for numpy even when import costs are not asked for.
        fast = self.tracker.mode == "fast"
        self.import_watch = ImportWatch(self.perf0, traced) if options.imports or fast else None
        if fast and self.import_watch is not None:
            self.import_watch.after_import["numpy"] = self._track_numpy
        self.watcher = Watcher(user=self.user, max_paths=options.max_paths, poll=options.poll_seconds,
                               peak=options.peak, workdir=os.path.dirname(options.out),
                               started=self.started, send=self.channel.send if self.channel else None,
                               tracker=self.tracker, timeline=self.timeline)
        self.midrun = MidRunSnapshots(self)

    def start(self) -> None:
        # Python 3.12+ warns on any fork in a threaded process; the helper's forks are safe (see
        # capture.py), and the warning would land in the program's stderr or, under -W error,
        # fail the capture. Only warnings raised from the helper's own modules are silenced.
        warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead to deadlocks",
                                category=DeprecationWarning, module=r"memlens_helper\.(capture|midrun)")
        # A snapshot child's pymalloc grandchild writes through tempfile, whose first use takes a
        # lock that a thread of the program might hold at the instant of a fork: taken once here.
        tempfile.gettempdir()
        tempfile._get_candidate_names()
        # Registered before the program runs, so it runs after the program's own handlers.
        atexit.register(self.finish)
        for name in _HANDLED_SIGNALS:
            signum = getattr(signal, name, None)
            if signum is not None and signal.getsignal(signum) == signal.SIG_DFL:
                signal.signal(signum, self._on_signal)
        self._excepthook = sys.excepthook
        sys.excepthook = self._on_uncaught
        self.watcher.start()
        self.watcher.running.wait()
        self.tracker.start()
        if self.tracker.mode == "exact":
            tracemalloc.stop = self._watch_tracing_stop(tracemalloc.stop)
        self.gc_watch.install()
        if self.import_watch is not None:
            self.import_watch.install()
        self.midrun.install()
        if self.channel:
            started = {"type": "started", "pid": os.getpid(), "python": platform.python_version(),
                       "executable": sys.executable, "frames": self.tracker.frames, "mode": self.tracker.mode}
            if self.tracker.sample_interval is not None:
                started["sampleInterval"] = self.tracker.sample_interval
            if self.mode_note is not None:
                started["modeNote"] = self.mode_note
            self.channel.send(started)
        elif self.mode_note is not None:
            # Run from a terminal without a host: the program's stderr is the only place to say it.
            print("MemLens: %s" % self.mode_note, file=sys.stderr)

    def _track_numpy(self, numpy) -> None:
        """Routes numpy's array data through the sampler, once numpy is imported; where that
        cannot be done, the snapshot says why (its arrays are then not counted)."""
        why = self.tracker.native.track_numpy(numpy)
        if why is not None:
            self.numpy_note = "numpy's arrays were not tracked: %s." % why.rstrip(".")

    def _watch_tracing_stop(self, stop):
        """``tracemalloc.stop`` as the program sees it: it notes when the program stopped tracing
        (the helper's own stops come at the snapshot, or in its children, and are not noted). It
        costs nothing until called; the watcher could only notice within its poll interval, and
        the peak would be gone by then."""
        def watched_stop():
            if self.tracing_stopped_at is None and not self.finished and os.getpid() == self.pid:
                self._peak_at_stop = tracemalloc.get_traced_memory()[1]
                self.tracing_stopped_at = time.time() - self.started
            stop()
        watched_stop.__name__ = watched_stop.__qualname__ = stop.__name__
        watched_stop.__doc__ = stop.__doc__
        return watched_stop

    def on_exec(self, args: tuple) -> None:
        """The ``os.exec`` audit event: the process is about to be replaced, and ``atexit`` will
        never run, so the exit snapshot is taken now. Never raises: an exception here would stop
        the program's exec. An exec that is sure to fail (no such executable: ``os.execvp`` tries
        each folder of PATH) is let through untouched."""
        try:
            if self.finished or os.getpid() != self.pid:
                return
            path, argv = args[0], args[1]
            if not isinstance(path, int):
                path = os.fsdecode(path)
                if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                    return
            self.end = {"kind": "exec", "argv": [os.fsdecode(a) if isinstance(a, (str, bytes)) else str(a)
                                                 for a in argv]}
            self.finish()
        except BaseException:
            pass

    def _on_host_gone(self) -> None:
        """The host's end of the channel went away while the program runs. Under
        ``MEMLENS_END_WITH_HOST`` the host is dead (a CLI killed outright) and nobody can stop the
        program any more: the helper ends its children, removes the files it wrote in the out
        folder (and the folder, if that leaves it empty), and ends the program's process group."""
        if not self.options.end_with_host or self.finished or os.getpid() != self.pid:
            return
        self.finished = True  # No exit snapshot: nobody will read it.
        self.midrun.closed = True
        self.midrun.abort()
        held = self.watcher.stop()
        if held is not None:
            held.kill()
        time.sleep(0.1)  # Killed children write nothing more; give the kernel a moment to end them.
        folder = os.path.dirname(self.options.out)
        mine = {os.path.basename(snapshot_path(self.options.out, seq)) for seq in range(1, self.midrun.next_seq)}
        channel = self.options.channel
        if channel and os.path.dirname(channel) == folder:
            mine.add(os.path.basename(channel))  # The dead host's socket, made in the run's folder.

        try:
            names = os.listdir(folder)
        except OSError:
            names = []
        for name in names:
            if name.startswith(".memlens-") or name in mine:
                try:
                    os.unlink(os.path.join(folder, name))
                except OSError:
                    pass
        try:
            os.rmdir(folder)  # Only when empty: anything else there is not the helper's.
        except OSError:
            pass
        # The CLI starts the program as a process group's leader: its own children end with it.
        # Otherwise the group is someone else's, and only the program ends.
        if hasattr(os, "killpg") and os.getpgrp() == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)

    def _on_signal(self, signum: int, _frame: object) -> None:
        if self.finished and os.getpid() == self.pid:
            # Already ending (waiting for snapshots still being written, or processing): a stop
            # request now gives up on those snapshots, not on the exit snapshot, and the host's
            # next step, SIGKILL, remains if even that takes too long.
            self.midrun.abort()
            return
        if os.getpid() == self.pid:
            self.end = {"kind": "signal", "signal": signal.Signals(signum).name}
            self.finish()
        # In a child the program forked, the handler came with the fork: the signal does what it
        # would have done there.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    def _stopped(self) -> bool:
        """Whether the program is ending because it was asked to stop (Ctrl+C, Stop, a signal)."""
        end = self.end
        return end.get("kind") == "signal" or (end.get("kind") == "exception" and end.get("type") == "KeyboardInterrupt")

    def _on_uncaught(self, exc_type, exc, tb) -> None:
        try:
            self.end = _describe_exception(exc_type, exc, tb, self.user)
        except Exception:  # Never the helper's own traceback in the program's stderr.
            self.end = {"kind": "exception", "type": "<unknown>", "message": "<unprintable exception>"}
        self._excepthook(exc_type, exc, tb)

    def finish(self) -> None:
        """Takes the snapshot and writes it; never raises into the program's exit. Not in a child
        the program forked: it would overwrite the run's snapshot and end the program's channel."""
        if self.finished or os.getpid() != self.pid:
            return
        self.finished = True
        path: Optional[str] = None
        error: Optional[str] = None
        if self.channel:
            # A host stopping the program waits for `finished` before its next signal.
            self.channel.send({"type": "finishing"})
        try:
            self._write_exit_snapshot()
            path = self.options.out
        except WriteError as exc:  # The real reason, as a sentence: a full disk, a removed folder.
            error = str(exc)
        except Exception as exc:  # The program's own exit must go on; say what happened.
            error = "%s: %s" % (type(exc).__name__, exc)
        if error is not None:
            print("MemLens: could not write the snapshot: %s." % error, file=sys.stderr)
        if self.channel:
            self.channel.send({"type": "finished", "path": path, **({"error": error} if error else {})})
            self.channel.close()

    def _write_exit_snapshot(self) -> None:
        # Snapshots still being written finish first: their messages precede the exit's, and their
        # children must not share the program's pages when the memory maps are read below.
        self.midrun.close(abort=self._stopped())
        t0 = time.monotonic()
        self.gc_watch.uninstall()
        if self.import_watch is not None:
            self.import_watch.uninstall()
        held = self.watcher.stop()
        snapshot_at = time.perf_counter()
        if self.timeline is not None:
            self.timeline.sample(snapshot_at)
        usage = process_stats.usage()  # Before processing, which is the helper's, not the program's.
        rss = process_stats.current_rss()
        # The kernel updates the high-water mark lazily: the resident size just read can be above it.
        usage = usage._replace(max_rss=max(usage.max_rss, rss or 0))
        if self.tracker.mode == "exact":
            views = self._exact_views(held, usage)
        else:
            views = self._sampled_views(usage)
        ended = time.time()
        totals = Totals(traced_current=views.traced_current, traced_peak=views.traced_peak,
                        blocks=views.exit.blocks, rss=rss, wall_seconds=ended - self.started, usage=usage,
                        samples=views.samples)
        timeline = None
        if self.timeline is not None:
            label = "exit snapshot" if self.end.get("kind") != "signal" else "snapshot at %s" % self.end["signal"]
            snapshots = self.midrun.markers + [(snapshot_at - self.perf0, label)]
            timeline = self.timeline.to_json(self.timeline_markers(snapshots))
        doc = build_document(kind="exit", program=self.program_info(ended, self.end, os.getpid()),
                             settings=self.settings(views.frames), totals=totals,
                             peak=views.peak_info(ended - self.started), exit_rows=views.exit.rows,
                             peak_rows=views.peak_rows, is_user=lambda p: self.user.is_user(p),
                             processing_seconds=time.monotonic() - t0, process=views.process,
                             census=views.census, gc=views.gc,
                             imports=self.import_watch.costs() if self.options.imports and self.import_watch else None,
                             timeline=timeline, pymalloc_stats=views.pymalloc_stats,
                             tracing_stopped_at=self.tracing_stopped_at)
        write_json_atomic(self.options.out, doc)
        if self.channel:
            self.channel.send({"type": "snapshotWritten", "path": self.options.out, "kind": "exit",
                               "seconds": doc["processingSeconds"]})

    def _exact_views(self, held: Optional[ForkedCapture], usage: process_stats.Usage) -> "_ExitViews":
        """The exit's views from tracemalloc's traces, with the held peak capture's view."""
        peak = tracemalloc.get_traced_memory()[1]
        frames = tracemalloc.get_traceback_limit()
        # The memory maps are read before any trace is processed here, and while no helper child
        # is alive: a child shares the program's pages copy-on-write, and the kernel counts a page
        # that two processes map as Shared_Dirty, which would hide the program's writable memory.
        # So the held peak child finishes (or is let go) first, and the exit capture forks after
        # the read; the peak and exit traces are processed one after the other, not side by side.
        if held is not None and held.traced > tracemalloc.get_traced_memory()[0]:
            held.release()
            held.wait(CAPTURE_TIMEOUT)
        elif held is not None:
            held.discard()
            held = None
        process = smaps.read_process_memory()
        # The exit traces are processed here, not in a forked child: after a fork the first write
        # to each page of the heap faults, and stopping tracing, the census, the collector's
        # report and the interpreter's teardown write to all of it (measured on the 2-core VM,
        # 3.6 M live blocks: 600 000 minor faults and 23 s of CPU time with the child, 370 000
        # and 15 s without). pymalloc's statistics are read after processing (tracemalloc's hooks
        # hide pymalloc until tracing stops) and include what it left in pymalloc's arenas.
        exit_result = capture_in_process(self.user, self.options.max_paths, self.started)
        pymalloc_stats = pymalloc.debug_malloc_stats()
        objects, gc_report = self.census_and_gc([held, process, usage, exit_result])
        summary = exit_result.summary
        # The sum of the program's traces: exact, and without the helper's own blocks.
        current = summary.bytes
        peak_result = held.result(CAPTURE_TIMEOUT) if held is not None else None
        if peak_result is not None:
            peak_rows, method, captured, captured_at = (peak_result.summary.rows, "fork", peak_result.summary.bytes,
                                                        peak_result.at)
        elif self.watcher.peak or self.watcher.captures:
            # Memory at exit is at least the last capture: the exit view is the nearest to the peak.
            peak_rows, method, captured, captured_at = summary.rows, "exit", current, None
        else:
            peak_rows, method, captured, captured_at = [], "none", 0, None

        def peak_info(now: float) -> Peak:
            return Peak(method=method, captured_traced=captured,
                        captured_at=now if method == "exit" else captured_at,
                        step_bytes=self.watcher.step(), poll_seconds=self.options.poll_seconds,
                        captures=self.watcher.captures, error=self.watcher.error or None)
        # Stopping tracing forgets the peak: the one reached before the program stopped it counts.
        return _ExitViews(exit=summary, peak_rows=peak_rows, peak_info=peak_info, traced_current=current,
                          traced_peak=max(peak, current, self._peak_at_stop), samples=None, frames=frames,
                          process=process, census=objects, gc=gc_report, pymalloc_stats=pymalloc_stats)

    def _sampled_views(self, usage: process_stats.Usage) -> "_ExitViews":
        """The exit's views in the fast mode, from the sampler's per-stack tables (the live one,
        and its copy at the peak): their size depends on the program's distinct stacks, not on
        its live blocks, and no process is forked. In the light mode nothing was tracked."""
        live = at_peak = None
        high = 0
        if self.tracker.mode == "fast":
            native = self.tracker.native
            live, at_peak, high = native.live_view(), native.peak(), native.totals().high
        # Stopped before the maps are read and the census runs: the helper's work is not the
        # program's, and pymalloc's statistics are empty while hooks sit on its allocator.
        self.tracker.stop()
        process = smaps.read_process_memory()
        pymalloc_stats = pymalloc.debug_malloc_stats()
        objects, gc_report = self.census_and_gc([process, usage, live, at_peak])
        if live is None or at_peak is None:
            return _ExitViews(exit=Summary([], 0, 0), peak_rows=[], traced_current=0, traced_peak=None, samples=None,
                              peak_info=lambda now: Peak(method="none", captured_traced=0, captured_at=None,
                                                         step_bytes=None, poll_seconds=None, captures=0),
                              frames=self.tracker.frames, process=process, census=objects, gc=gc_report,
                              pymalloc_stats=pymalloc_stats)
        summary = summarize_samples(live.stacks, self.user, self.options.max_paths)
        peak_summary = summarize_samples(at_peak.stacks, self.user, self.options.max_paths)
        copied = at_peak.copies > 0
        peak_info = Peak(method="sampler" if copied else "none", captured_traced=peak_summary.bytes,
                         captured_at=at_peak.time - self.started_monotonic if copied else None,
                         step_bytes=None, poll_seconds=None, captures=at_peak.copies,
                         margin=self.tracker.peak_margin)
        return _ExitViews(exit=summary, peak_rows=peak_summary.rows, peak_info=lambda now: peak_info,
                          traced_current=summary.bytes, traced_peak=max(high, summary.bytes, peak_summary.bytes),
                          samples=sum(row.samples or 0 for row in summary.rows), frames=self.tracker.frames,
                          process=process, census=objects, gc=gc_report, pymalloc_stats=pymalloc_stats)

    def program_info(self, ended: float, end: dict, pid: int) -> Program:
        """The document's ``program``; ``ended`` is when the snapshot was taken (epoch seconds).
        The working folder at exit is given where the program changed it."""
        exit_cwd = None
        if end.get("kind") != "snapshot":
            try:
                now = os.getcwd()
            except OSError:
                now = self.cwd  # The folder was removed: nothing to say where it was.
            if now != self.cwd:
                exit_cwd = now
        return Program(argv=self.argv, cwd=self.cwd, exit_cwd=exit_cwd, pid=pid, executable=sys.executable,
                       version=platform.python_version(), implementation=platform.python_implementation(),
                       start_time=self.started, end_time=ended, end=end)

    def settings(self, frames: int) -> Settings:
        notes = [n for n in (self.mode_note, self.numpy_note) if n]
        return Settings(frames=frames, roots=self.user.roots, max_paths=self.options.max_paths,
                        mode=self.tracker.mode, sample_interval=self.tracker.sample_interval,
                        mode_note=" ".join(notes) or None)

    def timeline_markers(self, snapshots: List[Tuple[float, str]]) -> List[dict]:
        """The timeline's markers: ``snapshots`` as ``(t, label)``, collections and imports."""
        markers = [{"t": round(t, 4), "kind": "snapshot", "label": label} for t, label in snapshots]
        markers += self.gc_watch.timeline_markers()
        if self.options.imports and self.import_watch is not None:
            markers += [{"t": round(t, 4), "kind": "import", "label": name} for t, name in self.import_watch.markers]
        return markers

    def census_and_gc(self, helper_objects: list, gc_enabled: Optional[bool] = None,
                      count_cyclic: bool = True) -> tuple:
        """The type census and the garbage collector's report, with tracing stopped. A failure of
        either costs only its own field, and the census says what went wrong. ``helper_objects``
        are the caller's, left out of the census; ``gc_enabled`` is the program's setting where the
        caller changed it; ``count_cyclic`` is False in a snapshot's child (see ``GcWatch.report``)."""
        objects: Optional[dict] = None
        if self.options.census_seconds > 0:
            try:
                objects = census.take(self.options.census_seconds, [self] + helper_objects)
            except Exception as exc:
                objects = {"types": [], "objects": 0, "bytes": 0, "complete": False, "seconds": 0,
                           "note": "The census failed (%s: %s)." % (type(exc).__name__, exc)}
        try:
            gc_report: Optional[dict] = self.gc_watch.report(gc_enabled, count_cyclic)
        except Exception:
            gc_report = None
        return objects, gc_report


class _ExitViews(NamedTuple):
    """What the exit snapshot shows of the program's allocations and its process, however the
    mode got them. ``peak_info(now)`` gives the peak section, ``now`` being the seconds since the
    start when the snapshot is taken (the exit view stands for the peak in some cases)."""
    exit: Summary
    peak_rows: list
    peak_info: Callable[[float], Peak]
    traced_current: int
    traced_peak: Optional[int]
    samples: Optional[int]
    frames: int
    process: dict
    census: Optional[dict]
    gc: Optional[dict]
    pymalloc_stats: Optional[str]


def _describe_exception(exc_type, exc, tb, user: UserCode) -> dict:
    """Type, message and the innermost user line of an uncaught exception. A type or message that
    cannot be printed is described as Python's own traceback printing would, not raised."""
    name = _type_name(exc_type)
    try:
        message = str(exc)
    except Exception as err:
        message = "<unprintable %s: __str__ raised %s>" % (name, _type_name(type(err)))
    end = {"kind": "exception", "type": name, "message": message[:2000]}
    where = None
    try:
        if isinstance(exc, SyntaxError) and exc.filename:
            where = (exc.filename, exc.lineno or 0)
    except Exception:
        pass
    while tb is not None:
        code = tb.tb_frame.f_code
        if user.is_user(code.co_filename):
            where = (code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    if where is not None and isinstance(where[0], str) and isinstance(where[1], int):
        end["file"] = user.real(where[0])
        end["line"] = where[1]
    return end


def _type_name(cls) -> str:
    try:
        name = cls.__name__
        if isinstance(name, str):
            return name
    except Exception:
        pass
    return "<unknown type>"


def start() -> None:
    """Entry point from ``sitecustomize``: reads the options and starts the session."""
    Session(config.read_and_consume(os.path.realpath(HELPER_DIR))).start()
