// `memlens profile` as a process among others: signals sent to it reach the program as themselves
// (kill gives 143, a closed terminal ends the program and the helper's children, Ctrl+Z suspends
// both), a closed output pipe ends it quietly, results are kept when the program dies while a
// snapshot is still being written or when --json's folder goes away, a second run on the same
// --json is refused, and a script named like an option runs as a file. Runs the built CLI with the
// real helper; its temporary folders go to a private TMPDIR, which must be empty afterwards.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSnapshotFile } from '../../src/model/load';
import { python, REPO_ROOT } from './helpers';

const CLI = path.join(REPO_ROOT, 'out', 'cli.js');
const HELPER = path.join(REPO_ROOT, 'python-helper', 'sitecustomize.py');

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or 128 + signal, as a shell says) once the CLI has exited. */
  exit: Promise<number>;
}

/** `state` of process `pid` from /proc (`S`, `R`, `T` stopped…), or undefined when it is gone or a zombie. */
function state(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const s = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return s === 'Z' ? undefined : s;
  } catch {
    return undefined;
  }
}

/** Process ids of the live (not zombie) members of process group `pgid`. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z') out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

suite('cli profile as a process', function () {
  this.timeout(60_000);
  let dir: string;
  let tmpdir: string;

  suiteSetup(function () {
    if (process.platform !== 'linux' || !existsSync(HELPER) || !existsSync(CLI) || python() === undefined) this.skip();
  });
  setup(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-cliproc-')));
    tmpdir = path.join(dir, 'tmp');
    await fs.mkdir(tmpdir);
  });
  /** Every CLI started by a test, ended in teardown if a failed test left it running (or stopped). */
  const started: ChildProcessWithoutNullStreams[] = [];
  teardown(async () => {
    for (const child of started.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
  });

  function memlens(args: string[], env: NodeJS.ProcessEnv = {}): Run {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      env: { ...process.env, MEMLENS_PYTHON: python(), TMPDIR: tmpdir, ...env },
    });
    started.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('error', () => undefined);
    child.stderr.on('error', () => undefined);
    child.stdin.end();
    const exit = new Promise<number>((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? 128 + (os.constants.signals[signal!] ?? 0))),
    );
    return { child, stdout: () => stdout, stderr: () => stderr, exit };
  }

  /** A program that prints its pid on stderr once ready, holding 8 MiB, then sleeps. */
  async function sleeper(extra = ''): Promise<string> {
    const script = path.join(dir, 'sleeper.py');
    await fs.writeFile(
      script,
      ['import os, sys, time', 'buf = bytearray(8 * 1024 * 1024)', extra, 'print("ready", os.getpid(), file=sys.stderr, flush=True)', 'time.sleep(60)', ''].join('\n'),
    );
    return 'sleeper.py';
  }

  async function programPid(run: Run): Promise<number> {
    await until(() => /ready (\d+)/.test(run.stderr()), 20_000, 'the program to start');
    return Number(/ready (\d+)/.exec(run.stderr())![1]);
  }

  async function tmpLeft(): Promise<string[]> {
    return fs.readdir(tmpdir);
  }

  test('kill -TERM reaches the program as SIGTERM: exit 143, and the report says so', async () => {
    const run = memlens(['profile', '--no-peak', await sleeper()]);
    await programPid(run);
    run.child.kill('SIGTERM');
    assert.equal(await run.exit, 143, run.stderr());
    assert.match(run.stdout(), /— ended by SIGTERM —/);
    assert.match(run.stdout(), /8\.0 MiB +\d+ +sleeper\.py:2/);
    assert.deepEqual(await tmpLeft(), []);
  });

  test("a closed terminal (SIGHUP) ends the program and the helper's children; writing to the gone output does not crash", async () => {
    // 64 MiB makes exact mode's helper fork its held peak capture, a child in the program's group.
    const run = memlens(['profile', '--mode', 'exact', await sleeper('peak = bytearray(64 * 1024 * 1024)')]);
    const pid = await programPid(run);
    await until(() => groupMembers(pid).length >= 2, 10_000, "the helper's peak child");
    // The terminal is gone: nothing reads the CLI's output any more.
    run.child.stdout.destroy();
    run.child.stderr.destroy();
    run.child.kill('SIGHUP');
    assert.equal(await run.exit, 129);
    assert.deepEqual(groupMembers(pid), [], 'every process of the run has ended');
    assert.deepEqual(await tmpLeft(), []);
  });

  test('memlens killed outright (SIGKILL): the helper ends the program and its children, and removes the run folder and the socket', async () => {
    const run = memlens(['profile', '--mode', 'exact', await sleeper('peak = bytearray(64 * 1024 * 1024)')]);
    const pid = await programPid(run);
    await until(() => groupMembers(pid).length >= 2, 10_000, "the helper's peak child");
    run.child.kill('SIGKILL');
    await run.exit;
    await until(() => groupMembers(pid).length === 0, 10_000, 'the run to end');
    await until(() => readdirSync(tmpdir).length === 0, 5000, 'the run folder and the channel\'s socket to go');
  });

  test('Ctrl+Z (SIGTSTP) suspends the program and then memlens; SIGCONT resumes both', async () => {
    const run = memlens(['profile', '--no-peak', await sleeper()]);
    const pid = await programPid(run);
    const cli = run.child.pid!;
    run.child.kill('SIGTSTP');
    await until(() => state(pid) === 'T' && state(cli) === 'T', 5000, 'both to be stopped');
    run.child.kill('SIGCONT');
    await until(() => state(pid) !== 'T' && state(cli) !== 'T', 5000, 'both to run again');
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 130, run.stderr());
  });

  test('a closed output pipe ends memlens quietly with 141; --json is written and the temporary folder removed', async () => {
    await fs.writeFile(path.join(dir, 'quiet.py'), 'import sys, time\nx = bytearray(1024 * 1024)\nprint("ready 0", file=sys.stderr, flush=True)\ntime.sleep(1)\n');
    const run = memlens(['profile', '--json', 'out.json', 'quiet.py']);
    await programPid(run);
    run.child.stdout.destroy();
    assert.equal(await run.exit, 141, run.stderr());
    assert.doesNotMatch(run.stderr(), /Error|at .*\.js:\d+/);
    assert.equal((await loadSnapshotFile(path.join(dir, 'out.json'))).program?.exitCode, 0);
    assert.deepEqual(await tmpLeft(), []);
  });

  test('a snapshot the program takes just before it dies is kept, though its child is still writing', async () => {
    // 300 000 live strings take the snapshot's child about a second; the program does not wait.
    await fs.writeFile(
      path.join(dir, 'crash.py'),
      ['import os, sys', 'kept = [str(i) * 3 for i in range(300000)]', 'sys.audit("memlens.snapshot", "last words")', 'os._exit(3)', ''].join('\n'),
    );
    const run = memlens(['profile', '--json', 'run.json', 'crash.py']);
    assert.equal(await run.exit, 3, run.stderr());
    assert.match(run.stdout(), new RegExp(`Snapshots taken during the run: ${path.join(dir, 'run-1.json')}\n`));
    assert.equal((await loadSnapshotFile(path.join(dir, 'run-1.json'))).label, 'last words');
    assert.deepEqual(await tmpLeft(), []);
  });

  test('Ctrl+C while memlens waits for processes the program left behind ends the wait and still cleans up', async () => {
    // The program dies without its exit snapshot and leaves a process in its group, which memlens
    // waits for (it could be a snapshot being written).
    await fs.writeFile(
      path.join(dir, 'leaves.py'),
      ['import os, subprocess, sys', 'subprocess.Popen(["sleep", "30"])', 'print("ready 0", file=sys.stderr, flush=True)', 'os._exit(1)', ''].join('\n'),
    );
    const run = memlens(['profile', 'leaves.py']);
    await until(() => run.stderr().includes('waiting (up to 60 s)'), 20_000, 'memlens to wait');
    const t0 = Date.now();
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 1, run.stderr());
    assert.ok(Date.now() - t0 < 5000, 'the wait ended at once');
    assert.deepEqual(await tmpLeft(), []);
  });

  test("when --json's folder is gone at the end, the report is printed anyway with one sentence why", async () => {
    await fs.mkdir(path.join(dir, 'sub'));
    await fs.writeFile(path.join(dir, 'rm.py'), 'import shutil\nx = bytearray(2 * 1024 * 1024)\nshutil.rmtree("sub")\n');
    const run = memlens(['profile', '--json', 'sub/out.json', 'rm.py']);
    assert.equal(await run.exit, 0, run.stderr());
    assert.match(run.stdout(), /2\.0 MiB +\d+ +rm\.py:2/);
    assert.match(run.stdout(), new RegExp(`\nThe snapshot was not written to ${path.join(dir, 'sub', 'out.json')}: its folder no longer exists \\(ENOENT\\)\\.\n`));
  });

  test("when the helper cannot write the snapshot, its own error is the reason given, not a guess", async () => {
    // A file size limit makes the helper's write fail as a full disk would: with an OS error.
    await fs.writeFile(
      path.join(dir, 'limit.py'),
      ['import resource, signal', 'signal.signal(signal.SIGXFSZ, signal.SIG_IGN)', 'resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))', 'x = bytearray(1024 * 1024)', ''].join('\n'),
    );
    const run = memlens(['profile', 'limit.py']);
    assert.equal(await run.exit, 0);
    assert.match(run.stderr(), /\nmemlens: MemLens could not write the snapshot: [^\n]*File too large[^\n]*; no results\.\n$/);
    assert.doesNotMatch(run.stderr(), /python -I|os\._exit/);
  });

  test('a second run on the same --json is refused with 125, naming the first', async () => {
    const first = memlens(['profile', '--no-peak', '--json', 'same.json', await sleeper()]);
    await programPid(first);
    const second = memlens(['profile', '--json', 'same.json', 'sleeper.py']);
    assert.equal(await second.exit, 125);
    assert.equal(
      second.stderr(),
      `memlens: Another memlens run (process ${first.child.pid}) is writing --json same.json; wait for it to end, or choose another file.\n`,
    );
    first.child.kill('SIGINT');
    assert.equal(await first.exit, 130);
    assert.ok(existsSync(path.join(dir, 'same.json')));
    assert.ok(!existsSync(path.join(dir, 'same.json.lock')), 'the lock is gone with its run');
  });

  test('a temporary folder that cannot be made is a sentence and 125', async () => {
    await fs.writeFile(path.join(dir, 'ok.py'), 'x = 1\n');
    const missing = path.join(dir, 'no-such-tmp');
    const noTmp = memlens(['profile', 'ok.py'], { TMPDIR: missing });
    assert.equal(await noTmp.exit, 125);
    assert.equal(noTmp.stderr(), `memlens: MemLens could not create its temporary folder in ${missing}: that folder does not exist; set TMPDIR to a writable folder.\n`);
  });

  test("the program's label is its script as started, even after it changes folder", async () => {
    await fs.mkdir(path.join(dir, 'sub'));
    await fs.writeFile(path.join(dir, 'moves.py'), 'import os\nx = bytearray(1024 * 1024)\nos.chdir("sub")\n');
    const run = memlens(['profile', 'moves.py']);
    assert.equal(await run.exit, 0, run.stderr());
    assert.match(run.stdout(), /\nMemLens — moves\.py — exit code 0 —/);
    assert.match(run.stdout(), /1\.0 MiB +\d+ +moves\.py:2/);
  });

  test('a program that replaces itself with os.execv: the report says so, with the new status', async () => {
    await fs.writeFile(
      path.join(dir, 'execs.py'),
      ['import os, sys', 'x = bytearray(2 * 1024 * 1024)', 'os.execv(sys.executable, [sys.executable, "-c", "raise SystemExit(4)"])', ''].join('\n'),
    );
    const run = memlens(['profile', 'execs.py']);
    assert.equal(await run.exit, 4, run.stderr());
    assert.doesNotMatch(run.stderr(), /python -I|os\._exit/);
    assert.match(run.stdout(), /The program replaced itself \(os\.exec\*\) with .*python\S* -c 'raise SystemExit\(4\)'; the figures are from that moment\./);
    assert.match(run.stdout(), /2\.0 MiB +\d+ +execs\.py:2/);
  });

  test('a program that stops tracing: the report says when, instead of 0 B of a 0 B peak', async () => {
    await fs.writeFile(
      path.join(dir, 'stops.py'),
      ['import time, tracemalloc', 'x = bytearray(2 * 1024 * 1024)', 'time.sleep(0.3)', 'tracemalloc.stop()', 'y = bytearray(4 * 1024 * 1024)', ''].join('\n'),
    );
    // tracemalloc.stop() ends exact mode's tracing only.
    const run = memlens(['profile', '--mode', 'exact', 'stops.py']);
    assert.equal(await run.exit, 0, run.stderr());
    assert.match(run.stdout(), /The program stopped tracing \(tracemalloc\.stop\(\)\) \d+ ms after it started/);
  });

  test('scripts named -i, - and -c.py run as files, under their own names', async () => {
    for (const name of ['-i', '-', '-c.py']) {
      await fs.writeFile(path.join(dir, name), 'import sys\nx = bytearray(1024 * 1024)\nprint("ran", sys.argv[0])\n');
      const run = memlens(['profile', '--', name]);
      assert.equal(await run.exit, 0, run.stderr());
      assert.match(run.stdout(), new RegExp(`^ran \\./${name.replace('.', '\\.')}\n`));
      assert.match(run.stdout(), new RegExp(`\nMemLens — ${name.replace('.', '\\.')} — exit code 0 —`));
    }
  });
});
