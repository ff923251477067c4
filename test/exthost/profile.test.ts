// `MemLens: Profile Memory` end to end in the extension host: the real helper runs the sample
// programs in a VS Code terminal with `memlens.pythonPath` set to the python3 on PATH (the harness
// writes it into the user settings; the Python extension cannot be installed offline), and the
// tests check the run folder, the drawn results against the bytes each program allocates, input
// typed into the terminal, the program's end (exception, exit status, stop), a path with spaces
// and non-ASCII characters, saving before the run, and a missing interpreter.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ProfileOutcome } from '../../src/session/profile';
import { alive, childrenOf } from './processes';
import { api, codeLenses, hoverTexts, MiB, openSample, sampleUri, waitFor, workspaceDir } from './util';

/** Runs the profile command on a sample file and waits for the run to end. */
function profile(uri: vscode.Uri, options?: object): Thenable<ProfileOutcome> {
  return vscode.commands.executeCommand<ProfileOutcome>('memlens.profile', uri, undefined, options);
}

/** The figures drawn on `line`: [bytes parsed back from the text, the text]. */
async function annotationOn(uri: vscode.Uri, line: number): Promise<string> {
  const memlens = await api();
  const drawn = await waitFor(`an annotation on line ${line}`, () => memlens.annotations(uri), (a) => a.some((x) => x.line === line));
  return drawn.find((x) => x.line === line)!.text;
}

/** Bytes of a run line in the current model, at exit. */
/** Runs `body` with the user setting `memlens.<key>` set to `value`, then puts it back. */
async function withSetting<T>(key: string, value: unknown, body: () => Thenable<T>): Promise<T> {
  const settings = vscode.workspace.getConfiguration('memlens');
  const saved = settings.inspect(key)?.globalValue;
  await settings.update(key, value, vscode.ConfigurationTarget.Global);
  try {
    return await body();
  } finally {
    await settings.update(key, saved, vscode.ConfigurationTarget.Global);
  }
}

async function exitBytes(file: vscode.Uri, line: number): Promise<number> {
  const model = (await api()).model;
  assert.ok(model, 'results are shown');
  const f = model.files.get(fs.realpathSync(file.fsPath));
  assert.ok(f, `${file.fsPath} is in the results; files: ${[...model.files.keys()].join(', ')}`);
  return f.lines.get(line)?.exit?.bytes ?? 0;
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= expected * tolerance, `${what}: ${actual} bytes, expected ${expected} ± ${tolerance * 100} %`);
}

suite('profiling a real program in a terminal', function () {
  this.timeout(90_000);

  setup(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('memlens.clearAnnotations');
  });

  test('sample.py: run folder, 40 MiB on line 8, lens above build(), hover with the call path', async () => {
    const sample = sampleUri('sample.py');
    await openSample('sample.py');
    const memlens = await api();
    let terminalPid: number | undefined;
    let programPid: number | undefined;
    let terminal: vscode.Terminal | undefined;
    const sawRun = memlens.onDidChangeRun(async () => {
      const run = memlens.run;
      if (!run) return;
      terminal = run.terminal;
      terminalPid = await run.terminal.processId;
      await run.ended;
      programPid = run.pid;
    });
    const outcome = await profile(sample);
    sawRun.dispose();
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    // The default mode is fast: figures are estimates from samples, marked ≈.
    assert.match(outcome.message, /^MemLens: profiled sample\.py: ≈ [\d.]+ MiB live at exit, peak ≈ [\d.]+ MiB\.$/);

    // runs/<YYYYMMDD-HHMMSS>-sample.py/snapshot.json under the extension's storage, exit status patched in.
    assert.match(outcome.runDir!, /[/\\]runs[/\\]\d{8}-\d{6}-sample\.py$/);
    const doc = JSON.parse(fs.readFileSync(outcome.snapshotPath!, 'utf8'));
    assert.strictEqual(doc.program.exitCode, 0);
    assert.deepStrictEqual([doc.settings.mode, doc.settings.sampleInterval], ['fast', 8192]);
    // The program ran as a child of the terminal's launcher, which keeps the terminal (and the
    // program's output) open after the program has ended.
    assert.strictEqual(doc.program.pid, programPid, 'the helper reported the program\'s pid');
    assert.notStrictEqual(doc.program.pid, terminalPid);
    assert.ok(terminal && terminal.exitStatus === undefined, 'the terminal is still open');

    near(await exitBytes(sample, 8), 40 * MiB, 0.05, 'line 8');
    // A 40 MiB buffer is always sampled, at its own size.
    assert.match(await annotationOn(sample, 8), /^≈ 40\.\d MiB · 1 sample$/);
    assert.ok((await exitBytes(sample, 10)) > 1 * MiB, 'the small strings of line 10 add up');
    assert.ok((await exitBytes(sample, 12)) > 1 * MiB, 'json.loads reaches the user line 12');

    const lenses = await codeLenses(sample);
    const build = lenses.find((l) => l.line === 7);
    assert.ok(build, `a lens above build(); lenses: ${JSON.stringify(lenses)}`);
    assert.match(build.title, /^MemLens: ≈ 4\d\.\d MiB at exit · ≈ 4\d\.\d MiB at peak$/);

    const hover = (await hoverTexts(sample, 8)).join('\n');
    // Markdown escapes punctuation: the figures are read as the user sees them.
    assert.match(hover.replace(/\\(.)/g, '$1'), /live at exit: \*\*≈ 40\.\d MiB\*\* estimated from 1 sample, one per 8 KiB allocated on average/);
    const frames = [...hover.matchAll(/\[([^\]]+)\]\(command:memlens\.showLine/g)].map((m) => m[1].replace(/\\/g, ''));
    assert.deepStrictEqual(frames.slice(0, 3), ['sample.py:8', 'sample.py:23', 'sample.py:28'], 'innermost first');
  });

  test('ask.py: the program reads input typed into its terminal', async () => {
    const ask = sampleUri('ask.py');
    const memlens = await api();
    const running = profile(ask);
    const run = await waitFor('the run to start', () => memlens.run, (r) => r !== undefined && r.started);
    run!.terminal.sendText('abcde'); // sendText adds the Enter
    const outcome = await running;
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    near(await exitBytes(ask, 4), 5 * MiB, 0.05, 'one MiB per character typed');
  });

  test('fails.py: results for what ran, and the exception with its place and the exit status', async () => {
    const fails = sampleUri('fails.py');
    const outcome = await profile(fails);
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    assert.match(outcome.message, /the program ended with ZeroDivisionError: division by zero at fails\.py:7 \(exit status 1\)/);
    near(await exitBytes(fails, 3), 6 * MiB, 0.05, 'line 3');
  });

  test('exits.py: a nonzero exit status is reported with the results', async () => {
    const exits = sampleUri('exits.py');
    const outcome = await profile(exits);
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    assert.match(outcome.message, /exits\.py exited with status 3/);
    assert.strictEqual(JSON.parse(fs.readFileSync(outcome.snapshotPath!, 'utf8')).program.exitCode, 3);
    near(await exitBytes(exits, 4), 2 * MiB, 0.05, 'line 4');
  });

  test('a file in a folder whose name has a space and non-ASCII characters', async () => {
    const file = sampleUri('dossier spécial é', 'données é.py');
    await vscode.window.showTextDocument(file);
    const outcome = await profile(file);
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    near(await exitBytes(file, 3), 8 * MiB, 0.05, 'line 3');
    assert.match(await annotationOn(file, 3), /^≈ 8\.0 MiB · 1 sample$/);
  });

  test('stop: SIGINT ends a running program and what it held is shown', async () => {
    const slow = sampleUri('slow.py');
    const memlens = await api();
    const running = profile(slow, { graceSeconds: 3 });
    await waitFor('live figures from the helper', () => memlens.run?.live, (l) => l !== undefined && l.tracedCurrent > 12 * MiB);
    assert.strictEqual(await vscode.commands.executeCommand('memlens.stop'), true);
    const outcome = await running;
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    assert.ok(outcome.end?.stopped, 'the run knows it was stopped');
    assert.match(outcome.message, /slow\.py was stopped \(SIGINT\)/);
    near(await exitBytes(slow, 4), 12 * MiB, 0.05, 'line 4');
    assert.strictEqual(memlens.run, undefined, 'no run in progress afterwards');
  });

  test('edits made while the program runs move its annotations: inserted lines shift, an edited line is stale', async () => {
    const file = path.join(workspaceDir(), 'edited-while-running.py');
    fs.writeFileSync(file, fs.readFileSync(sampleUri('slow.py').fsPath, 'utf8'));
    const uri = vscode.Uri.file(file);
    const editor = await vscode.window.showTextDocument(uri);
    const memlens = await api();
    const running = profile(uri, { graceSeconds: 3 });
    await waitFor('live figures from the helper', () => memlens.run?.live, (l) => l !== undefined && l.tracedCurrent > 12 * MiB);
    // Two lines above the 12 MiB line (line 4), and a change on the loop's line (line 6).
    await editor.edit((e) => {
      e.insert(new vscode.Position(1, 0), '# added while it ran\n# and another\n');
      e.insert(new vscode.Position(5, 4), 'pass; ');
    });
    await vscode.commands.executeCommand('memlens.stop');
    const outcome = await running;
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    const drawn = memlens.annotations(uri);
    const big = drawn.find((a) => a.runLine === 4);
    assert.ok(big, JSON.stringify(drawn));
    assert.strictEqual(big.line, 6, 'the 12 MiB line of the run is line 6 now');
    assert.match(big.text, /^≈ 12\.0 MiB/);
    assert.strictEqual(big.stale, false);
    const loop = drawn.find((a) => a.runLine === 6);
    assert.ok(loop && loop.line === 8 && loop.stale, JSON.stringify(loop));
    await editor.document.save();
  });

  test('stop: a program that ignores SIGINT and SIGTERM is killed, and the user is told there is no snapshot', async () => {
    const memlens = await api();
    const running = profile(sampleUri('stubborn.py'), { graceSeconds: 1 });
    await waitFor('live figures from the helper', () => memlens.run?.live, (l) => l !== undefined && l.tracedCurrent > 4 * MiB);
    const started = Date.now();
    await vscode.commands.executeCommand('memlens.stop');
    const outcome = await running;
    assert.strictEqual(outcome.result, 'failed', outcome.message);
    assert.strictEqual(outcome.end?.signal, 'SIGKILL');
    assert.ok(Date.now() - started >= 2000, 'SIGINT and SIGTERM each had their grace period first');
    assert.match(outcome.message, /stubborn\.py was killed \(SIGKILL\) before it could write its snapshot/);
    assert.strictEqual(memlens.model, undefined, 'nothing is shown');
  });

  test('stop: a big heap whose exit snapshot outlasts the grace period still gets its results', async () => {
    const memlens = await api();
    // A 0.5 s grace: the exit snapshot of 2.5 million blocks takes longer, so without waiting for
    // the helper's `finished` the next signal would cost it.
    const running = profile(sampleUri('big_heap.py'), { graceSeconds: 0.5 });
    const ready = path.join(workspaceDir(), 'big_heap.ready');
    fs.rmSync(ready, { force: true });
    await waitFor('the heap built', () => fs.existsSync(ready), (built) => built, 60_000);
    fs.rmSync(ready);
    await vscode.commands.executeCommand('memlens.stop');
    const outcome = await running;
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    // Python ends an uncaught KeyboardInterrupt with SIGINT itself; SIGTERM or SIGKILL would be ours.
    assert.strictEqual(outcome.end?.signal, 'SIGINT', `ended by ${outcome.end?.signal}`);
    assert.match(outcome.message, /big_heap\.py was stopped/);
    assert.ok(memlens.model, 'the results are shown');
    // How long the helper took is the file's own record; no view reads it, so the model leaves it out.
    const doc = JSON.parse(fs.readFileSync(outcome.snapshotPath!, 'utf8')) as { processingSeconds: number };
    assert.ok(doc.processingSeconds > 0.5, `the exit snapshot took ${doc.processingSeconds} s, longer than the grace`);
  });

  test('closing the terminal while the program runs: the program and its helper children end; a message says why', async () => {
    const memlens = await api();
    // The exact mode, whose peak view is a child process of the program's.
    const running = withSetting('mode', 'exact', () => profile(sampleUri('slow.py')));
    const run = await waitFor('the run to start', () => memlens.run, (r) => r !== undefined && r.started && r.pid !== undefined);
    // slow.py's 12 MiB make the helper hold a peak capture: a child of the program.
    const pid = run!.pid!;
    const helpers = await waitFor("the helper's peak child", () => childrenOf(pid), (c) => c.length > 0);
    run!.terminal.dispose();
    const outcome = await running;
    await waitFor('the program and its helper children to end', () => [pid, ...helpers].filter(alive), (left) => left.length === 0, 10_000);
    assert.ok(outcome.end?.closedByUser, JSON.stringify(outcome.end));
    if (outcome.result === 'failed') {
      assert.match(outcome.message, /the terminal of slow\.py was closed before the program finished/);
    } else {
      // A helper that writes its snapshot on SIGHUP leaves results; they must then say how it ended.
      assert.match(outcome.message, /slow\.py was stopped \(SIGHUP\)/);
    }
  });

  test('a modified file is saved before it runs', async () => {
    const file = path.join(workspaceDir(), 'dirty.py');
    fs.writeFileSync(file, 'X = 1\n');
    const uri = vscode.Uri.file(file);
    const editor = await vscode.window.showTextDocument(uri);
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'KEPT = bytes(7 * 1024 * 1024)\n'));
    assert.ok(editor.document.isDirty);
    const outcome = await profile(uri);
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    assert.strictEqual(editor.document.isDirty, false, 'saved');
    near(await exitBytes(uri, 2), 7 * MiB, 0.05, 'the unsaved line ran');
  });

  test('a missing interpreter is refused in a sentence that names it', async () => {
    const settings = vscode.workspace.getConfiguration('memlens');
    const saved = settings.inspect<string>('pythonPath')?.globalValue;
    await settings.update('pythonPath', '/nonexistent/python3', vscode.ConfigurationTarget.Global);
    try {
      const outcome = await profile(sampleUri('exits.py'));
      assert.strictEqual(outcome.result, 'noInterpreter');
      assert.match(outcome.message, /The Python interpreter \/nonexistent\/python3 was not found/);
    } finally {
      await settings.update('pythonPath', saved, vscode.ConfigurationTarget.Global);
    }
  });
});
