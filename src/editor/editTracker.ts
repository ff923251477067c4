/**
 * Follows edits made after a run so annotations stay on their lines: for each file of the model
 * it feeds the document's changes to the pure tracker of `model/lineTracking.ts`, which moves the
 * lines below an edit and marks a changed line stale. Views ask here where a line of the run is
 * now (`current`) and which line of the run a line of the document is (`runLine`).
 *
 * A tracker starts from the document's text when the run began (`beginRun`; the run saved the
 * file first, so that text is what ran) and replays the edits made while the program ran; a file
 * opened later starts from its text when it is opened.
 */
import * as vscode from 'vscode';
import type { DocumentPaths, LineFollower, LinePosition } from '../ctx';
import { LineTracker, type TextChange } from '../model/lineTracking';
import type { MemModel } from '../model/types';

export class EditTracker implements LineFollower, vscode.Disposable {
  private readonly trackers = new Map<string, LineTracker>();
  /** Lines to follow per file: annotated lines, scope starts, and call-path frames. */
  private readonly followed = new Map<string, Set<number>>();
  private readonly disposables: vscode.Disposable[];
  /** Since `beginRun`: each file's text then, and the edits made since, until the results come. */
  private recording: Map<string, { text: string; changes: TextChange[][] }> | undefined;
  private readonly moved = new vscode.EventEmitter<void>();
  /** Fires after an edit moved or staled a followed line. */
  readonly onDidMove = this.moved.event;

  /** @param paths finds a document's file in the model. */
  constructor(private readonly paths: DocumentPaths) {
    this.disposables = [
      this.moved,
      vscode.workspace.onDidOpenTextDocument((doc) => this.start(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.change(e)),
    ];
  }

  /**
   * Remembers the text of every open file now, and records the edits that follow, so that lines
   * edited while the program runs are placed (or marked stale) when its results arrive.
   */
  beginRun(): void {
    this.recording = new Map();
    for (const doc of vscode.workspace.textDocuments) this.record(doc);
  }

  private record(doc: vscode.TextDocument): void {
    if (this.recording && doc.uri.scheme === 'file' && !this.recording.has(this.paths.modelPath(doc.uri))) {
      this.recording.set(this.paths.modelPath(doc.uri), { text: doc.getText(), changes: [] });
    }
  }

  /**
   * Starts over for a new model (or none), replaying the edits recorded since `beginRun`.
   * `extra` names more lines to follow (a comparison's lines that the model no longer holds).
   * `runGoesOn`: results shown while the program still runs (a snapshot taken during it, or a
   * comparison of two): the recording goes on, for the run's own results when they come.
   */
  reset(model: MemModel | undefined, extra: Iterable<[file: string, line: number]> = [], runGoesOn = false): void {
    this.trackers.clear();
    this.followed.clear();
    if (!model) return;
    const follow = (file: string, line: number): void => {
      let set = this.followed.get(file);
      if (!set) this.followed.set(file, (set = new Set()));
      set.add(line);
    };
    for (const file of model.files.values()) {
      for (const line of file.lines.values()) {
        follow(file.path, line.line);
        for (const figures of [line.exit, line.peak]) {
          for (const p of figures?.paths ?? []) {
            for (const f of p.frames) follow(f.file, f.line);
          }
        }
      }
      for (const scope of file.scopes) follow(file.path, scope.line);
    }
    for (const [file, line] of extra) follow(file, line);
    for (const doc of vscode.workspace.textDocuments) this.start(doc);
    if (!runGoesOn) this.recording = undefined;
  }

  /** Where line `runLine` (1-based) of `file` is now; undefined when it was deleted. */
  current(file: string, runLine: number): LinePosition | undefined {
    const tracker = this.trackers.get(file);
    if (!tracker) return { line: runLine, stale: false };
    const line = tracker.currentLine(runLine);
    if (line === undefined) {
      // Lines the tracker does not follow have not moved as far as anyone can tell.
      return this.followed.get(file)?.has(runLine) ? undefined : { line: runLine, stale: false };
    }
    return { line, stale: tracker.isStale(runLine) };
  }

  /** The line of the run now at `line` (1-based) of `file`, if a followed line is there. */
  runLine(file: string, line: number): number | undefined {
    const tracker = this.trackers.get(file);
    if (!tracker) return line;
    for (const t of tracker) {
      if (t.current === line) return t.original;
    }
    return undefined;
  }

  private start(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file') return;
    const file = this.paths.modelPath(doc.uri);
    const lines = this.followed.get(file);
    if (lines && !this.trackers.has(file)) {
      const recorded = this.recording?.get(file);
      const tracker = new LineTracker(lines, recorded?.text ?? doc.getText());
      for (const changes of recorded?.changes ?? []) tracker.applyChanges(changes);
      this.trackers.set(file, tracker);
    } else {
      this.record(doc);
    }
  }

  private change(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0 || e.document.uri.scheme !== 'file') return;
    const file = this.paths.modelPath(e.document.uri);
    const changes: TextChange[] = e.contentChanges.map((c) => ({
      startLine: c.range.start.line,
      startCharacter: c.range.start.character,
      endLine: c.range.end.line,
      endCharacter: c.range.end.character,
      text: c.text,
    }));
    this.recording?.get(file)?.changes.push(changes);
    const tracker = this.trackers.get(file);
    if (!tracker) return;
    tracker.applyChanges(changes);
    this.moved.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
