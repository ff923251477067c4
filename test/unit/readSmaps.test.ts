// Reading /proc/PID/smaps from Node: this process's own maps, and a sentence for each way a read
// fails (no such process, another user's or a protected process with the true reason, not Linux,
// a kernel thread, a process that exits during the read).
import * as assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { parseSmaps } from '../../src/model/smaps';
import { readProcessName, readSmaps, SmapsReadError, type SmapsReadDeps } from '../../src/run/smaps';

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

  /** `/proc/PID/stat` of a sleeping process that started at `start` clock ticks after boot. */
  const stat = (start: number): string => `42 (my (odd) name) S 1 42 42 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 ${start} 1000 10 0\n`;

  /** A system on which reading `/proc/42/smaps` fails with `code`; `files` answers other reads. */
  function refusing(code: string, files: Record<string, string>, deps: Partial<SmapsReadDeps> = {}): SmapsReadDeps {
    return {
      platform: 'linux',
      readFile: async (p) => {
        if (p.endsWith('/smaps')) throw errno(code);
        if (p.endsWith('/stat')) return stat(5);
        if (files[p] !== undefined) return files[p];
        throw errno('ENOENT');
      },
      ...deps,
    };
  }

  test('each failure is a sentence', async () => {
    const uidLine = (ids: string): Record<string, string> => ({ '/proc/42/status': `Name:\tx\nUid:\t${ids}\nGid:\t0\t0\t0\t0\n` });
    const mine = { uid: 1000, ownerOf: async () => 1000 };
    const cases: [Promise<string>, string][] = [
      [readSmaps(42, refusing('EACCES', uidLine('2000\t2000\t2000\t2000'), mine)), "Process 42 belongs to another user (uid 2000); MemLens can read only your own processes' memory maps."],
      [readSmaps(42, refusing('EPERM', uidLine('1000\t0\t0\t0'), mine)), 'Process 42 was started by you but runs with the rights of user 0 (a setuid or setgid program); only root can read its memory maps.'],
      [readSmaps(42, refusing('EACCES', uidLine('1000\t1000\t1000\t1000'), { uid: 1000, ownerOf: async () => 0 })), 'Process 42 is yours, but it has made itself not dumpable (prctl(PR_SET_DUMPABLE, 0), as programs holding secrets do, or it changed its user ids), so only root can read its memory maps.'],
      [readSmaps(42, refusing('EACCES', uidLine('1000\t1000\t1000\t1000'), mine)), "The system refused access to process 42's memory maps although it is yours: a security module (SELinux, AppArmor) or the system's ptrace policy forbids reading other processes."],
      [readSmaps(42, refusing('EACCES', uidLine('2000\t2000\t2000\t2000'), { uid: 0 })), "The system refused MemLens (running as root) access to process 42's memory maps: it lacks the CAP_SYS_PTRACE capability (containers often drop it), or a security module (SELinux, AppArmor) refuses."],
      [readSmaps(42, refusing('ESRCH', {})), 'There is no process 42.'],
      [readSmaps(42, refusing('EIO', {})), 'MemLens could not read /proc/42/smaps (EIO: failed).'],
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

  test('a process that exits (or is replaced by a new one with its id) while its maps are read is refused', async () => {
    const partial = '555dacffe000-555dacfff000 r--p 00000000 fe:00 26723 /usr/bin/python3\nSize: 4 kB\n';
    for (const afterwards of [undefined, stat(9), stat(5).replace(' S ', ' Z ')]) {
      let stats = 0;
      const err = await rejection(
        readSmaps(42, {
          platform: 'linux',
          readFile: async (p) => {
            if (p.endsWith('/smaps')) return partial;
            if (stats++ === 0) return stat(5);
            if (afterwards === undefined) throw errno('ENOENT');
            return afterwards;
          },
        }),
      );
      assert.equal(err.message, 'Process 42 exited while its memory maps were being read, so they are incomplete and not shown.');
    }
  });

  test('reads the path of the pid it is given', async () => {
    const seen: string[] = [];
    const text = await readSmaps(1234, { platform: 'linux', readFile: async (p) => (seen.push(p), p.endsWith('/stat') ? stat(7) : 'maps') });
    assert.deepEqual([text, seen], ['maps', ['/proc/1234/stat', '/proc/1234/smaps', '/proc/1234/stat']]);
  });

  test('process names: this one, and none for a missing process', async function () {
    if (process.platform !== 'linux') this.skip();
    assert.equal(await readProcessName(process.pid), readFileSync('/proc/self/comm', 'utf8').trim());
    assert.equal(await readProcessName(NO_SUCH_PID), undefined);
  });
});
