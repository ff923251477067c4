// `memlens profile --json FILE` is checked and locked before the program runs: a missing folder,
// a folder or device in FILE's place, a read-only FILE or folder, and another run writing FILE are
// refused in a sentence; a lock left by a run that has ended is taken over; write errors at the
// end are named in words.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claimJsonTarget, errorText, JsonTargetError } from '../../src/cli/jsonTarget';

/** Above the largest pid_max Linux allows (2^22), so no process can have it. */
const NO_SUCH_PID = 4_194_305;

suite('--json target', () => {
  let dir: string;
  setup(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-json-')));
  });
  teardown(async () => {
    await fs.chmod(dir, 0o700).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function refused(file: string, pattern: RegExp): Promise<void> {
    await assert.rejects(claimJsonTarget(file, path.relative(dir, file)), (err: Error) => {
      assert.ok(err instanceof JsonTargetError, String(err));
      assert.match(err.message, pattern);
      return true;
    });
  }

  test('a file that cannot be written is refused before the run', async function () {
    if (process.platform === 'win32') this.skip();
    await fs.mkdir(path.join(dir, 'folder.json'));
    await fs.writeFile(path.join(dir, 'plain'), '');
    await fs.writeFile(path.join(dir, 'kept.json'), '{}', { mode: 0o444 });
    execFileSync('mkfifo', [path.join(dir, 'fifo.json')]);
    await refused(path.join(dir, 'no', 'out.json'), /^The folder for --json no\/out\.json does not exist\.$/);
    await refused(path.join(dir, 'plain', 'out.json'), /^--json plain\/out\.json cannot be written: .*plain is not a folder\.$/);
    await refused(path.join(dir, 'folder.json'), /^--json folder\.json is a folder; give the name of a file to write the snapshot to\.$/);
    await refused(path.join(dir, 'fifo.json'), /^--json fifo\.json is not a regular file/);
    await refused(path.join(dir, 'kept.json'), /^--json kept\.json is read-only; make it writable or choose another file\.$/);
    await refused('/proc/out.json', /^--json .*out\.json cannot be written: MemLens could not create \/proc\/out\.json\.lock beside it: the folder takes no new files \(ENOENT\)\.$/);
    // Nothing was left behind by the refusals.
    assert.deepEqual((await fs.readdir(dir)).sort(), ['fifo.json', 'folder.json', 'kept.json', 'plain']);
  });

  test('a second run writing the same file is refused, naming the first; the lock goes when released', async function () {
    if (process.platform === 'win32') this.skip();
    const file = path.join(dir, 'out.json');
    // Another live memlens holds the lock: a child of this test whose command line names memlens.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'memlens']);
    try {
      await fs.writeFile(`${file}.lock`, String(other.pid));
      await refused(file, new RegExp(`^Another memlens run \\(process ${other.pid}\\) is writing --json out\\.json; wait for it to end, or choose another file\\.$`));
    } finally {
      other.kill();
    }
    await fs.rm(`${file}.lock`);
    const first = await claimJsonTarget(file, 'out.json');
    assert.equal(await fs.readFile(`${file}.lock`, 'utf8'), String(process.pid));
    assert.equal(((await fs.stat(`${file}.lock`)).mode & 0o777).toString(8), '600');
    await first.release();
    await assert.rejects(fs.access(`${file}.lock`));
  });

  test('a lock left by a run that has ended is taken over, and said to be', async () => {
    const file = path.join(dir, 'out.json');
    await fs.writeFile(`${file}.lock`, String(NO_SUCH_PID));
    const target = await claimJsonTarget(file, 'out.json');
    assert.equal(target.tookOverFrom, NO_SUCH_PID);
    assert.equal(await fs.readFile(`${file}.lock`, 'utf8'), String(process.pid));
    await target.release();
  });

  test('a lock whose process id now belongs to another program is taken over', async function () {
    if (process.platform !== 'linux') this.skip();
    const file = path.join(dir, 'out.json');
    const unrelated = spawn('sleep', ['30']);
    try {
      await fs.writeFile(`${file}.lock`, String(unrelated.pid));
      const target = await claimJsonTarget(file, 'out.json');
      assert.equal(target.tookOverFrom, unrelated.pid);
      await target.release();
    } finally {
      unrelated.kill();
    }
  });

  test('write errors are named in words', () => {
    const err = (code: string): Error => Object.assign(new Error(`${code}: failed, write`), { code });
    assert.equal(errorText(err('ENOSPC')), 'the disk is full (ENOSPC)');
    assert.equal(errorText(err('EROFS')), 'the file system is read-only (EROFS)');
    assert.equal(errorText(err('ENOENT')), 'its folder no longer exists (ENOENT)');
    assert.equal(errorText(new Error('something else.')), 'something else');
  });
});
