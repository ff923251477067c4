// Runs INSIDE the extension host of a real VS Code (code-server), started by bench/vscode-paint.mjs
// as `extensionTestsPath` (bundled to out/bench/index.js). It opens million.py of the workspace,
// loads million.json with `memlens.openSnapshot` and times what MemLens does, several times.
// Nothing here asserts a time: every figure goes out as a `@@BENCH {json}` line on the console,
// which VS Code forwards to the page and vscode-paint.mjs summarises.
//
// What the renderer shows cannot be read from here, so on-screen times use a handshake with the
// driver: `@@ARM {id, needle, after, present}` asks it to watch the active editor's DOM for the
// row containing `needle` (with an `after` annotation matching `after`, or without one when
// `present` is false); it answers with a file `armed-<id>` once the watcher is in place, and
// later `seen-<id>.json` = { t: Date.now() in the page at the first animation frame where it
// held }. Both clocks are the same machine's wall clock.
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as vscode from 'vscode';
import type { MemLensApi } from '../src/extension';
import { parseSnapshot } from '../src/model/load';
import { buildModel } from '../src/model/model';

const REPEAT = Number(process.env.MEMLENS_BENCH_REPEAT || 3);
const SYNC = process.env.MEMLENS_BENCH_DIR ?? '';
const SCROLL_LINE = 5000;

const emit = (kind: string, data: object): void => console.log(`@@${kind} ${JSON.stringify(data)}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

let rep = 0;
function record(name: string, ms: number | null, extra: object = {}): void {
  emit('BENCH', { rep, name, ms, ...extra });
}

async function waitFile(file: string, ms = 30_000): Promise<string | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      await sleep(5);
    }
  }
  return undefined;
}

let seq = 0;
interface Watch {
  /** Date.now() in the page when the watched state first showed; undefined on time-out. */
  seen(): Promise<number | undefined>;
}

/** Asks the driver to watch the editor's DOM; resolves once it is watching. */
async function arm(needle: string, after: string | null, present: boolean, timeoutMs = 20_000): Promise<Watch> {
  const id = ++seq;
  emit('ARM', { id, needle, after, present, timeoutMs });
  if ((await waitFile(path.join(SYNC, `armed-${id}`))) === undefined) throw new Error(`the driver did not arm watch ${id}`);
  return {
    async seen() {
      const text = await waitFile(path.join(SYNC, `seen-${id}.json`), timeoutMs + 10_000);
      const t = text === undefined ? undefined : (JSON.parse(text) as { t?: number }).t;
      return typeof t === 'number' ? t : undefined;
    },
  };
}

interface Jank {
  /** The longest gap between two animation frames in the window, ms. */
  maxGap: number;
  /** Long tasks (> 50 ms) on the page's main thread in the window: their total and longest, ms. */
  longTotal: number;
  longMax: number;
}

/** Asks the driver to record the renderer's frames for `ms` from now; resolves once recording. */
async function armJank(ms = 1500): Promise<{ result(): Promise<Jank | undefined> }> {
  const id = ++seq;
  emit('ARM', { id, jank: ms });
  if ((await waitFile(path.join(SYNC, `armed-${id}`))) === undefined) throw new Error(`the driver did not arm watch ${id}`);
  return {
    async result() {
      const text = await waitFile(path.join(SYNC, `seen-${id}.json`), ms + 20_000);
      const r = text === undefined ? undefined : (JSON.parse(text) as { t?: Jank }).t;
      return r ?? undefined;
    },
  };
}

function recordJank(name: string, j: Jank | undefined): void {
  record(`${name}.jank`, j?.maxGap ?? null, { longTotal: j?.longTotal, longMax: j?.longMax });
}

/** Waits until the DOM shows (or no longer shows) the state; no timing. */
async function until(needle: string, after: string | null, present: boolean): Promise<boolean> {
  return (await (await arm(needle, after, present)).seen()) !== undefined;
}

/** `[1234 + i`: the part of a generated line that no other line has. */
function needleOf(doc: vscode.TextDocument, line: number): string {
  const m = /\[\d+ \+ i/.exec(doc.lineAt(line - 1).text);
  if (!m) throw new Error(`line ${line} of ${doc.uri.fsPath} is not a generated line`);
  return m[0];
}

async function scrollTop(editor: vscode.TextEditor): Promise<void> {
  editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
  await sleep(50);
}

export async function run(): Promise<void> {
  if (!SYNC) throw new Error('MEMLENS_BENCH_DIR is not set: run bench/vscode-paint.mjs');
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder: vscode-paint.mjs opens the generated one');
  const program = vscode.Uri.file(path.join(folder.uri.fsPath, 'million.py'));
  const snapshot = vscode.Uri.file(path.join(folder.uri.fsPath, 'million.json'));
  const ext = vscode.extensions.getExtension<MemLensApi>('memlens.memlens');
  if (!ext) throw new Error('memlens.memlens is not loaded');
  const memlens = ext.isActive ? ext.exports : await ext.activate();
  emit('INFO', { vscode: vscode.version, exthostNode: process.versions.node, repeat: REPEAT });

  // Open the program; time until its first lines are on screen (VS Code's cost, for scale).
  const doc = await vscode.workspace.openTextDocument(program);
  const first = 4; // the first generated line, visible with the editor at the top
  const firstNeedle = needleOf(doc, first);
  const scrollNeedle = needleOf(doc, SCROLL_LINE);
  let w = await arm(firstNeedle, null, true);
  let t0 = Date.now();
  const editor = await vscode.window.showTextDocument(doc);
  let seen = await w.seen();
  record('open.editor', seen === undefined ? null : seen - t0, { lines: doc.lineCount });
  // Which line is hottest (for the hover) and how many lines get an annotation.
  const expected = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('memlens.openSnapshot', snapshot);
  if (!expected.ok) throw new Error(expected.message);
  const fileModel = [...memlens.model!.files.values()].find((f) => f.path.endsWith(`${path.sep}million.py`));
  if (!fileModel) throw new Error('million.py is not in the snapshot');
  let hottest = 0;
  let hottestBytes = -1;
  for (const l of fileModel.lines.values()) {
    if ((l.exit?.bytes ?? 0) > hottestBytes) [hottest, hottestBytes] = [l.line, l.exit!.bytes];
  }
  emit('INFO', { hottestLine: hottest, modelLines: fileModel.lines.size, drawn: memlens.annotations(program).length });

  for (rep = 1; rep <= REPEAT; rep++) {
    // Start from nothing shown, the editor at the top.
    await scrollTop(editor);
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    if (!(await until(firstNeedle, '.', false))) throw new Error('annotations did not go away after clearing');

    // (a) the command: read + parse + validate + buildModel + setModel (which draws);
    // (b) the API reports the annotations drawn, and the first visible annotated row shows its text.
    recordJank('idle', await (await armJank()).result());
    w = await arm(firstNeedle, 'KiB', true);
    let jank = await armJank();
    t0 = Date.now();
    const p0 = performance.now();
    let commandMs = 0;
    const command = Promise.resolve(
      vscode.commands.executeCommand<{ ok: boolean; message: string }>('memlens.openSnapshot', snapshot),
    ).then((r) => {
      commandMs = performance.now() - p0;
      return r;
    });
    while (memlens.annotations(program).length === 0 && performance.now() - p0 < 60_000) await tick();
    const apiMs = performance.now() - p0;
    const res = await command;
    if (!res.ok) throw new Error(res.message);
    seen = await w.seen();
    record('a.openSnapshot', commandMs);
    // What one full redraw sends to the renderer, about: VS Code's IDecorationOptions as JSON.
    const payload = memlens.annotations(program).reduce((n, a) => n + JSON.stringify({
      range: { startLineNumber: a.line, startColumn: 1, endLineNumber: a.line, endColumn: doc.lineAt(a.line - 1).text.length + 1 },
      renderOptions: { after: { contentText: a.text } },
    }).length + 1, 0);
    record('b.drawn.api', apiMs, { annotations: memlens.annotations(program).length, payloadMB: payload / 1e6 });
    record('b.painted.dom', seen === undefined ? null : seen - t0);
    recordJank('b', await jank.result());

    // The same steps by hand with the extension's own modules (bundled copies), to split (a).
    let q = performance.now();
    const bytes = await vscode.workspace.fs.readFile(snapshot);
    const text = new TextDecoder().decode(bytes);
    record('a1.read+decode', performance.now() - q, { mb: bytes.length / 1e6 });
    q = performance.now();
    JSON.parse(text);
    record('a2.JSON.parse', performance.now() - q);
    q = performance.now();
    const parsed = parseSnapshot(text, snapshot.fsPath);
    record('a3.parse+validate', performance.now() - q);
    q = performance.now();
    buildModel(parsed);
    record('a4.buildModel', performance.now() - q);

    // (c) CodeLens, (d) hover on the hottest line.
    q = performance.now();
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', program);
    record('c.codeLens', performance.now() - q, { lenses: lenses.length });
    q = performance.now();
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider', program, new vscode.Position(hottest - 1, 4));
    record('d.hover', performance.now() - q, { line: hottest, hovers: hovers.length });

    // (e) scroll: reveal line 5000. MemLens sets decorations for the whole file once and does not
    // listen to scrolling, so nothing is re-set: this is VS Code drawing the rows (with their
    // already-set annotations) that come into view.
    w = await arm(scrollNeedle, 'KiB', true);
    const visible = new Promise<number>((resolve) => {
      const sub = vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        if (e.textEditor === editor && e.visibleRanges.some((r) => r.start.line <= SCROLL_LINE - 1 && SCROLL_LINE - 1 <= r.end.line)) {
          sub.dispose();
          resolve(performance.now());
        }
      });
    });
    t0 = Date.now();
    q = performance.now();
    editor.revealRange(new vscode.Range(SCROLL_LINE - 1, 0, SCROLL_LINE - 1, 0), vscode.TextEditorRevealType.InCenter);
    const visibleAt = await Promise.race([visible, sleep(20_000).then(() => undefined)]);
    seen = await w.seen();
    record('e.scroll.visibleRanges', visibleAt === undefined ? null : visibleAt - q);
    record('e.scroll.painted.dom', seen === undefined ? null : seen - t0);
    await scrollTop(editor);

    // (f) a full redraw: toggling the view back to exit runs the same drawAll() that every model,
    // view, settings or edit event runs (the snapshot has no peak lines, so peak draws nothing).
    await vscode.commands.executeCommand('memlens.toggleView');
    await until(firstNeedle, '.', false);
    w = await arm(firstNeedle, 'KiB', true);
    jank = await armJank();
    t0 = Date.now();
    q = performance.now();
    await vscode.commands.executeCommand('memlens.toggleView');
    record('f.redraw.command', performance.now() - q);
    seen = await w.seen();
    record('f.redraw.painted.dom', seen === undefined ? null : seen - t0);
    recordJank('f', await jank.result());

    // (g) a keystroke-sized edit on the first annotated line (` #` at its end): the edit tracker
    // marks it stale and every annotation is drawn again; on screen its text gains
    // "(edited since the run)".
    const before = memlens.annotations(program);
    w = await arm(firstNeedle, 'edited since the run', true);
    jank = await armJank();
    t0 = Date.now();
    q = performance.now();
    await editor.edit((e) => e.insert(doc.lineAt(first - 1).range.end, ' #'));
    const edited = performance.now();
    while (memlens.annotations(program) === before && performance.now() - q < 20_000) await tick();
    record('g.edit.redrawn.api', performance.now() - q, { editResolved: edited - q });
    seen = await w.seen();
    record('g.edit.painted.dom', seen === undefined ? null : seen - t0);
    recordJank('g', await jank.result());
    // Undo by hand (rule 7 of the line tracker makes the line fresh again when its text is back).
    const end = doc.lineAt(first - 1).range.end;
    await editor.edit((e) => e.delete(new vscode.Range(end.translate(0, -2), end)));
    if (!(await until(firstNeedle, 'edited since the run', false))) throw new Error('the line is still marked edited after undoing the edit');
  }

  const profileTo = process.env.MEMLENS_BENCH_PROFILE;
  if (profileTo) {
    // --profile: a CPU profile of the extension host over one more openSnapshot and one edit.
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    const inspector = await import('inspector');
    const session = new inspector.Session();
    session.connect();
    const post = (method: string, params?: object): Promise<any> =>
      new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 50 });
    await post('Profiler.start');
    await vscode.commands.executeCommand('memlens.openSnapshot', snapshot);
    const end = doc.lineAt(first - 1).range.end;
    await editor.edit((e) => e.insert(end, ' #'));
    await editor.edit((e) => e.delete(new vscode.Range(end, end.translate(0, 2))));
    await sleep(200);
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    fs.writeFileSync(profileTo, JSON.stringify(profile));
    emit('PROFILE', { file: profileTo });
  }

  await vscode.commands.executeCommand('memlens.clearAnnotations');
  // Same text as on disk but dirty after the edits: revert, so closing asks nothing.
  if (doc.isDirty) await vscode.commands.executeCommand('workbench.action.files.revert');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  emit('DONE', {});
}
