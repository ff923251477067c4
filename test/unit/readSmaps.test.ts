// Reading /proc/PID/smaps from Node: this process's own maps, and a sentence for each way a read
// fails (no such process, another user's process, not Linux, a kernel thread).
import * as assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { parseSmaps } from '../../src/model/smaps';
import { readProcessName, readSmaps, SmapsReadError } from '../../src/run/smaps';

/** Above the largest pid_max Linux allows (2^22), so no process can have it. */
const NO_SUCH_PID = 4_194_305;

/** Resolves to the error `p` rejects with, failing when it resolves. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a rejection');
}

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: failed`), { code });
}

suite('readSmaps', () => {
  test('reads this process: the node binary is mapped', async function () {
    if (process.platform !== 'linux') this.skip();
    const maps = parseSmaps(await readSmaps(process.pid));
    const node = realpathSync(process.execPath);
    assert.ok(maps.some((m) => m.pathname === node && m.perms === 'r-xp'), `no r-xp mapping of ${node}`);
    assert.ok(maps.some((m) => m.pathname === '[stack]'));
  });

  test('a process that does not exist', async function () {
    if (process.platform !== 'linux') this.skip();
    const err = await rejection(readSmaps(NO_SUCH_PID));
    assert.ok(err instanceof SmapsReadError);
    assert.equal(err.message, `There is no process ${NO_SUCH_PID}.`);
  });

  test('each failure is a sentence', async () => {
    const failing = (code: string) => ({ platform: 'linux' as const, readFile: () => Promise.reject(errno(code)) });
    const cases: [Promise<string>, string][] = [
      [readSmaps(42, failing('EACCES')), "Process 42 belongs to another user; MemLens can read only your own processes' memory maps."],
      [readSmaps(42, failing('EPERM')), "Process 42 belongs to another user; MemLens can read only your own processes' memory maps."],
      [readSmaps(42, failing('ESRCH')), 'There is no process 42.'],
      [readSmaps(42, failing('EIO')), 'MemLens could not read /proc/42/smaps (EIO: failed).'],
      [readSmaps(42, { platform: 'darwin' }), "Reading a process's memory maps (/proc/PID/smaps) works only on Linux; this system is darwin."],
      [readSmaps(2, { platform: 'linux', readFile: async () => '' }), 'Process 2 has no memory maps: it is a kernel thread, or it has just exited.'],
      [readSmaps(0), '0 is not a process id (a whole number from 1 up).'],
    ];
    for (const [p, sentence] of cases) {
      const err = await rejection(p);
      assert.ok(err instanceof SmapsReadError, err.message);
      assert.equal(err.message, sentence);
    }
  });

  test('reads the path of the pid it is given', async () => {
    const seen: string[] = [];
    const text = await readSmaps(1234, { platform: 'linux', readFile: async (p) => (seen.push(p), 'maps') });
    assert.deepEqual([text, seen], ['maps', ['/proc/1234/smaps']]);
  });

  test('process names: this one, and none for a missing process', async function () {
    if (process.platform !== 'linux') this.skip();
    assert.equal(await readProcessName(process.pid), readFileSync('/proc/self/comm', 'utf8').trim());
    assert.equal(await readProcessName(NO_SUCH_PID), undefined);
  });
});
