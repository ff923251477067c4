// `memlens compare` and `memlens leaks` on the real leak fixtures (test/fixtures/leak): the
// reports name the leaking line first with its growth, the exports are written, and bad input
// gets its sentence and exit status. Runs the built CLI (out/cli.js) like a user would.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args';
import { fixturePath, fixtureText, leakLine, REPO_ROOT } from './helpers';

const CLI = path.join(REPO_ROOT, 'out', 'cli.js');
const round = (n: number): string => fixturePath(`leak/round${n}.json`);

function memlens(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: path.dirname(round(1)) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

suite('memlens compare and leaks', function () {
  this.timeout(30_000);
  let tmp: string;
  setup(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-compare-'))));
  teardown(() => rmSync(tmp, { recursive: true, force: true }));

  test('compare: the leaking line grew most, 6 MiB over three rounds; the temporary is not listed as growth', () => {
    const r = memlens('compare', round(1), round(4), '--top', '3');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^MemLens — from "after round 1" \([\d.]+ (ms|s) into process \d+\) to "after round 4"/);
    const grew = lines.indexOf('Lines that grew most');
    assert.ok(grew > 0, r.stdout);
    assert.match(lines[grew + 2], new RegExp(`^\\s+\\+6\\.0 MiB\\s+2\\.0 MiB → 8\\.0 MiB\\s+\\S*leaky\\.py:${leakLine('blobs')}$`));
    assert.ok(!lines.slice(grew, grew + 5).some((l) => l.endsWith(`leaky.py:${leakLine('temporary')}`)));
    assert.match(r.stdout, /\n {2}writable \(private dirty\) +\+[\d.]+ MiB/);
    assert.match(r.stdout, /\nTypes that grew most\n/);
  });

  test('compare --out writes the comparison as JSON or its lines as CSV', () => {
    const json = path.join(tmp, 'c.json');
    assert.equal(memlens('compare', round(1), round(2), '--out', json).code, 0);
    assert.equal(JSON.parse(readFileSync(json, 'utf8')).format, 'memlens.diff');
    const csv = path.join(tmp, 'c.csv');
    assert.equal(memlens('compare', round(1), round(2), '--out', csv).code, 0);
    assert.match(readFileSync(csv, 'utf8').split('\n')[0], /file/);
  });

  test('leaks: the @blobs and @sessions lines grew in every interval, the temporary did not', () => {
    const r = memlens('leaks', round(4), round(1), round(3), round(2));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^MemLens — leaks over 4 snapshots \(3 intervals/);
    const table = r.stdout.slice(r.stdout.indexOf('Lines that grew in every interval'));
    assert.ok(table.includes(`leaky.py:${leakLine('blobs')}`), table);
    assert.ok(table.includes(`leaky.py:${leakLine('sessions')}`), table);
    assert.ok(!table.split('Types')[0].includes(`leaky.py:${leakLine('temporary')}\n`), table);
  });

  test('bad input: a broken file names itself (exit 1); too few files is a usage error (exit 2)', () => {
    const broken = path.join(tmp, 'broken.json');
    writeFileSync(broken, fixtureText('leak/round1.json').slice(0, 300));
    const r = memlens('compare', round(1), broken);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.json/);
    assert.equal(memlens('leaks', round(1), round(2)).code, 2);
    assert.throws(() => parseArgs(['compare', 'a.json']), UsageError);
    assert.deepEqual(parseArgs(['compare', 'a.json', 'b.json', '--top=5']), { kind: 'compare', before: 'a.json', after: 'b.json', top: 5, out: undefined });
  });
});
