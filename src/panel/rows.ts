/**
 * What the panel's row builders share (`panelData.ts`, `compareData.ts`, `leaksData.ts`): the
 * table of files rows refer to by index, and call paths as text.
 */
import type { FileRef } from '../protocol/panel';
import { baseName } from '../model/program';

/** The files rows refer to by index, so thousands of rows do not repeat their paths. */
export class FileTable {
  readonly refs: FileRef[] = [];
  private readonly byPath = new Map<string, number>();

  constructor(private readonly display: (file: string) => string = (f) => f) {}

  index(path: string, user: boolean): number {
    let i = this.byPath.get(path);
    if (i === undefined) {
      i = this.refs.length;
      this.refs.push({ path, display: this.display(path), user });
      this.byPath.set(path, i);
    }
    return i;
  }
}

/** A call path as text, innermost first: `decoder.py:353 ← sample.py:12`. */
export function pathText(frames: readonly { file: string; line: number }[]): string {
  return frames.map((f) => `${baseName(f.file)}:${f.line}`).join(' ← ');
}
