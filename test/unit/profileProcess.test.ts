import * as assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SnapshotError } from '../../src/model/load';
import { finishRun, missingSentence, runProfile } from '../../src/run/profileProcess';
import { fixtureText, python } from './helpers';

/** Whether `pid` runs; a zombie (killed, not yet reaped by its new parent) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

suite('profileProcess', function () {
  this.timeout(20_000);
  const py = python();
  let dir: string;

  setup(async function () {
    if (py === undefined) this.skip();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-proc-'));
  });
  teardown(async () => {
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
  });

  /** Starts `code` as a script under the test Python with piped output. */
  async function start(code: string, graceSeconds = 0.5) {
    const script = path.join(dir, 'prog.py');
    await fs.writeFile(script, code);
    return runProfile({ python: py!, args: [script], cwd: dir, env: process.env, stdio: 'pipe', graceSeconds });
  }

  /** Resolves with the first line the program prints. */
  function firstLine(handle: ReturnType<typeof runProfile>): Promise<string> {
    return new Promise((resolve) => {
      let out = '';
      handle.child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
    });
  }

  test('reports the exit code', async () => {
    const handle = await start('import sys\nsys.exit(3)\n');
    assert.deepEqual(await handle.done, { exitCode: 3, signal: null });
  });

  test('cancel sends SIGINT first, which a Python program obeys at once', async () => {
    const handle = await start('import time\nprint("ready", flush=True)\ntime.sleep(30)\n', 5);
    await firstLine(handle);
    const t0 = Date.now();
    const status = await handle.cancel();
    assert.ok(Date.now() - t0 < 4000, 'it should not have waited for the grace period');
    // Python 3.8+ ends on an uncaught KeyboardInterrupt by re-raising SIGINT.
    assert.equal(status.signal, 'SIGINT');
  });

  test('cancel escalates to SIGKILL and reaches the whole process group', async function () {
    if (process.platform === 'win32') this.skip();
    const handle = await start(
      [
        'import signal, subprocess, sys, time',
        'signal.signal(signal.SIGINT, signal.SIG_IGN)',
        'signal.signal(signal.SIGTERM, signal.SIG_IGN)',
        'child = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(30)"])',
        'print(child.pid, flush=True)',
        'time.sleep(30)',
      ].join('\n'),
      0.4,
    );
    const grandchild = Number(await firstLine(handle));
    const t0 = Date.now();
    const status = await handle.cancel();
    assert.deepEqual(status, { exitCode: null, signal: 'SIGKILL' });
    assert.ok(Date.now() - t0 >= 750, 'SIGINT and SIGTERM each get their grace period');
    // The grandchild ignored SIGINT and SIGTERM too; SIGKILL went to the group, so it is gone.
    for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(alive(grandchild), false);
  });

  test('a program that cannot start rejects done with a sentence', async () => {
    const handle = runProfile({ python: path.join(dir, 'no-python'), args: ['x.py'], cwd: dir, env: process.env, stdio: 'pipe' });
    await assert.rejects(handle.done, /^Error: MemLens could not start .*no-python: /);
  });

  test('finishRun records the exit status and writes the document atomically', async () => {
    const out = path.join(dir, 'snapshot.json');
    const dest = path.join(dir, 'kept.json');
    await fs.writeFile(out, fixtureText('mini.json'));
    const doc = await finishRun(out, { exitCode: 0, signal: null }, dest);
    assert.equal(doc.program.exitCode, 0);
    const written = JSON.parse(await fs.readFile(dest, 'utf8'));
    assert.equal(written.program.exitCode, 0);
    assert.equal(written.program.exitSignal, null);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['kept.json', 'snapshot.json'], 'no temporary file is left');
    if (process.platform !== 'win32') {
      // Snapshots hold command lines, paths and memory maps: the owner's alone.
      assert.equal(((await fs.stat(dest)).mode & 0o777).toString(8), '600');
    }

    await finishRun(out, { exitCode: null, signal: 'SIGTERM' });
    const patched = JSON.parse(await fs.readFile(out, 'utf8'));
    assert.deepEqual([patched.program.exitCode, patched.program.exitSignal], [null, 'SIGTERM']);
  });

  test('finishRun without a snapshot says why there is none', async () => {
    const out = path.join(dir, 'missing.json');
    await assert.rejects(finishRun(out, { exitCode: null, signal: 'SIGKILL' }), (err: Error) => {
      assert.ok(err instanceof SnapshotError);
      assert.equal(err.message, 'The program was killed (SIGKILL) before MemLens could write its snapshot; no results.');
      return true;
    });
    await assert.rejects(finishRun(out, { exitCode: 0, signal: null }), /exited with code 0 but MemLens found no snapshot at .*missing\.json/);
  });

  test("without a snapshot, the helper's own word on its channel gives the true reason", async () => {
    const out = path.join(dir, 'missing.json');
    const full = { started: true, finished: { path: null, error: "OSError: [Errno 28] No space left on device: '/tmp/x/.snapshot.json.tmp'" } };
    await assert.rejects(
      finishRun(out, { exitCode: 0, signal: null }, out, full),
      (err: Error) => err.message === "MemLens could not write the snapshot: OSError: [Errno 28] No space left on device: '/tmp/x/.snapshot.json.tmp'; no results.",
    );
    assert.equal(
      missingSentence(out, { exitCode: 5, signal: null }, { started: true }),
      "The program exited with code 5 without Python's normal exit (os._exit(), or a crash in native code), so MemLens could not write its snapshot; no results.",
    );
    assert.equal(
      missingSentence(out, { exitCode: 0, signal: null }, { started: false }),
      "The program exited with code 0, but MemLens's helper never started in it (python -I, -S or -E, or a PYTHONPATH that hides the helper, skip it); no results.",
    );
  });

  test('cancel passes on the signal it is given first, so a SIGTERM ends the program by SIGTERM', async function () {
    if (process.platform === 'win32') this.skip();
    const handle = await start('import time\nprint("ready", flush=True)\ntime.sleep(30)\n', 5);
    await firstLine(handle);
    const t0 = Date.now();
    assert.deepEqual(await handle.cancel('SIGTERM'), { exitCode: null, signal: 'SIGTERM' });
    assert.ok(Date.now() - t0 < 4000, 'it should not have waited for the grace period');
  });

  test('while the exit snapshot is written, cancel waits for it before the next signal', async function () {
    if (process.platform === 'win32') this.skip();
    // The program ignores SIGINT (as a program busy writing its exit snapshot appears to) and ends
    // on its own 1.5 s later; SIGTERM would end it at once.
    const script = path.join(dir, 'slow.py');
    await fs.writeFile(script, 'import signal, time\nsignal.signal(signal.SIGINT, lambda *a: None)\nprint("ready", flush=True)\ntime.sleep(1.5)\n');
    let asked = 0;
    const handle = runProfile({
      python: py!, args: [script], cwd: dir, env: process.env, stdio: 'pipe', graceSeconds: 0.2,
      beforeEscalating: async () => {
        asked++;
        await new Promise((r) => setTimeout(r, 2000));
        return true;
      },
    });
    await firstLine(handle);
    assert.deepEqual(await handle.cancel(), { exitCode: 0, signal: null });
    assert.equal(asked, 1);
  });

  test('finishRun passes on a corrupt snapshot as it is', async () => {
    const out = path.join(dir, 'cut.json');
    await fs.writeFile(out, fixtureText('truncated.json'));
    await assert.rejects(finishRun(out, { exitCode: 0, signal: null }), /the JSON ends early/);
  });
});
