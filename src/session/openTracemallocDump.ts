/**
 * `MemLens: Open tracemalloc Snapshot…`: shows a file written by `tracemalloc.Snapshot.dump()`.
 * A dump is a Python pickle, and loading a pickle can run code, so the user confirms the file is
 * trusted first, the workspace must be trusted, and the file is loaded only by the helper's
 * importer in a separate Python process (`run/tracemallocImport.ts`), which accepts tracemalloc's
 * classes alone. The converted document is kept under the extension's storage in
 * `imports/<YYYYMMDD-HHMMSS>-<dump name>.json` and shown like any snapshot.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { formatBytes, formatCount } from '../model/format';
import { loadSnapshotFile, SnapshotError } from '../model/load';
import { buildModel } from '../model/model';
import type { MemModel } from '../model/types';
import * as notify from '../notify/notify';
import { helperDirFor } from '../run/helperEnv';
import { checkInterpreter, InterpreterError } from '../run/interpreter';
import { importTracemallocDump } from '../run/tracemallocImport';
import { interpreterFor } from './editorInterpreter';
import { OPEN_PANEL } from './profile';

/** The modal warning shown before a dump is loaded. */
export const TRUST_WARNING =
  'Only open tracemalloc files you trust: they are Python pickles, which can run code when loaded. ' +
  "MemLens loads it in a separate Python process that only accepts tracemalloc's classes.";

/** The button of that warning that goes on. */
export const OPEN = 'Open';

/** The sentence shown when the workspace is not trusted. */
export const UNTRUSTED_IMPORT_MESSAGE =
  'MemLens: opening a tracemalloc snapshot loads a Python pickle, which can run code, so it is turned ' +
  'off in Restricted Mode. Trust this workspace to open it.';

/** What the command ended with; returned to callers (tests, other extensions). */
export interface ImportOutcome {
  ok: boolean;
  /** The sentence shown to the user, or `cancelled`. */
  message: string;
  /** The converted snapshot document, when one was shown. */
  snapshotPath?: string;
}

/** Options the palette does not pass; tests do. */
export interface ImportCommandOptions {
  /** The user already said the file is trusted: no modal warning. */
  confirmed?: boolean;
}

/** Runs the command on `uri`, else on a file the user picks. */
export async function openTracemallocSnapshot(ctx: Ctx, uri?: vscode.Uri, options: ImportCommandOptions = {}): Promise<ImportOutcome> {
  const fail = (message: string, actions: Record<string, () => unknown> = {}): ImportOutcome => {
    ctx.log.error(message);
    void notify.error(message, ...Object.keys(actions)).then((pick) => {
      if (pick !== undefined) void actions[pick]();
    });
    return { ok: false, message };
  };
  const cancelled: ImportOutcome = { ok: false, message: 'cancelled' };

  if (!vscode.workspace.isTrusted) {
    return fail(UNTRUSTED_IMPORT_MESSAGE, { 'Manage Workspace Trust': () => vscode.commands.executeCommand('workbench.trust.manage') });
  }
  if (!(uri instanceof vscode.Uri)) {
    const picked = await vscode.window.showOpenDialog({ title: 'MemLens: Open tracemalloc Snapshot', canSelectMany: false });
    if (!picked || picked.length === 0) return cancelled;
    uri = picked[0];
  }
  // The importer is a local process: it reads a path, not a VS Code file system.
  if (uri.scheme !== 'file') return fail(`MemLens: ${uri.toString()} is not a file on this machine, so it cannot be opened as a tracemalloc snapshot.`);
  const dump = uri.fsPath;
  if (!options.confirmed) {
    const pick = await notify.askModal(TRUST_WARNING, dump, OPEN);
    if (pick !== OPEN) return cancelled;
  }

  let python: string;
  try {
    const chosen = await interpreterFor(uri);
    await checkInterpreter(chosen.path);
    python = chosen.path;
  } catch (err) {
    if (!(err instanceof InterpreterError)) throw err;
    return fail(`MemLens: ${err.message}`, {
      'Open Settings': () => vscode.commands.executeCommand('workbench.action.openSettings', 'memlens.pythonPath'),
    });
  }

  const out = await importPath(ctx, dump);
  const folders = vscode.workspace.workspaceFolders?.filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath) ?? [];
  ctx.log.info(`importing the tracemalloc dump ${dump} with ${python} into ${out}`);
  const result = await notify.withProgress(
    `MemLens: opening ${path.basename(dump)}`,
    true,
    (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return importTracemallocDump({
        python,
        helperDir: helperDirFor(ctx.extension.extensionPath),
        dump,
        out,
        roots: folders.length > 0 ? folders : [path.dirname(dump)],
        env: process.env,
        signal: abort.signal,
      });
    },
  );
  if (!result.ok) {
    // Nothing was written in the place reserved for it.
    await fs.rm(out, { force: true });
    if (result.cancelled) {
      ctx.log.info(result.message);
      return cancelled;
    }
    return fail(`MemLens: ${result.message}`);
  }

  let model: MemModel;
  try {
    model = buildModel(await loadSnapshotFile(out));
  } catch (err) {
    if (!(err instanceof SnapshotError)) throw err;
    return fail(`MemLens: ${err.message}`);
  }
  ctx.setModel(model, { snapshotPath: out });
  const t = model.totals;
  const message =
    `MemLens: showing the tracemalloc snapshot ${path.basename(dump)}: ${formatBytes(t.tracedCurrent)} ` +
    `in ${formatCount(t.blocks)} blocks.`;
  ctx.log.info(message);
  void notify.info(message, OPEN_PANEL).then((pick) => {
    if (pick === OPEN_PANEL) void vscode.commands.executeCommand('memlens.openPanel');
  });
  return { ok: true, message, snapshotPath: out };
}

/** A new file `imports/<YYYYMMDD-HHMMSS>-<dump name>.json` under the extension's storage. */
async function importPath(ctx: Ctx, dump: string): Promise<string> {
  const storage = ctx.extension.storageUri ?? ctx.extension.globalStorageUri;
  const dir = path.join(storage.fsPath, 'imports');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const d = new Date();
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p2(d.getMonth() + 1)}${p2(d.getDate())}-${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}`;
  const base = path.join(dir, `${stamp}-${path.basename(dump)}`);
  for (let i = 1; ; i++) {
    const file = `${i === 1 ? base : `${base}-${i}`}.json`;
    try {
      // Reserved now, so two imports in one second cannot share a file; the importer replaces it.
      await (await fs.open(file, 'wx', 0o600)).close();
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
