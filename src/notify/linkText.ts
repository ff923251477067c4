/**
 * Keeps text that came from a file, a program or a process from becoming a link in VS Code's
 * notifications. VS Code turns `[label](target)` in a notification's text into a clickable link
 * when the target starts with `command:`, `http(s)://` or `file:` (`parseLinkedText` in
 * vs/base/common/linkedText.ts), and a `command:` link runs any command, with arguments, in one
 * click. Every such link needs `]` directly followed by `(`: a space between them leaves nothing
 * to parse, while the text stays readable. Pure (no vscode), so plain-Node unit tests check it.
 */

/** `text` with every `](` made `] (`, so that no part of it is a link in a notification. */
export function unlinked(text: string): string {
  return text.replace(/\]\(/g, '] (');
}
