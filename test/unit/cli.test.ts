// Runs the built `memlens` command (out/cli.js) on tiny programs with the real Python helper:
// a 40 MiB buffer on a known line must be the top row, and exit codes, input and Ctrl+C must
// behave as the help text says.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSnapshotFile } from '../../src/model/load';
import { buildModel, hottestLines } from '../../src/model/model';
import { python, REPO_ROOT } from './helpers';

const CLI = path.join(REPO_ROOT, 'out', 'cli.js');
const HELPER = path.join(REPO_ROOT, 'python-helper', 'sitecustomize.py');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in `cwd` with `input` on its standard input; `onStart` gets the child. */
function memlens(args: string[], cwd: string, input = '', onStart?: (pid: number, stdout: () => string) => void): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, MEMLENS_PYTHON: python() } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
    onStart?.(child.pid!, () => stdout);
  });
}

suite('cli (end to end)', function () {
  this.timeout(60_000);
  let dir: string;

  suiteSetup(function () {
    // Without the helper or a Python there is nothing to run; the build is checked separately.
    if (!existsSync(HELPER) || !existsSync(CLI) || python() === undefined) this.skip();
  });
  setup(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-cli-')));
  });
  teardown(async () => {
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
  });

  test('a 40 MiB buffer on a known line is the top row, in the report and in --json', async () => {
    await fs.writeFile(
      path.join(dir, 'alloc.py'),
      ['import sys', '', 'small = [str(i) for i in range(1000)]', 'big = bytearray(40 * 1024 * 1024)', 'sys.exit(0)', ''].join('\n'),
    );
    const r = await memlens(['profile', '--json', 'out.json', '--top', '3', 'alloc.py'], dir);
    assert.equal(r.code, 0, r.stderr);
    // Fast mode, the default: the figures are estimates, marked ≈; a 40 MiB buffer is always sampled.
    assert.match(r.stdout, /^\nMemLens — alloc\.py — exit code 0 — traced peak ≈ 40\.\d MiB/);
    const rows = r.stdout.split('\n');
    const first = rows[rows.indexOf('Hottest lines at exit') + 2];
    assert.match(first, /^ {2}1 +≈ 40\.0 MiB +\d+ +alloc\.py:4 +big = bytearray\(40 \* 1024 \* 1024\)$/);

    const doc = await loadSnapshotFile(path.join(dir, 'out.json'));
    assert.equal(doc.program?.exitCode, 0);
    const top = hottestLines(buildModel(doc), 'exit', 1)[0];
    assert.deepEqual([top.file, top.line], [path.join(dir, 'alloc.py'), 4]);
    assert.ok(Math.abs(top.exit!.bytes - 40 * 1024 * 1024) < 0.05 * 40 * 1024 * 1024);

    const shown = await memlens(['show', 'out.json', '--top', '1'], dir);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /alloc\.py:4/);
  });

  test('snapshots the program marks during the run are kept beside --json, and said to be lost without it', async () => {
    await fs.writeFile(
      path.join(dir, 'marks.py'),
      ['import sys', 'kept = []', 'for n in range(2):', '    kept.append(bytes(2 * 1024 * 1024))', '    sys.audit("memlens.snapshot", "round %d" % n)', ''].join('\n'),
    );
    const r = await memlens(['profile', '--json', 'run.json', 'marks.py'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Snapshots taken during the run: ${path.join(dir, 'run-1.json')}, ${path.join(dir, 'run-2.json')}\n$`));
    const second = await loadSnapshotFile(path.join(dir, 'run-2.json'));
    assert.deepEqual([second.kind, second.label, second.sequence], ['snapshot', 'round 1', 2]);
    assert.ok(Math.abs(buildModel(second).files.get(path.join(dir, 'marks.py'))!.lines.get(4)!.exit!.bytes - 4 * 1024 * 1024) < 0.05 * 4 * 1024 * 1024);
    const compared = await memlens(['compare', 'run-1.json', 'run-2.json'], dir);
    assert.match(compared.stdout, /≈ \+2\.0 MiB +≈ 2\.0 MiB → ≈ 4\.0 MiB +marks\.py:4/);
    const lost = await memlens(['profile', 'marks.py'], dir);
    assert.match(lost.stdout, /2 snapshots were taken during the run and not kept: pass --json FILE to keep them\.\n$/);
  });

  test('--mode light prints no traced figures; where fast cannot run, the helper\'s sentence is printed once on stderr', async () => {
    await fs.writeFile(path.join(dir, 'alloc.py'), ['big = bytearray(40 * 1024 * 1024)', ''].join('\n'));
    const light = await memlens(['profile', '--mode', 'light', '--json', 'light.json', 'alloc.py'], dir);
    assert.equal(light.code, 0, light.stderr);
    assert.match(light.stdout, /^Light mode: allocations were not tracked; ran /m);
    assert.doesNotMatch(light.stdout, /Hottest lines|traced peak/);
    assert.equal((await loadSnapshotFile(path.join(dir, 'light.json'))).settings.mode, 'light');

    // An interpreter on which the sampler cannot load: a memlens_native that says so comes first on its path.
    await fs.mkdir(path.join(dir, 'fake', 'memlens_native'), { recursive: true });
    await fs.writeFile(path.join(dir, 'fake', 'memlens_native', '__init__.py'), 'def unavailable():\n    return "no sampler in this test"\n');
    const wrapper = path.join(dir, 'python-without-sampler');
    await fs.writeFile(wrapper, `#!/bin/sh\nPYTHONPATH="${path.join(dir, 'fake')}:$PYTHONPATH" exec ${JSON.stringify(python())} "$@"\n`, { mode: 0o755 });
    const fallback = await memlens(['profile', '--python', wrapper, '--json', 'fallback.json', 'alloc.py'], dir);
    assert.equal(fallback.code, 0, fallback.stderr);
    const said = fallback.stderr.split('\n').filter((l) => l.includes('no sampler in this test'));
    assert.deepEqual(said, ['memlens: The fast mode cannot run here (no sampler in this test), so MemLens traced every allocation with tracemalloc (exact mode) instead.']);
    assert.doesNotMatch(fallback.stdout, /≈/, 'the exact run prints exact figures');
    const settings = (await loadSnapshotFile(path.join(dir, 'fallback.json'))).settings;
    assert.deepEqual([settings.mode, settings.modeNote?.includes('no sampler in this test')], ['exact', true]);
  });

  test('snapshots taken before the program dies without its exit snapshot are kept', async () => {
    await fs.writeFile(
      path.join(dir, 'dies.py'),
      ['import os, sys, time', 'kept = bytes(2 * 1024 * 1024)', 'sys.audit("memlens.snapshot", "before the end")', 'time.sleep(1)  # Later, the program dies.', 'os._exit(9)', ''].join('\n'),
    );
    const r = await memlens(['profile', '--json', 'run.json', 'dies.py'], dir);
    assert.equal(r.code, 9, 'the program\'s own status');
    assert.match(r.stdout, new RegExp(`Snapshots taken during the run: ${path.join(dir, 'run-1.json')}\n`));
    assert.equal((await loadSnapshotFile(path.join(dir, 'run-1.json'))).label, 'before the end');
  });

  test("the program's exit code passes through, and it can read its standard input", async () => {
    await fs.writeFile(path.join(dir, 'ask.py'), 'name = input("name? ")\nprint("hello " + name)\nraise SystemExit(5)\n');
    const r = await memlens(['profile', 'ask.py'], dir, 'Ada\n');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /^name\? hello Ada\n/);
    assert.match(r.stdout, /— exit code 5 —/);
  });

  test('Ctrl+C stops the program and still reports what was live', async () => {
    await fs.writeFile(
      path.join(dir, 'slow.py'),
      'import time\nbuf = bytearray(8 * 1024 * 1024)\nprint("ready", flush=True)\ntime.sleep(60)\n',
    );
    // --no-peak: with peak capture on, the group's SIGINT also reaches the helper's held peak
    // child, which dies and costs the exit snapshot (reported to the helper's owner).
    const r = await memlens(['profile', '--no-peak', 'slow.py'], dir, '', (pid, stdout) => {
      const poll = setInterval(() => {
        if (stdout().includes('ready')) {
          clearInterval(poll);
          process.kill(pid, 'SIGINT');
        }
      }, 20);
    });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /stopping the program/);
    assert.match(r.stdout, /— ended by SIGINT —/);
    assert.match(r.stdout, /8\.0 MiB +\d+ +slow\.py:2/);
  });

  test("profile's own failures exit 125 to 127; a run without a snapshot exits with the program's status and says why", async () => {
    const usage = await memlens(['profile', '--frames', 'many', 'x.py'], dir);
    assert.equal(usage.code, 125);
    assert.match(usage.stderr, /^memlens: --frames needs a whole number/);
    const missing = await memlens(['profile', 'nope.py'], dir);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /The script nope\.py does not exist\./);

    await fs.writeFile(path.join(dir, 'quit.py'), 'import os\nos._exit(0)\n');
    const nowhere = await memlens(['profile', '--json', 'no/such/dir/out.json', 'quit.py'], dir);
    assert.equal(nowhere.code, 125);
    assert.match(nowhere.stderr, /The folder for --json no\/such\/dir\/out\.json does not exist\./);
    const none = await memlens(['profile', 'quit.py'], dir);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /exited with code 0 without Python's normal exit \(os\._exit\(\), or a crash in native code\)/);

    const noPython = await memlens(['profile', '--python', path.join(dir, 'no-python'), 'quit.py'], dir);
    assert.equal(noPython.code, 127, noPython.stderr);
    await fs.writeFile(path.join(dir, 'not-python'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
    const notPython = await memlens(['profile', '--python', path.join(dir, 'not-python'), 'quit.py'], dir);
    assert.equal(notPython.code, 126, notPython.stderr);
    assert.match(notPython.stderr, /does not answer like a Python interpreter/);
    await fs.writeFile(path.join(dir, 'not-executable'), '', { mode: 0o644 });
    const cannot = await memlens(['profile', '--python', path.join(dir, 'not-executable'), 'quit.py'], dir);
    assert.equal(cannot.code, 126, cannot.stderr);

    const help = await memlens(['--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /memlens profile \[options\] script\.py/);
    assert.match(help.stdout, /\n {2}125 {2}MemLens failed before the program ran/);
    const version = await memlens(['--version'], dir);
    assert.match(version.stdout, /^memlens \d+\.\d+\.\d+\n$/);
  });
});
