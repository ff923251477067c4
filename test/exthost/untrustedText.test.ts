// Hostile text never becomes a link in what MemLens shows. VS Code turns
// `[label](command:…)` in a notification's text into a link that runs the command, and MemLens
// quotes snapshot labels, paths, working folders, a program's exception and the tracemalloc
// importer's refusal in its notifications. These tests load snapshots whose label, file paths,
// working folder and type names carry such a link through Open Snapshot, Compare and Find Leaks,
// profile a program whose exception message carries one, and open a pickle naming one; they catch
// every message, detail, progress title and progress message on its way into VS Code (by
// replacing `vscode.window`'s functions for the test) and assert that none holds a link by VS
// Code's own pattern. The hovers over such a snapshot may hold only MemLens's own command links.
// The file sorts after panel.test.ts on purpose: a comparison stays in the memory panel for the
// rest of the session, and that test needs a panel with nothing to show.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CompareOutcome } from '../../src/snapshots/compareCommands';
import type { LeaksOutcome } from '../../src/snapshots/leaksCommand';
import type { ProfileOutcome } from '../../src/session/profile';
import type { ImportOutcome } from '../../src/session/openTracemallocDump';
import { VSCODE_LINK } from '../unit/vscodeLink';
import { api, hoverTexts, waitFor, workspaceDir } from './util';

/** One click would type `echo pwned` into a terminal and run it. */
const HOSTILE = '[x](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22echo%20pwned%5Cn%22%7D)';
const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');
/** The folder the leak fixtures were made in (test/fixtures/README.md). */
const MADE_IN = '/tmp/memlens-leak-ws';

/** A text shown to the user, and where it went. */
interface Shown {
  via: string;
  text: string;
}

/**
 * Replaces the window's message and progress functions with ones that record their text and then
 * call VS Code's own; `restore()` puts them back. Modal questions get `answer` without a dialog.
 */
function watchWindow(answer?: string): { shown: Shown[]; restore: () => void } {
  const w = vscode.window as unknown as Record<string, (...args: any[]) => any>;
  const shown: Shown[] = [];
  const saved = new Map<string, (...args: any[]) => any>();
  for (const name of ['showInformationMessage', 'showWarningMessage', 'showErrorMessage']) {
    const original = w[name];
    saved.set(name, original);
    w[name] = (message: string, ...rest: any[]) => {
      shown.push({ via: name, text: message });
      const options = typeof rest[0] === 'object' && rest[0] !== null && !('title' in rest[0]) ? rest[0] : undefined;
      if (options?.detail !== undefined) shown.push({ via: `${name} detail`, text: options.detail });
      if (options?.modal) return Promise.resolve(answer);
      return original.call(vscode.window, message, ...rest);
    };
  }
  const withProgress = w.withProgress;
  saved.set('withProgress', withProgress);
  w.withProgress = (options: vscode.ProgressOptions, task: (p: vscode.Progress<{ message?: string }>, t: vscode.CancellationToken) => any) => {
    if (options.title !== undefined) shown.push({ via: 'withProgress title', text: options.title });
    return withProgress.call(vscode.window, options, (progress: vscode.Progress<{ message?: string }>, token: vscode.CancellationToken) =>
      task({
        report: (v) => {
          if (v.message !== undefined) shown.push({ via: 'progress message', text: v.message });
          progress.report(v);
        },
      }, token));
  };
  for (const [name, original] of saved) assert.notStrictEqual(w[name], original, `vscode.window.${name} can be watched`);
  return { shown, restore: () => saved.forEach((original, name) => (w[name] = original)) };
}

/** The texts that VS Code would render with a link in them. */
function linked(shown: Shown[]): Shown[] {
  return shown.filter((s) => VSCODE_LINK().test(s.text));
}

/**
 * Writes the leak fixtures' rounds 1–3 as snapshots of a hostile run: its folder, file paths,
 * working folder, labels and type names carry the link.
 */
function writeHostileRun(root: string): { dir: string; files: string[]; elsewhere: string; source: string } {
  const dir = path.join(root, `20991231-235959-${HOSTILE}.py`);
  fs.mkdirSync(dir, { recursive: true });
  const ws = path.join(root, HOSTILE);
  const files = [1, 2, 3].map((n) => {
    const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'leak', `round${n}.json`), 'utf8').split(MADE_IN).join(ws));
    doc.label = `${HOSTILE} round ${n}`;
    doc.census.types.forEach((t: { type: string }, i: number) => (t.type = `${HOSTILE}${i}`));
    const file = path.join(dir, `snapshot-${n}.json`);
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  });
  // The last round again, run in another working folder: Compare warns about it, quoting both.
  const moved = JSON.parse(fs.readFileSync(files[2], 'utf8'));
  moved.program.cwd = `${ws}/${HOSTILE}`;
  const elsewhere = path.join(dir, 'snapshot-4.json');
  fs.writeFileSync(elsewhere, JSON.stringify(moved));
  return { dir, files, elsewhere, source: path.join(ws, 'leaky.py') };
}

suite('hostile text: no link in any message', function () {
  this.timeout(90_000);
  let tmp: string;
  let run: ReturnType<typeof writeHostileRun>;

  suiteSetup(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'memlens-hostile-')));
    run = writeHostileRun(tmp);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('Open Snapshot, Compare and Find Leaks over a hostile snapshot show no link', async () => {
    const watch = watchWindow();
    try {
      const opened = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('memlens.openSnapshot', vscode.Uri.file(run.files[0]));
      assert.ok(opened.ok, opened.message);
      // A file that is not a snapshot, named with the link: the refusal quotes its path.
      const broken = path.join(run.dir, `${HOSTILE}.json`);
      fs.writeFileSync(broken, '{"format": "memlens.snapshot", "version": 1, "kind"');
      const refused = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('memlens.openSnapshot', vscode.Uri.file(broken));
      assert.strictEqual(refused.ok, false);

      const compared = await vscode.commands.executeCommand<CompareOutcome>('memlens.compareSnapshots', run.files[0], run.elsewhere);
      assert.ok(compared.ok, compared.message);
      assert.ok(compared.warnings.some((w) => w.includes(HOSTILE)), `a warning quotes the working folder: ${compared.warnings.join(' ')}`);
      assert.ok(compared.message.includes(HOSTILE), `the outcome quotes the label and path as they are: ${compared.message}`);

      const leaks = await vscode.commands.executeCommand<LeaksOutcome>('memlens.findLeaks', run.files);
      assert.ok(leaks.ok && leaks.report?.ok, leaks.message);
      assert.ok(leaks.message.includes(HOSTILE), `the leak sentence names the hostile file: ${leaks.message}`);

      // Every sentence reached VS Code whole, hostile text included, with only its links broken.
      const texts = watch.shown.map((s) => s.text).join('\n');
      const restored = texts.replace(/\] \(/g, '](');
      for (const sentence of [refused.message, ...compared.warnings, compared.message, leaks.message]) {
        assert.ok(restored.includes(sentence), `shown: ${sentence}\nin: ${texts}`);
      }
      assert.ok(texts.includes('[x] (command:workbench.action.terminal.sendSequence'), texts);
      assert.deepStrictEqual(linked(watch.shown), [], 'no message holds a link');
    } finally {
      watch.restore();
    }
  });

  test("a command's error quoting a hostile path reaches VS Code without a link", async () => {
    // Export of a listed snapshot that has since become unreadable: the command fails, and VS
    // Code would show its error, as linked text, in a notification.
    const gone = path.join(run.dir, 'snapshot-9.json');
    fs.writeFileSync(gone, '{"format": "memlens.snapshot"');
    const folder = { dir: run.dir, name: path.basename(run.dir), snapshots: [], problems: [] };
    const node = { kind: 'snapshot', run: folder, snapshot: { path: gone, label: null, kind: 'snapshot', sequence: 9 } };
    let failure: unknown;
    try {
      await vscode.commands.executeCommand('memlens.exportSnapshot', node, vscode.Uri.file(path.join(tmp, 'out.json')));
    } catch (err) {
      failure = err;
    } finally {
      fs.rmSync(gone, { force: true });
    }
    assert.ok(failure instanceof Error, 'the export failed');
    assert.ok(failure.message.includes('[x] (command:workbench.action.terminal.sendSequence'), failure.message);
    assert.ok(!VSCODE_LINK().test(failure.message), failure.message);
  });

  test('hovers over a hostile comparison hold only links to MemLens: showLine', async () => {
    const memlens = await api();
    const compared = await vscode.commands.executeCommand<CompareOutcome>('memlens.compareSnapshots', run.files[0], run.files[2]);
    assert.ok(compared.ok, compared.message);
    const file = memlens.comparison?.diff.lines[0];
    assert.ok(file && file.file === run.source, `the hostile file grew most: ${file?.file}`);
    // The file does not exist: the hover is read from the provider through a document at its path.
    fs.mkdirSync(path.dirname(run.source), { recursive: true });
    fs.writeFileSync(run.source, fs.readFileSync(path.join(FIXTURES, 'leak', 'leaky.py')));
    const md = (await hoverTexts(vscode.Uri.file(run.source), file.line)).join('\n');
    assert.ok(md.includes('round 1'), `the hover names the baseline: ${md}`);
    // Every `](` not escaped by markdown opens a link; only MemLens's own command may follow.
    const targets = [...md.matchAll(/(?<!\\)\]\(([^)\s]*)/g)].map((m) => m[1]);
    assert.ok(targets.length > 0, 'the call paths are links');
    assert.deepStrictEqual(targets.filter((t) => !t.startsWith('command:memlens.showLine?')), [], md);
    await vscode.commands.executeCommand('memlens.clearComparison');
  });

  test("a program's exception message with a link shows no link", async () => {
    const script = path.join(workspaceDir(), 'hostile_error.py');
    fs.writeFileSync(script, `KEPT = bytes(1024 * 1024)\nraise ValueError(${JSON.stringify(HOSTILE)})\n`);
    const watch = watchWindow();
    try {
      const outcome = await vscode.commands.executeCommand<ProfileOutcome>('memlens.profile', vscode.Uri.file(script));
      assert.strictEqual(outcome.result, 'shown', outcome.message);
      assert.ok(outcome.message.includes(`ValueError: ${HOSTILE}`), outcome.message);
      const said = watch.shown.find((s) => s.text.includes('ValueError'));
      assert.ok(said, `the exception was said: ${JSON.stringify(watch.shown)}`);
      assert.ok(said.text.includes('[x] (command:'), said.text);
      assert.deepStrictEqual(linked(watch.shown), [], 'no message holds a link');
    } finally {
      watch.restore();
      fs.rmSync(script, { force: true });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  test("the tracemalloc importer's refusal quoting a hostile pickle shows no link", async () => {
    const dump = path.join(tmp, 'evil.tracemalloc');
    // PROTO 2, then GLOBAL naming a module and an attribute as plain lines: refused by name.
    fs.writeFileSync(dump, Buffer.concat([Buffer.from([0x80, 2]), Buffer.from('c[x](command:workbench.action.terminal.new)\nrun\n)R.')]));
    const watch = watchWindow();
    try {
      const res = await vscode.commands.executeCommand<ImportOutcome>('memlens.openTracemallocSnapshot', vscode.Uri.file(dump), undefined, { confirmed: true });
      assert.strictEqual(res.ok, false);
      assert.ok(res.message.includes('[x](command:workbench.action.terminal.new).run'), res.message);
      await waitFor('the refusal shown', () => watch.shown.some((s) => s.text.includes('terminal.new')), (v) => v);
      assert.deepStrictEqual(linked(watch.shown), [], 'no message holds a link');
    } finally {
      watch.restore();
    }
  });
});
