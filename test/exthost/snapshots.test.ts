// Snapshots during a run in the extension host: the real helper runs leaky_loop.py in a
// terminal; snapshots are taken with `MemLens: Take Snapshot` while it runs, compared, searched
// for leaks, listed, renamed; the comparison's `+` text lands on the leaking line and survives the
// run's end until it is ended.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { CompareOutcome } from '../../src/snapshots/compareCommands';
import type { LeaksOutcome } from '../../src/snapshots/leaksCommand';
import type { SnapshotOutcome } from '../../src/terminal/runSnapshots';
import type { ProfileOutcome } from '../../src/session/profile';
import { api, codeLenses, hoverTexts, MiB, openSample, sampleUri, waitFor } from './util';

const LEAK_LINE = 12;
const CHURN_LINE = 11;

function take(label: string): Thenable<SnapshotOutcome> {
  return vscode.commands.executeCommand<SnapshotOutcome>('memlens.takeSnapshot', { label });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

suite('snapshots taken during a run', function () {
  this.timeout(120_000);

  // A failed test must not leave the program running into the next one.
  teardown(async () => {
    const memlens = await api();
    if (!memlens.run) return;
    await vscode.commands.executeCommand('memlens.stop');
    await waitFor('the stopped run to end', () => memlens.run, (run) => run === undefined, 30_000);
  });

  test('take, compare, find leaks and rename while leaky_loop.py runs', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const uri = sampleUri('leaky_loop.py');
    const file = fs.realpathSync(uri.fsPath);
    await openSample('leaky_loop.py');
    const memlens = await api();
    const profiled = vscode.commands.executeCommand<ProfileOutcome>('memlens.profile', uri);
    await waitFor('the helper to start tracing', () => memlens.run?.started ?? false, (v) => v);

    const first = await take('first');
    assert.ok(first.ok, first.ok ? '' : first.error);
    await sleep(1500);
    const second = await take('second');
    assert.ok(second.ok, second.ok ? '' : second.error);
    const doc = JSON.parse(fs.readFileSync(second.path, 'utf8'));
    assert.strictEqual(doc.kind, 'snapshot');
    assert.strictEqual(doc.label, 'second');
    assert.strictEqual(second.seq, 2);

    // Compare: the leaking line grows by what the ticks between the two snapshots kept.
    const compared = await vscode.commands.executeCommand<CompareOutcome>('memlens.compareSnapshots', first.path, second.path);
    assert.ok(compared.ok, compared.message);
    const comparison = memlens.comparison;
    assert.ok(comparison, 'a comparison is shown');
    const leak = comparison.lines.get(file)?.get(LEAK_LINE);
    assert.ok(leak, 'the @leak line is compared');
    const ticks = Math.round(leak.blocks.delta);
    assert.ok(ticks >= 5, `at least 5 ticks of 1 MiB between the snapshots (${ticks})`);
    assert.ok(Math.abs(leak.bytes.delta - ticks * MiB) <= 0.05 * ticks * MiB, `grew ${leak.bytes.delta} in ${ticks} blocks`);
    assert.strictEqual(comparison.diff.lines[0].line, LEAK_LINE, 'the leaking line grew most');
    // The run is in the fast mode (the default): growth is an estimate, marked ≈, without blocks.
    const drawn = await waitFor('the growth on the leaking line', () => memlens.annotations(uri),
      (a) => a.some((x) => x.line === LEAK_LINE && x.text.startsWith('≈ +')));
    const text = drawn.find((x) => x.line === LEAK_LINE)!;
    assert.match(text.text, /^≈ \+\d+\.\d MiB since "first"$/);
    assert.ok(text.heat === 5, 'the line that grew most has the hottest colour');
    // The temporary is freed every tick, so it never accumulates. A snapshot may still land inside
    // a tick (the host's snapshot forks from the helper's thread at any bytecode), catching one
    // 4 MiB temporary alive: at most one block's difference, never growth with the ticks.
    const churn = comparison.lines.get(file)?.get(CHURN_LINE);
    assert.ok(!churn || (Math.abs(churn.blocks.delta) <= 1 && Math.abs(churn.bytes.delta) <= 4.1 * MiB),
      `the churned temporary does not accumulate: ${JSON.stringify(churn?.bytes)}`);
    const lenses = await codeLenses(uri);
    assert.ok(lenses.some((l) => /^MemLens: ≈ \+[\d.]+ MiB since "first" \(now ≈ [\d.]+ MiB\)$/.test(l.title) && l.line === 10),
      `a growth lens above tick(): ${JSON.stringify(lenses.map((l) => l.title))}`);
    // Markdown escapes punctuation: read the hover as the user sees it.
    const hover = (await hoverTexts(uri, LEAK_LINE)).join('\n').replace(/\\(.)/g, '$1');
    assert.match(hover, /^\*\*MemLens\*\* · line 12: \*\*≈ \+[\d.]+ MiB\*\*/);
    assert.match(hover, /- "first": ≈ [\d.]+ MiB\n/);
    assert.match(hover, /≈ \+[\d.]+ MiB \(was ≈ [\d.]+ MiB\): \[leaky_loop\.py:12\]/);

    // A third snapshot, then leaks over the run's three: the @leak line, growing every interval.
    await sleep(1000);
    const third = await take('');
    assert.ok(third.ok, third.ok ? '' : third.error);
    assert.strictEqual(third.label, null);
    const runDir = memlens.run!.runDir;
    const leaks = await vscode.commands.executeCommand<LeaksOutcome>('memlens.findLeaks', [first.path, second.path, third.path]);
    assert.ok(leaks.ok && leaks.report?.ok, leaks.message);
    assert.strictEqual(leaks.report.lines[0].file, file);
    assert.strictEqual(leaks.report.lines[0].line, LEAK_LINE);

    // The view lists the run's snapshots in order; renaming rewrites the label.
    const runs = await memlens.listSnapshots();
    const run = runs.find((r) => r.dir === runDir);
    assert.ok(run, 'the run is listed');
    assert.deepStrictEqual(run.snapshots.map((s) => s.label), ['first', 'second', null]);
    const node = { kind: 'snapshot', run, snapshot: run.snapshots[2] };
    // Two selected in the view are too few for leaks: said, not replaced by another choice.
    const nodes = run.snapshots.map((snapshot) => ({ kind: 'snapshot', run, snapshot }));
    const two = await vscode.commands.executeCommand<LeaksOutcome>('memlens.findLeaks', nodes[0], nodes.slice(0, 2));
    assert.strictEqual(two.ok, false);
    assert.match(two.message, /select three or more snapshots to look for leaks \(2 selected\)/);
    assert.ok(await vscode.commands.executeCommand('memlens.renameSnapshot', node, 'third'));
    assert.strictEqual(JSON.parse(fs.readFileSync(third.path, 'utf8')).label, 'third');

    // Stopping ends the run; the comparison stays on screen until ended, with the exit snapshot listed last.
    await vscode.commands.executeCommand('memlens.stop');
    const outcome = await profiled;
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    assert.ok(memlens.comparison, 'the comparison is still shown after the run');
    const after = (await memlens.listSnapshots()).find((r) => r.dir === runDir)!;
    assert.deepStrictEqual(after.snapshots.map((s) => s.kind), ['snapshot', 'snapshot', 'snapshot', 'exit']);
    // A line inserted above moves the growth down, and ending the comparison keeps it there.
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())!;
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# a line added after the run\n'));
    await waitFor('the growth one line lower', () => memlens.annotations(uri),
      (a) => a.some((x) => x.line === LEAK_LINE + 1 && x.runLine === LEAK_LINE && x.text.startsWith('≈ +')));
    await vscode.commands.executeCommand('memlens.clearComparison');
    assert.strictEqual(memlens.comparison, undefined);
    await waitFor('sizes again on the leaking line, still one line lower', () => memlens.annotations(uri),
      (a) => a.some((x) => x.line === LEAK_LINE + 1 && /^≈ \d+\.\d MiB · \d+ samples$/.test(x.text)));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('Take Snapshot with no run says how to start one', async () => {
    const outcome = await take('x');
    assert.strictEqual(outcome.ok, false);
    assert.match(outcome.ok ? '' : outcome.error, /no program is being profiled/);
  });
});
