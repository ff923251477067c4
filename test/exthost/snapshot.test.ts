// The editor views over a known snapshot (no program run): `MemLens: Open Snapshot File…` loads a
// document whose figures are written here for the sample workspace's sample.py, and the tests
// check the drawn annotations, lenses (and the one that opens the memory panel), hovers, the
// hottest-lines list, line tracking across edits, the exit/peak toggle, clearing, and the
// refusal of broken files.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { hoverMarkdown } from '../../src/editor/hover';
import type { SnapshotDocument } from '../../src/protocol/snapshot';
import { api, codeLenses, hoverTexts, MiB, openSample, sampleUri, waitFor } from './util';

const LIB = '/usr/lib/python3.11/json/decoder.py';

function sampleSnapshot(sample: string): SnapshotDocument {
  const call = (line: number): [number, number][] => [[0, line], [0, 23], [0, 28]];
  return {
    format: 'memlens.snapshot',
    version: 1,
    kind: 'exit',
    program: {
      argv: [sample], cwd: path.dirname(sample), pid: 4242,
      python: { executable: '/usr/bin/python3', version: '3.11.2', implementation: 'CPython' },
      startTime: 1764088000, endTime: 1764088001.5, end: { kind: 'exit' }, exitCode: 0, exitSignal: null,
    },
    settings: { frames: 8, roots: [path.dirname(sample)], maxPaths: 5 },
    totals: {
      tracedCurrent: 48_000_000, tracedPeak: 110_000_000, blocks: 51_002, maxRss: 150_000_000, rss: 120_000_000,
      minorFaults: 30_000, majorFaults: 0, wallSeconds: 1.5, cpuUserSeconds: 1.2, cpuSystemSeconds: 0.2,
    },
    peak: { method: 'fork', capturedTraced: 108_000_000, capturedAt: 0.8, stepBytes: 8 * MiB, pollSeconds: 0.005, captures: 6 },
    files: [
      {
        path: sample, user: true,
        lines: [
          { line: 5, bytes: 500, blocks: 2, paths: [{ bytes: 500, blocks: 2, frames: [[0, 5]] }] },
          { line: 8, bytes: 40 * MiB, blocks: 1, paths: [{ bytes: 40 * MiB, blocks: 1, frames: call(8) }] },
          { line: 10, bytes: 3_000_000, blocks: 50_000, paths: [{ bytes: 3_000_000, blocks: 50_000, frames: call(10) }] },
          { line: 18, bytes: 3 * MiB, blocks: 1, paths: [{ bytes: 3 * MiB, blocks: 1, frames: [[0, 18], [0, 24], [0, 28]] }] },
        ],
        peakLines: [
          { line: 8, bytes: 40 * MiB, blocks: 1, paths: [{ bytes: 40 * MiB, blocks: 1, frames: call(8) }] },
          { line: 12, bytes: 64 * MiB, blocks: 1, paths: [{ bytes: 64 * MiB, blocks: 1, frames: call(12) }] },
        ],
        scopes: [
          { name: 'build', kind: 'function', line: 7, endLine: 13 },
          { name: 'Cache', kind: 'class', line: 16, endLine: 19 },
          { name: 'Cache.fill', kind: 'function', line: 17, endLine: 19 },
          { name: 'main', kind: 'function', line: 22, endLine: 24 },
        ],
      },
      {
        path: LIB, user: false,
        lines: [{ line: 353, bytes: 2 * MiB, blocks: 20_000, noUserFrame: true, paths: [{ bytes: 2 * MiB, blocks: 20_000, frames: [[1, 353], [1, 337]] }] }],
        peakLines: [],
      },
    ],
    processingSeconds: 0.01,
  };
}

suite('views over a known snapshot', () => {
  let tmp: string;
  let snapshotFile: string;
  let sample: vscode.Uri;

  suiteSetup(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memlens-snap-'));
    sample = sampleUri('sample.py');
    snapshotFile = path.join(tmp, 'snapshot.json');
    fs.writeFileSync(snapshotFile, JSON.stringify(sampleSnapshot(fs.realpathSync(sample.fsPath))));
  });

  setup(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const res = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('memlens.openSnapshot', vscode.Uri.file(snapshotFile));
    assert.strictEqual(res.ok, true, res.message);
    await openSample('sample.py');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('annotations: size after the line, heat by share of the hottest line, minimum respected', async () => {
    const memlens = await api();
    const drawn = await waitFor('annotations', () => memlens.annotations(sample), (a) => a.length > 0);
    assert.deepStrictEqual(
      drawn.map((a) => [a.line, a.text, a.heat, a.stale]),
      [
        [8, '40.0 MiB · 1 block', 5, false],
        [10, '2.9 MiB · 50,000 blocks', 1, false],
        [18, '3.0 MiB · 1 block', 1, false],
      ],
      'line 5 (500 B) is under memlens.annotations.minimumKiB and gets nothing',
    );
  });

  test('CodeLens: module, function and class lenses with exit and peak sums; click shows the hottest line', async () => {
    const lenses = await codeLenses(sample);
    assert.deepStrictEqual(lenses.map((l) => [l.line, l.title]), [
      [1, 'MemLens: 45.9 MiB at exit · 104.0 MiB at peak'],
      [1, 'Open Memory Panel'],
      [7, 'MemLens: 42.9 MiB at exit · 104.0 MiB at peak'],
      [16, 'MemLens: 3.0 MiB at exit · 0 B at peak'],
      [17, 'MemLens: 3.0 MiB at exit · 0 B at peak'],
    ], 'main() holds nothing and gets no lens');
    assert.strictEqual(lenses[1].command?.command, 'memlens.openPanel', 'the lens after the module\'s opens the memory panel');
    const build = lenses.find((l) => l.line === 7)!;
    assert.strictEqual(build.command?.command, 'memlens.showLine');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const shown = await vscode.commands.executeCommand<number>(build.command!.command, ...(build.command!.arguments ?? []));
    assert.strictEqual(shown, 8, 'the lens opens the hottest line of build()');
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, sample.fsPath);
    assert.strictEqual(vscode.window.activeTextEditor?.selection.active.line, 7);
  });

  test('hover: figures at exit and peak, scope, call path links innermost first', async () => {
    const texts = (await hoverTexts(sample, 8)).join('\n');
    assert.match(texts, /live at exit: \*\*40\.0 MiB\*\* in 1 block/);
    assert.match(texts, /live at peak: \*\*40\.0 MiB\*\* in 1 block/);
    assert.match(texts, /line 8 in build/);
    const links = [...texts.matchAll(/\[([^\]]+)\]\((command:memlens\.showLine\?[^)]+)\)/g)];
    assert.deepStrictEqual(links.map((m) => m[1].replace(/\\/g, '')), ['sample.py:8', 'sample.py:23', 'sample.py:28']);
    const args = JSON.parse(decodeURIComponent(links[1][2].split('?')[1]));
    assert.deepStrictEqual(args, [{ file: fs.realpathSync(sample.fsPath), line: 23 }]);
    assert.deepStrictEqual(await hoverTexts(sample, 9), [], 'no hover on a line without memory');
  });

  test('hover of a library line says no user frame was within reach', async () => {
    const memlens = await api();
    const file = memlens.model!.files.get(LIB)!;
    assert.ok(file.lines.get(353)?.exit?.noUserFrame);
    // The library file does not exist here, so check the markdown through the hover module's builder.
    const md = hoverMarkdown(file.lines.get(353)!, 'exit', { stale: false, frames: 8, hasPeak: true });
    assert.match(md.value, /No user frame within 8 frames/);
    assert.deepStrictEqual(md.isTrusted, { enabledCommands: ['memlens.showLine'] });
  });

  test('toggle view: annotations switch to the figures at peak and back', async () => {
    const memlens = await api();
    assert.strictEqual(await vscode.commands.executeCommand('memlens.toggleView'), 'peak');
    try {
      const drawn = await waitFor('peak annotations', () => memlens.annotations(sample), (a) => a.some((x) => x.line === 12));
      assert.deepStrictEqual(drawn.map((a) => [a.line, a.text, a.heat]), [
        [8, '40.0 MiB · 1 block', 4],
        [12, '64.0 MiB · 1 block', 5],
      ]);
    } finally {
      assert.strictEqual(await vscode.commands.executeCommand('memlens.toggleView'), 'exit');
    }
    assert.deepStrictEqual(memlens.annotations(sample).map((a) => a.line), [8, 10, 18]);
  });

  test('edits: annotations move with inserted lines; an edited line is stale and says so', async () => {
    const memlens = await api();
    const editor = vscode.window.activeTextEditor!;
    try {
      await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'import os\nimport sys\n'));
      let drawn = await waitFor('moved annotations', () => memlens.annotations(sample), (a) => a[0]?.line === 10);
      assert.deepStrictEqual(drawn.map((a) => [a.line, a.runLine, a.stale]), [[10, 8, false], [12, 10, false], [20, 18, false]]);
      assert.match((await hoverTexts(sample, 10)).join('\n'), /40\.0 MiB/, 'the hover moved too');
      assert.deepStrictEqual((await codeLenses(sample)).map((l) => l.line), [1, 1, 9, 18, 19], 'lenses moved');

      // Change the 40 MiB line itself.
      await editor.edit((e) => e.replace(new vscode.Range(9, 4, 9, 7), 'large'));
      drawn = await waitFor('stale annotation', () => memlens.annotations(sample), (a) => a[0]?.stale === true);
      assert.strictEqual(drawn[0].line, 10);
      assert.strictEqual(drawn[0].text, '40.0 MiB · 1 block (edited since the run)');
      assert.match((await hoverTexts(sample, 10)).join('\n'), /edited since the run/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  test('hottest lines: the list is ordered by size with file:line and source; Enter opens the line', async () => {
    const memlens = await api();
    const items = await memlens.hottestLineItems();
    assert.deepStrictEqual(items.slice(0, 3).map((i) => [i.label, i.description]), [
      ['$(flame) 40.0 MiB · 1 block', 'sample.py:8'],
      ['$(flame) 3.0 MiB · 1 block', 'sample.py:18'],
      ['$(flame) 2.9 MiB · 50,000 blocks', 'sample.py:10'],
    ]);
    assert.match(items[0].detail ?? '', /^big = bytes\(40 \* 1024 \* 1024\)/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const picked = vscode.commands.executeCommand<{ line: number }>('memlens.showHottestLines');
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.strictEqual((await picked)?.line, 8);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, sample.fsPath);
    assert.strictEqual(vscode.window.activeTextEditor?.selection.active.line, 7);
  });

  test('clear: annotations, lenses and hovers go away', async () => {
    const memlens = await api();
    await waitFor('annotations', () => memlens.annotations(sample), (a) => a.length > 0);
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    assert.strictEqual(memlens.model, undefined);
    assert.deepStrictEqual(memlens.annotations(sample), []);
    assert.deepStrictEqual(await codeLenses(sample), []);
    assert.deepStrictEqual(await hoverTexts(sample, 8), []);
  });

  test('a truncated or newer snapshot is refused in a sentence and nothing of it is shown', async () => {
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    const truncated = path.join(tmp, 'truncated.json');
    fs.writeFileSync(truncated, fs.readFileSync(snapshotFile, 'utf8').slice(0, 200));
    let res = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('memlens.openSnapshot', vscode.Uri.file(truncated));
    assert.strictEqual(res.ok, false);
    assert.match(res.message, /truncated\.json is not a complete MemLens snapshot/);
    const newer = path.join(tmp, 'newer.json');
    fs.writeFileSync(newer, JSON.stringify({ ...sampleSnapshot('/x.py'), version: 99 }));
    res = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('memlens.openSnapshot', vscode.Uri.file(newer));
    assert.match(res.message, /made by a newer MemLens \(snapshot version 99\)/);
    assert.strictEqual((await api()).model, undefined);
  });
});
