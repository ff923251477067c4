/**
 * Keeps annotations on the right lines while the user edits a file after a run, so a figure
 * never sits on a line it was not measured on: lines below an edit move with inserted and
 * deleted lines, a line that was itself changed is marked stale, and a deleted line is gone.
 * Pure: it takes changes as plain numbers in VS Code's 0-based coordinates, so it is unit-tested
 * without an editor.
 *
 * It mirrors the document's text (as VS Code's own extension host does), because positions alone
 * cannot tell pressing Enter at the end of a line (the line is untouched) from pressing it in the
 * middle (the line is split), nor Enter before an indented statement (the statement moves down
 * whole) from typing on the line.
 */

/**
 * One replaced range and its new text, as in `vscode.TextDocumentContentChangeEvent`: `range.start`
 * and `range.end` (0-based lines, UTF-16 characters) of the text before this change, and `text`.
 */
export interface TextChange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  text: string;
}

/** Where an original line is now. */
export interface TrackedLine {
  /** 1-based line in the document the annotations were made for. */
  original: number;
  /** 1-based line now; undefined when the line was deleted. */
  current: number | undefined;
  /** True when the line's text was changed, or the line was deleted. */
  stale: boolean;
}

interface Entry {
  original: number;
  /** 0-based current line, or -1 once deleted. */
  line: number;
  stale: boolean;
  /** The line's text when tracking began, so an undo can make it fresh again. */
  text: string;
}

/**
 * Follows a set of original lines through edits.
 *
 * Rules for one change replacing the range (sL, sC)–(eL, eC) with text of k line breaks
 * (so the change turns lines sL…eL into lines sL…sL+k):
 * 1. A line above sL does not move.
 * 2. A line below eL moves by k − (eL − sL).
 * 3. Line sL keeps its place, fresh, when the new line sL has exactly its old text: typing Enter
 *    (and any indentation) at its end, or deleting from its end into later lines.
 * 4. Line eL moves to sL + k, fresh, when the new line sL + k has exactly its old text: lines
 *    inserted or pasted above it (at character 0, text ending in a line break), Enter before its
 *    first character or between its indentation and its statement, or whole lines deleted above it.
 * 5. When 3 and 4 would both hold and put one line in two places (a change within a line that
 *    leaves two lines equal to it) or two lines in one place (equal lines joined), sC = 0 reads
 *    the change as made before line eL's text (4 wins), else as made after line sL's (3 wins).
 * 6. Otherwise a touched line was changed. A change within one line leaves that line at sL,
 *    stale. In a change across lines, line sL stays at sL, stale, if some of its text is kept
 *    (sC > 0); line eL goes to sL + k, stale, if some of its text is kept (eC before its end);
 *    lines strictly between them, and lines none of whose text is kept, are gone. When lines sL
 *    and eL end up joined in one line (k = 0), one annotation stays there: an intact line's over
 *    a changed one's, line sL's over line eL's when both changed, and by rule 5 when both are
 *    intact; the other line is gone.
 * 7. A stale line whose text becomes exactly its original text again (an undo) is fresh again.
 *    A deleted line stays gone.
 *
 * Several changes of one event are applied in the order given, each range referring to the text
 * after the earlier ones: VS Code's extension host applies `contentChanges` that way, and VS Code
 * lists the edits of one event from the bottom of the document up, so each range is also valid in
 * the text before the event.
 */
export class LineTracker implements Iterable<TrackedLine> {
  private lines: string[];
  private readonly entries: Entry[];
  private readonly byOriginal = new Map<number, Entry>();

  /**
   * @param originalLines 1-based lines to follow (the annotated ones).
   * @param text The document's text when the annotations were placed, which the original line
   *   numbers refer to.
   */
  constructor(originalLines: Iterable<number>, text: string) {
    this.lines = splitLines(text);
    this.entries = [];
    for (const original of originalLines) {
      if (this.byOriginal.has(original)) continue;
      const entry: Entry = { original, line: original - 1, stale: false, text: this.lines[original - 1] ?? '' };
      this.entries.push(entry);
      this.byOriginal.set(original, entry);
    }
  }

  /** Applies the changes of one document change event, in the order VS Code gives them. */
  applyChanges(changes: readonly TextChange[]): void {
    for (const change of changes) this.apply(change);
  }

  /** The 1-based current line of an original line; undefined when deleted or not tracked. */
  currentLine(original: number): number | undefined {
    const e = this.byOriginal.get(original);
    return e === undefined || e.line < 0 ? undefined : e.line + 1;
  }

  /** Whether an original line was changed or deleted since tracking began. */
  isStale(original: number): boolean {
    return this.byOriginal.get(original)?.stale ?? false;
  }

  /** Every followed line, in the order they were given. */
  *[Symbol.iterator](): Iterator<TrackedLine> {
    for (const e of this.entries) {
      yield { original: e.original, current: e.line < 0 ? undefined : e.line + 1, stale: e.stale };
    }
  }

  private apply(c: TextChange): void {
    const sL = c.startLine;
    const eL = c.endLine;
    const oldFirst = this.lines[sL] ?? '';
    const oldLast = this.lines[eL] ?? '';
    const segments = splitLines(c.text);
    const k = segments.length - 1;
    const tailLength = oldLast.length - c.endCharacter;
    segments[0] = oldFirst.slice(0, c.startCharacter) + segments[0];
    segments[k] += oldLast.slice(c.endCharacter);
    // Spreading a huge paste into splice() would overflow the argument limit; rebuild instead.
    if (segments.length < 10_000) this.lines.splice(sL, eL - sL + 1, ...segments);
    else this.lines = this.lines.slice(0, sL).concat(segments, this.lines.slice(eL + 1));

    const firstKept = segments[0] === oldFirst;
    const lastKept = segments[k] === oldLast;
    const [first, last] =
      sL === eL ? oneLine(c, k, firstKept, lastKept) : acrossLines(c, k, firstKept, lastKept, tailLength);
    const delta = k - (eL - sL);

    for (const e of this.entries) {
      const L = e.line;
      if (L < sL) continue;
      if (L > eL) {
        e.line += delta;
        continue;
      }
      const outcome = L === sL ? first : L === eL ? last : undefined;
      if (outcome === undefined) {
        e.line = -1;
        e.stale = true;
        continue;
      }
      e.line = outcome.line;
      e.stale ||= outcome.stale;
      // Rule 7: an undo that restores the original text makes the line fresh again.
      if (e.stale && this.lines[e.line] === e.text) e.stale = false;
    }
  }
}

/** Where a touched line goes: its new 0-based line and whether it changed; undefined when gone. */
type Outcome = { line: number; stale: boolean } | undefined;

/** Splits text into lines the way VS Code counts them: `\r\n`, `\r` and `\n` each end a line. */
function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Where the line of a change within one line ends up (returned as both first and last). */
function oneLine(c: TextChange, k: number, firstKept: boolean, lastKept: boolean): [Outcome, Outcome] {
  let outcome: Outcome;
  // Rule 5 for a split line whose two halves both equal it: sC 0 reads as lines inserted above.
  if (lastKept && (!firstKept || c.startCharacter === 0)) outcome = { line: c.startLine + k, stale: false };
  else if (firstKept) outcome = { line: c.startLine, stale: false };
  else outcome = { line: c.startLine, stale: true };
  return [outcome, outcome];
}

/** Where lines sL and eL of a change across lines end up; undefined means gone. */
function acrossLines(
  c: TextChange,
  k: number,
  firstKept: boolean,
  lastKept: boolean,
  tailLength: number,
): [Outcome, Outcome] {
  let first: Outcome = firstKept
    ? { line: c.startLine, stale: false }
    : c.startCharacter > 0
      ? { line: c.startLine, stale: true }
      : undefined;
  let last: Outcome = lastKept
    ? { line: c.startLine + k, stale: false }
    : tailLength > 0
      ? { line: c.startLine + k, stale: true }
      : undefined;
  // Joined into one line (k = 0): only one of the two keeps it. An intact one wins; of two intact
  // ones rule 5 decides; of two changed ones the first does.
  if (k === 0 && first !== undefined && last !== undefined) {
    const lastWins = first.stale === last.stale ? !first.stale && c.startCharacter === 0 : first.stale;
    if (lastWins) first = undefined;
    else last = undefined;
  }
  return [first, last];
}
