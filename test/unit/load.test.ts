import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSnapshotFile, MAX_SNAPSHOT_BYTES, parseSnapshot, SnapshotError } from '../../src/model/load';
import { fixturePath, fixtureText, makeDoc, runDoc } from './helpers';

/** Asserts that parsing `text` fails with a SnapshotError whose message matches `pattern`. */
function refuses(text: string, pattern: RegExp, source = 'x.json'): void {
  assert.throws(
    () => parseSnapshot(text, source),
    (err: unknown) => {
      assert.ok(err instanceof SnapshotError, `expected a SnapshotError, got ${String(err)}`);
      assert.match(err.message, pattern);
      assert.equal(err.source, source);
      return true;
    },
  );
}

/** A valid document as an object to spoil. */
function good(): Record<string, any> {
  return JSON.parse(fixtureText('mini.json')) as Record<string, any>;
}

suite('load', () => {
  test('loads the hand-written and the real helper fixture', () => {
    const mini = parseSnapshot(fixtureText('mini.json'), 'mini.json');
    assert.equal(mini.files[0].lines[0].bytes, 41943040);
    const real = runDoc(parseSnapshot(fixtureText('helper-exit.json'), 'helper-exit.json'));
    assert.equal(real.program.exitCode, 1);
    assert.ok(real.files.some((f) => f.user && f.scopes !== undefined));
  });

  test('a truncated file is called truncated, naming the file', () => {
    refuses(
      fixtureText('truncated.json'),
      /^truncated\.json is not a complete MemLens snapshot: the JSON ends early \(truncated\?\)\.$/,
      'truncated.json',
    );
  });

  test('text that is not JSON, and an empty file', () => {
    refuses('hello world', /^x\.json is not a MemLens snapshot: it is not valid JSON\.$/);
    refuses('{"format": "memlens.snapshot",, }', /is not valid JSON/);
    refuses('  \n', /^x\.json is empty, not a MemLens snapshot\.$/);
  });

  test('foreign JSON is not a MemLens snapshot', () => {
    refuses(fixtureText('foreign.json'), /^foreign\.json is not a MemLens snapshot \(no format field; expected format "memlens\.snapshot"\)\.$/, 'foreign.json');
    refuses('{"format": "speedscope"}', /not a MemLens snapshot \(format "speedscope"/);
    refuses('[1, 2]', /not a MemLens snapshot: it holds an array, not a JSON object/);
  });

  test('a newer version names both versions', () => {
    refuses(
      fixtureText('newer-version.json'),
      /^new\.json was made by a newer MemLens \(snapshot version 99\); this one reads up to 1\.$/,
      'new.json',
    );
  });

  test('a version that is not a whole number from 1 is refused', () => {
    for (const v of [0, -1, 1.5, '1', null]) {
      const d = good();
      d.version = v;
      refuses(JSON.stringify(d), /its version is .*where a whole number from 1 up is expected/);
    }
    const d = good();
    delete d.version;
    refuses(JSON.stringify(d), /its version is missing/);
  });

  test('a frame pointing past the files is refused', () => {
    refuses(
      fixtureText('bad-frame.json'),
      /^bad\.json is not a valid MemLens snapshot: files\[0\]\.lines\[1\]\.paths\[0\]\.frames\[0\] points at file 7, but the snapshot lists only 2 files\.$/,
      'bad.json',
    );
  });

  test('missing and mistyped fields are named', () => {
    const cases: [string, (d: Record<string, any>) => void, RegExp][] = [
      ['files', (d) => delete d.files, /files is missing, where a list of files is expected/],
      ['totals', (d) => delete d.totals.maxRss, /totals\.maxRss is missing/],
      ['bytes', (d) => (d.files[0].lines[0].bytes = -1), /files\[0\]\.lines\[0\]\.bytes is -1, where a whole number from 0 up/],
      ['line', (d) => (d.files[0].peakLines[1].line = 2.5), /files\[0\]\.peakLines\[1\]\.line is 2\.5/],
      ['blocks', (d) => (d.files[0].lines[1].blocks = '1000'), /files\[0\]\.lines\[1\]\.blocks is "1000"/],
      ['user', (d) => delete d.files[1].user, /files\[1\]\.user is missing, where true or false/],
      ['kind', (d) => (d.kind = 'live'), /kind is "live", where "exit" or "snapshot"/],
      ['end', (d) => (d.program.end = { kind: 'exception' }), /program\.end\.type is missing/],
      ['frame', (d) => (d.files[0].lines[0].paths[0].frames[0] = [0]), /frames\[0\] is an array, where a \[file, line\] pair/],
      ['scope', (d) => (d.files[0].scopes[0].endLine = 2), /scopes\[0\] ends on line 2, before it starts \(line 3\)/],
      ['twice', (d) => d.files[0].lines.push({ ...d.files[0].lines[0] }), /files\[0\]\.lines lists line 4 twice/],
      ['paths', (d) => (d.files[1].path = d.files[0].path), /files\[1\]\.path repeats files\[0\]\.path/],
      ['rss', (d) => (d.totals.rss = 'n/a'), /totals\.rss is "n\/a"/],
    ];
    for (const [name, spoil, pattern] of cases) {
      const d = good();
      spoil(d);
      assert.throws(() => parseSnapshot(JSON.stringify(d), 'x.json'), (err: Error) => {
        assert.match(err.message, /^x\.json is not a valid MemLens snapshot: /, name);
        assert.match(err.message, pattern, name);
        return true;
      });
    }
  });

  test('optional fields may be absent or null', () => {
    const d = makeDoc([{ path: '/ws/a.py', lines: [[1, 10, 1]] }]);
    delete d.program.exitCode;
    d.program.exitSignal = null;
    d.totals.rss = null;
    d.peak.capturedAt = null;
    assert.doesNotThrow(() => parseSnapshot(JSON.stringify(d), 'x.json'));
  });

  test('the optional process field: the maps of the real fixture load; mistyped fields are named', () => {
    const real = parseSnapshot(fixtureText('helper-exit.json'), 'helper-exit.json');
    assert.match(real.process?.smaps ?? '', /^[0-9a-f]+-[0-9a-f]+ r--p /);
    assert.equal(real.process?.pageSize, 4096);
    for (const process of [{}, { smapsError: 'Memory maps (/proc/PID/smaps) exist only on Linux; this program ran on darwin.' }]) {
      const d = good();
      d.process = process;
      assert.deepEqual(parseSnapshot(JSON.stringify(d), 'x.json').process, process);
    }
    const cases: [unknown, RegExp][] = [
      ['maps', /: process is "maps", where an object is expected\.$/],
      [{ smaps: 12 }, /: process\.smaps is 12, where a string is expected\.$/],
      [{ smapsError: null }, /: process\.smapsError is null, where a string is expected\.$/],
      [{ smaps: '', pageSize: 0 }, /: process\.pageSize is 0, where a whole number from 1 up is expected\.$/],
    ];
    for (const [process, pattern] of cases) {
      const d = good();
      d.process = process;
      refuses(JSON.stringify(d), pattern);
    }
  });

  test('loadSnapshotFile reads through the given reader', async () => {
    const seen: string[] = [];
    const doc = await loadSnapshotFile('/virtual/run.json', async (p) => {
      seen.push(p);
      return fixtureText('mini.json');
    });
    assert.deepEqual(seen, ['/virtual/run.json']);
    assert.equal(doc.files.length, 2);
  });

  test('loadSnapshotFile reads from disk by default and names a missing file', async () => {
    const doc = runDoc(await loadSnapshotFile(fixturePath('mini.json')));
    assert.equal(doc.program.pid, 4242);
    const missing = path.join(os.tmpdir(), 'memlens-no-such-file.json');
    await assert.rejects(loadSnapshotFile(missing), (err: Error) => {
      assert.ok(err instanceof SnapshotError);
      assert.equal(err.message, `The snapshot file ${missing} does not exist.`);
      return true;
    });
    await assert.rejects(loadSnapshotFile(os.tmpdir()), /is a folder, not a snapshot file\./);
  });

  test('loadSnapshotFile refuses a FIFO, a device and a file over the limit before reading them', async function () {
    if (process.platform === 'win32') this.skip();
    this.timeout(10_000);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-load-'));
    try {
      const fifo = path.join(dir, 'snapshot.json');
      execFileSync('mkfifo', [fifo]);
      const big = path.join(dir, 'big.json');
      // Sparse: one byte over the limit costs no disk.
      await fs.writeFile(big, '');
      await fs.truncate(big, MAX_SNAPSHOT_BYTES + 1);
      const notRegular = /is not a regular file \(a device, a pipe or a socket\), so it is not read as a snapshot\.$/;
      const tooBig = /big\.json is 104857601 bytes, larger than the 100 MiB \(104857600 bytes\) MemLens reads: loading takes up to 10 MB of memory per MB of snapshot/;
      const unread = async (): Promise<string> => assert.fail('the reader must not be called');
      for (const read of [undefined, unread]) {
        // Without the checks the FIFO waits for a writer forever and /dev/zero never ends.
        await assert.rejects(loadSnapshotFile(fifo, read), notRegular);
        await assert.rejects(loadSnapshotFile('/dev/zero', read), notRegular);
        await assert.rejects(loadSnapshotFile(big, read), tooBig);
      }
      const rss = process.memoryUsage().rss;
      await assert.rejects(loadSnapshotFile(big), tooBig);
      assert.ok(process.memoryUsage().rss - rss < 50 * 1024 * 1024, 'the big file was not read');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('a reader whose text is over the limit is refused before it is parsed', async () => {
    const huge = 'x'.repeat(MAX_SNAPSHOT_BYTES + 1);
    await assert.rejects(loadSnapshotFile('vscode-remote://host/run.json', async () => huge), /is 104857601 bytes, larger than the 100 MiB \(104857600 bytes\) MemLens reads/);
  });
});
