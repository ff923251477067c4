/**
 * The one way MemLens shows a notification, a modal question or a progress notification. Messages
 * often carry text MemLens does not control (snapshot labels and paths, a program's exception, the
 * importer's sentence quoting a pickle), and VS Code renders `[label](command:…)` in them as a
 * link that runs a command; so every message, detail, progress title and progress message passes
 * through `unlinked` here, and so does the message of an error a command throws (VS Code shows it
 * in a notification too). A unit test (test/unit/notifyOnly.test.ts) fails if any other file of
 * `src/` calls `window.show…Message` or `window.withProgress` itself.
 */
import * as vscode from 'vscode';
import { unlinked } from './linkText';

/** How loudly a notification speaks. */
export type Severity = 'info' | 'warning' | 'error';

/**
 * Shows `message` as a notification with `items` as its buttons; resolves with the button picked
 * (exactly as given), or undefined when dismissed.
 */
export function show(severity: Severity, message: string, ...items: string[]): Thenable<string | undefined> {
  // Looked up at each call, not kept: the extension-host tests watch what reaches the window.
  const w = vscode.window;
  const text = unlinked(message);
  if (severity === 'error') return w.showErrorMessage(text, ...items);
  if (severity === 'warning') return w.showWarningMessage(text, ...items);
  return w.showInformationMessage(text, ...items);
}

/** An information notification: `show('info', …)`. */
export function info(message: string, ...items: string[]): Thenable<string | undefined> {
  return show('info', message, ...items);
}

/** A warning notification: `show('warning', …)`. */
export function warn(message: string, ...items: string[]): Thenable<string | undefined> {
  return show('warning', message, ...items);
}

/** An error notification: `show('error', …)`. */
export function error(message: string, ...items: string[]): Thenable<string | undefined> {
  return show('error', message, ...items);
}

/** A modal warning with `detail` below it; resolves with the button picked, or undefined on Cancel. */
export function askModal(message: string, detail: string | undefined, ...items: string[]): Thenable<string | undefined> {
  const options: vscode.MessageOptions = { modal: true, detail: detail === undefined ? undefined : unlinked(detail) };
  return vscode.window.showWarningMessage(unlinked(message), options, ...items);
}

/**
 * Runs `task` under a progress notification titled `title`; the messages `task` reports pass
 * through `unlinked` too (VS Code shows them after the title, in the same linked text).
 */
export function withProgress<R>(
  title: string,
  cancellable: boolean,
  task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>,
): Thenable<R> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: unlinked(title), cancellable },
    (progress, token) =>
      task({ report: (v) => progress.report(v.message === undefined ? v : { ...v, message: unlinked(v.message) }) }, token),
  );
}

/**
 * `handler` with the message of any error it throws passed through `unlinked`: VS Code shows a
 * failed command's error in a notification, as linked text, and such a message may quote a path
 * or a file's content. The error is thrown on, so callers still see the command fail.
 */
export function unlinkedErrors<A extends unknown[], R>(handler: (...args: A) => R): (...args: A) => Promise<Awaited<R>> {
  return async (...args: A): Promise<Awaited<R>> => {
    try {
      return await handler(...args);
    } catch (err) {
      if (err instanceof Error) {
        err.message = unlinked(err.message);
        throw err;
      }
      throw new Error(unlinked(String(err)));
    }
  };
}
