/**
 * `MemLens: Show Hottest Lines`: a quick pick of the lines holding the most memory across all
 * files, in the current view; the label is the size, the description `file:line`, the detail the
 * line's source text. Accepting one opens it at that line.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { formatLineSummary } from '../model/format';
import { hottestLines } from '../model/model';
import * as notify from '../notify/notify';
import { displayPath } from './paths';
import { showLine } from './showLine';

/** How many lines the list offers. */
const LIMIT = 50;

export interface HottestLineItem extends vscode.QuickPickItem {
  file: string;
  line: number;
}

/** The list's items for the current model and view (empty without results). */
export async function hottestLineItems(ctx: Ctx): Promise<HottestLineItem[]> {
  const model = ctx.model;
  if (!model) return [];
  const view = ctx.view;
  const rows = hottestLines(model, view, LIMIT);
  const texts = new Map<string, string[] | undefined>();
  const items: HottestLineItem[] = [];
  for (const row of rows) {
    if (!texts.has(row.file)) texts.set(row.file, await sourceLines(row.file));
    const figures = row[view]!;
    const at = ctx.lines.current(row.file, row.line);
    const line = at?.line ?? row.line;
    const source = at ? texts.get(row.file)?.[line - 1]?.trim() : undefined;
    items.push({
      label: `$(flame) ${formatLineSummary(figures.bytes, figures.blocks, model.estimated ? figures : undefined)}`,
      description: `${displayPath(row.file)}:${line}${at?.stale ? ' (edited)' : at ? '' : ' (deleted)'}`,
      detail: source || undefined,
      file: row.file,
      line: row.line,
    });
  }
  return items;
}

/** Shows the list; resolves with the line opened, if any. */
export async function showHottestLines(ctx: Ctx): Promise<{ file: string; line: number } | undefined> {
  if (!ctx.model) {
    void notify.info('MemLens: no results yet. Profile a program or open a snapshot first.');
    return undefined;
  }
  const items = await hottestLineItems(ctx);
  const picked = await vscode.window.showQuickPick(items, {
    title: `MemLens: hottest lines (${ctx.view === 'exit' ? 'live at exit' : 'at peak'})`,
    placeHolder: 'Type to filter by file or source text; Enter opens the line',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  await showLine(ctx, { file: picked.file, line: picked.line });
  return { file: picked.file, line: picked.line };
}

/** The file's lines: from an open document (edits included), else from disk; undefined if unreadable. */
async function sourceLines(file: string): Promise<string[] | undefined> {
  const uri = vscode.Uri.file(file);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText().split(/\r\n|\r|\n/);
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).split(/\r\n|\r|\n/);
  } catch {
    return undefined;
  }
}
