// The fast, exact and light modes as readers see them (issue 12): the loader accepts the fields a
// fast or light run writes and refuses them mistyped, files from before the modes read as exact,
// and every view marks a fast run's estimates with ≈ while an exact run's text stays as it was;
// a light run says it tracked nothing instead of showing traced zeros. The documents are the
// hand-written fast-mini.json, light-mini.json and fallback-mini.json (see test/fixtures/README.md).
import * as assert from 'node:assert/strict';
import { renderComparison, renderLeaks } from '../../src/cli/compareReport';
import { renderReport } from '../../src/cli/report';
import { compareCompatibility } from '../../src/model/compat';
import { diffSnapshots } from '../../src/model/diff';
import { findLeaks } from '../../src/model/leaks';
import { parseSnapshot, SnapshotError } from '../../src/model/load';
import { buildModel } from '../../src/model/model';
import { compareData } from '../../src/panel/compareData';
import { panelData } from '../../src/panel/panelData';
import { parseMessage } from '../../src/run/channel';
import type { SnapshotDocument } from '../../src/protocol/snapshot';
import { fixtureText, runDoc } from './helpers';

function doc(name: string): SnapshotDocument {
  return parseSnapshot(fixtureText(name), name);
}

/** `name` parsed as an object to change before it is parsed again. */
function raw(name: string): Record<string, any> {
  return JSON.parse(fixtureText(name)) as Record<string, any>;
}

const sourceLine = (): string | undefined => undefined;

suite('modes: loading', () => {
  test('a fast-mode document loads with its mode, interval, samples and sampler peak', () => {
    const m = buildModel(doc('fast-mini.json'));
    assert.equal(m.mode, 'fast');
    assert.equal(m.estimated, true);
    assert.equal(m.sampleInterval, 8192);
    assert.equal(m.peak.method, 'sampler');
    assert.equal(m.peak.margin, 0.01);
    assert.equal(m.totals.samples, 5131);
    const line8 = m.files.get('/ws/sample.py')!.lines.get(8)!;
    assert.equal(line8.exit!.samples, 8);
    assert.equal(line8.exit!.paths[0].samples, 8);
  });

  test('a file from before the modes reads as exact, with no samples', () => {
    const m = buildModel(doc('mini.json'));
    assert.equal(m.mode, 'exact');
    assert.equal(m.estimated, false);
    assert.equal(m.sampleInterval, undefined);
    assert.equal('samples' in m.files.get('/ws/sample.py')!.lines.get(4)!.exit!, false);
  });

  test('light mode and a fallback note load', () => {
    assert.equal(buildModel(doc('light-mini.json')).mode, 'light');
    const fallback = buildModel(doc('fallback-mini.json'));
    assert.equal(fallback.mode, 'exact');
    assert.match(fallback.modeNote ?? '', /^Fast mode is not available/);
  });

  test('each new field mistyped is refused in a sentence naming it', () => {
    const cases: [(d: Record<string, any>) => void, RegExp][] = [
      [(d) => (d.settings.mode = 'turbo'), /settings\.mode is "turbo", where "fast" or "exact" or "light" is expected/],
      [(d) => (d.settings.sampleInterval = 0), /settings\.sampleInterval is 0, where a whole number from 1 up is expected/],
      [(d) => (d.settings.modeNote = 3), /settings\.modeNote is 3, where a string is expected/],
      [(d) => (d.totals.samples = -1), /totals\.samples is -1, where a whole number from 0 up is expected/],
      [(d) => (d.files[0].lines[1].samples = 1.5), /files\[0\]\.lines\[1\]\.samples is 1\.5, where a whole number/],
      [(d) => (d.files[0].peakLines[0].paths[0].samples = '1'), /files\[0\]\.peakLines\[0\]\.paths\[0\]\.samples is "1", where a whole number/],
      [(d) => (d.peak.margin = 1), /peak\.margin is 1, where a number above 0 and below 1 is expected/],
      [(d) => (d.peak.method = 'sampled'), /peak\.method is "sampled", where "fork" or "sampler" or "exit" or "none" is expected/],
    ];
    for (const [spoil, pattern] of cases) {
      const d = raw('fast-mini.json');
      spoil(d);
      assert.throws(
        () => parseSnapshot(JSON.stringify(d), 'fast.json'),
        (err: unknown) => err instanceof SnapshotError && /^fast\.json is not a valid MemLens snapshot: .*\.$/.test(err.message) && pattern.test(err.message),
        String(pattern),
      );
    }
  });
});

suite('modes: the channel', () => {
  const started = { type: 'started', pid: 7, python: '3.12.1', executable: '/usr/bin/python3', frames: 8 };

  test('started carries the mode, the interval and the note', () => {
    const m = parseMessage(JSON.stringify({ ...started, mode: 'exact', modeNote: 'Fast mode is not available here.' }));
    assert.deepEqual(m, { ...started, mode: 'exact', modeNote: 'Fast mode is not available here.' });
    const fast = parseMessage(JSON.stringify({ ...started, mode: 'fast', sampleInterval: 8192 }));
    assert.equal(fast?.type === 'started' && fast.sampleInterval, 8192);
  });

  test('a started without a mode is exact; a wrong mode, interval or note is not heard', () => {
    const old = parseMessage(JSON.stringify(started));
    assert.equal(old?.type === 'started' && old.mode, 'exact');
    assert.equal(parseMessage(JSON.stringify({ ...started, mode: 'turbo' })), undefined);
    assert.equal(parseMessage(JSON.stringify({ ...started, mode: 'fast', sampleInterval: 'big' })), undefined);
    assert.equal(parseMessage(JSON.stringify({ ...started, mode: 'exact', modeNote: 1 })), undefined);
  });
});

suite('modes: the CLI report', () => {
  test('fast: every traced figure is marked ≈, lines give their samples, the peak says how it was copied', () => {
    const d = runDoc(doc('fast-mini.json'));
    d.program.exitCode = 0;
    const lines = renderReport(buildModel(d), { top: 10, cwd: '/ws', sourceLine }).split('\n');
    assert.equal(lines[0], 'MemLens — sample.py — exit code 0 — traced peak ≈ 104.0 MiB — peak RSS 143.1 MiB');
    assert.equal(lines[2], 'Live at exit ≈ 40.1 MiB (estimated from 5131 samples, one per 8 KiB allocated on average); ran 1.5 s on CPython 3.11.2.');
    const exitAt = lines.indexOf('Hottest lines at exit');
    assert.match(lines[exitAt + 1], /^ {2}# +bytes +samples +line +source$/);
    assert.match(lines[exitAt + 2], /^ {2}1 +≈ 40\.0 MiB +1 +sample\.py:4$/);
    assert.match(lines[exitAt + 3], /^ {2}2 +≈ 64\.0 KiB +8 +sample\.py:8$/);
    assert.ok(
      lines.includes('  (Copied at ≈ 104.0 MiB of the ≈ 104.0 MiB traced peak: the sampler copies its table whenever its estimate rises 1 % past the last copy, however short the peak.)'),
      lines.join('\n'),
    );
  });

  test('light: says allocations were not tracked, and prints no traced zeros or empty tables', () => {
    const d = runDoc(doc('light-mini.json'));
    d.program.exitCode = 0;
    const text = renderReport(buildModel(d), { top: 10, cwd: '/ws', sourceLine });
    const lines = text.split('\n');
    assert.equal(lines[0], 'MemLens — sample.py — exit code 0 — light mode — peak RSS 143.1 MiB');
    assert.equal(lines[2], 'Light mode: allocations were not tracked; ran 1.5 s on CPython 3.11.2.');
    assert.doesNotMatch(text, /Hottest lines|0 B|traced peak/);
  });

  test('exact from a fallback prints as exact always did: no ≈', () => {
    const text = renderReport(buildModel(runDoc(doc('fallback-mini.json'))), { top: 10, cwd: '/ws', sourceLine });
    assert.doesNotMatch(text, /≈|samples/);
    assert.match(text, /Live at exit 40\.1 MiB in 1200 blocks/);
  });
});

suite('modes: comparisons', () => {
  test('a fast snapshot on either side marks growth ≈; different modes are warned about once', () => {
    const exact = doc('mini.json');
    const fast = doc('fast-mini.json');
    const diff = diffSnapshots(exact, fast);
    assert.equal(diff.estimated, true);
    assert.equal(diff.tracked, true);
    const compat = compareCompatibility(exact, fast);
    assert.deepEqual(compat.warnings.filter((w) => /modes|frame depths/.test(w)), [
      'These snapshots were taken in different modes (exact and fast): fast mode estimates from samples what exact mode counts, so small growth may be sampling error.',
    ]);
    const text = renderComparison(diff, compat, { top: 5, cwd: '/ws' });
    assert.match(text, /^ {2}traced +≈ \+8\.4 KiB {2}\(≈ 40\.1 MiB → ≈ 40\.1 MiB\)$/m);
    assert.match(text, /^ {2}≈ \+8\.4 KiB {2}≈ 55\.6 KiB → ≈ 64\.0 KiB {2}sample\.py:8$/m);
    const panel = compareData(diff, compat);
    assert.equal(panel.estimated, true);
    assert.equal(panel.totals.find((t) => t.id === 'traced')?.estimated, true);
    assert.equal(panel.totals.find((t) => t.id === 'rss')?.estimated, undefined, 'RSS is measured, not estimated');
  });

  test('two exact snapshots compare as before: nothing estimated', () => {
    const diff = diffSnapshots(doc('mini.json'), doc('fallback-mini.json'));
    assert.equal(diff.estimated, false);
    assert.doesNotMatch(renderComparison(diff, compareCompatibility(doc('mini.json'), doc('fallback-mini.json')), { top: 5, cwd: '/ws' }), /≈/);
  });

  test('a light snapshot on either side: traced figures and lines are not compared, and it says why', () => {
    const before = doc('mini.json');
    const after = doc('light-mini.json');
    const diff = diffSnapshots(before, after);
    assert.equal(diff.tracked, false);
    const text = renderComparison(diff, compareCompatibility(before, after), { top: 5, cwd: '/ws' });
    assert.match(text, /^ {2}traced +light mode: allocations were not tracked$/m);
    assert.match(text, /^Lines: light mode: allocations were not tracked\.$/m);
    assert.doesNotMatch(text, /Lines that (grew|shrank)/);
    const panel = compareData(diff, compareCompatibility(before, after));
    assert.deepEqual(panel.totals.find((t) => t.id === 'traced'), {
      id: 'traced', label: 'Traced', unit: 'bytes', figure: null, note: 'light mode: allocations were not tracked',
    });
  });
});

suite('modes: the panel data', () => {
  test('the program carries the mode, its interval and note; fast lines carry their samples', () => {
    const fast = panelData(buildModel(doc('fast-mini.json')), { source: { snapshotPath: '/runs/fast.json' } });
    assert.deepEqual([fast.program.mode, fast.program.sampleInterval, fast.program.modeNote], ['fast', 8192, null]);
    assert.equal(fast.summary.headline.samples, 5131);
    const row8 = fast.lines.rows.find((r) => r.line === 8)!;
    assert.deepEqual([row8.exitSamples, row8.peakSamples], [8, 0]);
    const fallback = panelData(buildModel(doc('fallback-mini.json')), { source: { snapshotPath: '/runs/x.json' } });
    assert.deepEqual([fallback.program.mode, fallback.program.sampleInterval], ['exact', null]);
    assert.match(fallback.program.modeNote ?? '', /^Fast mode is not available/);
    assert.equal('exitSamples' in fallback.lines.rows[0], false, 'exact rows are as they were');
  });

  test('leaks in fast snapshots are marked estimated', () => {
    // Three fast snapshots of one program, a second apart, the buffer line growing each time.
    const docs = [0, 1, 2].map((i) => {
      const d = raw('fast-mini.json');
      d.kind = 'snapshot';
      d.program.end = { kind: 'snapshot' };
      d.program.endTime += i;
      d.files[0].lines[0].bytes += i * 1048576;
      return parseSnapshot(JSON.stringify(d), `fast-${i}.json`);
    });
    const report = findLeaks(docs);
    assert.ok(report.ok);
    assert.equal(report.estimated, true);
    assert.match(renderLeaks(report, { top: 5, cwd: '/ws' }), /^ {2}≈ \+1\.0 MiB\/interval +≈ \+1\.0 MiB\/s +sample\.py:4$/m);
  });
});
