// `memlens smaps`: its arguments, and the built command (out/cli.js) on a live process holding
// 64 MiB, on snapshot files with and without maps, on a missing process and, when the tests run
// as root, on another user's process.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, USAGE, UsageError } from '../../src/cli/args';
import { fixturePath, REPO_ROOT } from './helpers';

const CLI = path.join(REPO_ROOT, 'out', 'cli.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function memlens(args: string[], uid?: number): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...(uid === undefined ? {} : { uid, gid: uid }) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a Python that holds a touched 64 MiB buffer; resolves once it says so. */
function holder(): Promise<ChildProcessWithoutNullStreams> {
  const source = [
    'import sys',
    'keep = bytearray(64 * 1024 * 1024)',
    'for i in range(0, len(keep), 4096):',
    '    keep[i] = 1',
    'print("ready", flush=True)',
    'sys.stdin.read()',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', source]);
    child.on('error', reject);
    child.stdout.once('data', () => resolve(child));
  });
}

suite('cli smaps', function () {
  this.timeout(30_000);

  test('arguments: a pid, a snapshot file, --top, and usage errors', () => {
    assert.deepEqual(parseArgs(['smaps', '1234']), { kind: 'smaps', target: { pid: 1234 }, top: 10 });
    assert.deepEqual(parseArgs(['smaps', 'run.json', '--top', '3']), { kind: 'smaps', target: { file: 'run.json' }, top: 3 });
    assert.deepEqual(parseArgs(['smaps', '--top=2', './123']), { kind: 'smaps', target: { file: './123' }, top: 2 });
    const cases: [string[], RegExp][] = [
      [['smaps'], /^memlens smaps needs a process id or a snapshot file\.$/],
      [['smaps', '0'], /^0 is not a process id\.$/],
      [['smaps', '1', '2'], /one process or snapshot at a time/],
      [['smaps', '--bogus', '1'], /--bogus is not an option of memlens smaps/],
      [['smaps', '1', '--top', '0'], /--top needs a whole number from 1/],
    ];
    for (const [argv, pattern] of cases) {
      assert.throws(() => parseArgs(argv), (err: Error) => err instanceof UsageError && pattern.test(err.message), argv.join(' '));
    }
    assert.match(USAGE, /^ {2}memlens smaps PID\|snapshot\.json \[--top N\]$/m);
  });

  suite('the built command', () => {
    suiteSetup(function () {
      if (!existsSync(CLI) || process.platform !== 'linux') this.skip();
    });

    test('a live process holding 64 MiB: writable memory of at least 64 MiB, in anonymous data', async function () {
      if (spawnSync('python3', ['-c', '0']).status !== 0) this.skip();
      const child = await holder();
      try {
        const r = memlens(['smaps', String(child.pid)]);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.split('\n');
        assert.match(lines[0], new RegExp(`^Memory maps of process ${child.pid} \\(python3[.\\d]*\\)$`));
        const writable = /^Writable memory \(private dirty\) ([\d.]+) MiB;/.exec(lines[2]);
        assert.ok(writable !== null && Number(writable[1]) >= 64, lines[2]);
        const anon = lines.indexOf('Anonymous memory');
        const data = lines.slice(anon).find((l) => l.startsWith('  data rw-p'))!;
        // Columns: maps, Shared_Clean, Shared_Dirty, Private_Clean, Private_Dirty, …
        const privateDirty = data.trim().split(/ {2,}/)[5];
        assert.match(privateDirty, /^\d+\.\d MiB$/);
        assert.ok(parseFloat(privateDirty) >= 64, data);
        assert.match(r.stdout, /\nFiles by private dirty \(top 10 of \d+\)\n/);
      } finally {
        child.stdin.end();
      }
    });

    test('a snapshot with maps, one without, and a missing process', () => {
      const withMaps = memlens(['smaps', fixturePath('helper-exit.json'), '--top', '2']);
      assert.equal(withMaps.code, 0, withMaps.stderr);
      assert.match(withMaps.stdout, /^Memory maps of \S*leaky_report\.py \(process \d+\) at exit\n/);
      assert.match(withMaps.stdout, /\nWritable memory \(private dirty\) [\d.]+ MiB; RSS /);
      assert.match(withMaps.stdout, /\nFiles by private dirty \(top 2 of \d+\)\n/);

      const shown = memlens(['show', fixturePath('helper-exit.json')]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /\nWritable memory \(private dirty\) [\d.]+ MiB; RSS [\d.]+ MiB, PSS /);

      const without = memlens(['smaps', fixturePath('mini.json')]);
      assert.equal(without.code, 1);
      assert.match(without.stderr, /^memlens: \S*mini\.json holds no memory maps: it was made by a MemLens that did not read them\.\n$/);

      const missing = memlens(['smaps', '4194305']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'memlens: There is no process 4194305.\n');
    });

    test("another user's process is refused in a sentence", function () {
      // Only root can run the command as another user (nobody), who cannot read pid 1's maps.
      if (process.getuid?.() !== 0 || statSync('/proc/1').uid === 65534) this.skip();
      const r = memlens(['smaps', '1'], 65534);
      if (r.code === null || /EACCES: permission denied, open '.*cli\.js'|Cannot find module/.test(r.stderr)) this.skip();
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, "memlens: Process 1 belongs to another user (uid 0); MemLens can read only your own processes' memory maps.\n");
    });
  });
});
