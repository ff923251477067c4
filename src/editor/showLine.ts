/**
 * `memlens.showLine`: opens a file at a line of the run (moved with any edits since), selects it
 * and, when asked, opens its hover. CodeLenses, hover links and the hottest-lines list use it.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import * as notify from '../notify/notify';

/** Arguments of `memlens.showLine` (a plain object, so command URIs can carry it as JSON). */
export interface ShowLineArgs {
  /** Absolute path, as in the model. */
  file: string;
  /** 1-based line in the run. */
  line: number;
  /** Open the line's hover once shown. */
  hover?: boolean;
}

/**
 * Shows the line; resolves with the editor, or undefined when the file cannot be opened. `column`
 * is the editor group to open it in (the memory panel passes one other than its own); default:
 * the active group.
 */
export async function showLine(
  ctx: Ctx,
  args: ShowLineArgs | undefined,
  column?: vscode.ViewColumn,
): Promise<vscode.TextEditor | undefined> {
  if (!args || typeof args.file !== 'string' || typeof args.line !== 'number') return undefined;
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.file(args.file));
  } catch (err) {
    void notify.warn(`MemLens: cannot open ${args.file}: ${(err as Error).message}`);
    return undefined;
  }
  const at = ctx.lines.current(args.file, args.line);
  const line = Math.min(Math.max((at?.line ?? args.line) - 1, 0), doc.lineCount - 1);
  const text = doc.lineAt(line);
  const start = new vscode.Position(line, text.firstNonWhitespaceCharacterIndex);
  const editor = await vscode.window.showTextDocument(doc, {
    selection: new vscode.Range(start, start),
    preserveFocus: false,
    viewColumn: column,
  });
  editor.revealRange(text.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  if (args.hover) {
    await vscode.commands.executeCommand('editor.action.showHover');
  }
  return editor;
}

/** A `command:` URI that runs `memlens.showLine` with `args`, for trusted hover markdown. */
export function showLineUri(args: ShowLineArgs): string {
  return `command:memlens.showLine?${encodeURIComponent(JSON.stringify([args]))}`;
}
