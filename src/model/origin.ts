/**
 * Documents that know nothing of their program: an imported tracemalloc dump holds the traces
 * alone, so its `program` is null and the process's figures are null too (never made up). Readers
 * that need the program (times, process, command line) narrow with `hasProgram` and name the
 * others with `originText`.
 */
import type { ProgramInfo, SnapshotDocument } from '../protocol/snapshot';

/** A document whose program is known: every one the helper wrote in the program's process. */
export type WithProgram = SnapshotDocument & { program: ProgramInfo };

export function hasProgram(doc: SnapshotDocument): doc is WithProgram {
  return doc.program !== null;
}

/**
 * Where a document (or its model) without a program came from, for sentences: `imported from the
 * tracemalloc dump /data/run.tracemalloc`; `made without its program's details` for any other.
 */
export function originText(doc: Pick<SnapshotDocument, 'origin'>): string {
  return doc.origin?.kind === 'tracemalloc-dump'
    ? `imported from the tracemalloc dump ${doc.origin.path}`
    : "made without its program's details";
}
