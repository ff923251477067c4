// Shared by the unit tests: where the repository and its fixtures are, the leak fixtures, a Python
// to run programs with, and a small builder for snapshot documents so each model test states only
// the lines and scopes it is about.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseSnapshot } from '../../src/model/load';
import { hasProgram, type WithProgram } from '../../src/model/origin';
import type { FileEntry, LineStat, Scope, SnapshotDocument } from '../../src/protocol/snapshot';

/** The repository root: tests are bundled to out/test/unit/. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The path of a file in test/fixtures/. */
export function fixturePath(name: string): string {
  return path.join(REPO_ROOT, 'test', 'fixtures', name);
}

/** The text of a file in test/fixtures/. */
export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** The 1-based line of fixture program `name` that carries `# @marker`. */
export function markerLine(name: string, marker: string): number {
  const i = fixtureText(name)
    .split('\n')
    .findIndex((l) => l.trimEnd().endsWith(`# @${marker}`));
  assert.ok(i >= 0, `no marker ${marker} in ${name}`);
  return i + 1;
}

/**
 * A leak fixture: the real snapshot of test/fixtures/leak/leaky.py after `n` rounds (see
 * test/fixtures/README.md). Each round leaks 2 MiB of bytes on the @blobs line and 10 000 Session
 * objects on the @sessions line, and drops an 8 MiB temporary on the @temporary line.
 */
export function leakRound(n: 1 | 2 | 3 | 4): WithProgram {
  return runDoc(parseSnapshot(fixtureText(`leak/round${n}.json`), `leak/round${n}.json`));
}

/** The 1-based line of leaky.py that carries `# @marker`. */
export function leakLine(marker: 'blobs' | 'sessions' | 'temporary'): number {
  return markerLine('leak/leaky.py', marker);
}

/**
 * What one round's sessions measure by `sys.getsizeof` (the dict, its new int keys and 10 000
 * Session objects), as leaky.py printed it under CPython 3.11.7, which made the fixtures.
 */
export const SESSION_BYTES_PER_ROUND = 1047796;

/** Asserts that `actual` is within the fraction `tolerance` of `expected`. */
export function within(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * expected,
    `${what}: ${actual} is not within ${tolerance * 100} % of ${expected}`,
  );
}

/** A Python 3.8+ on PATH (`python3`, else `python`) to run test programs with, or undefined. */
export function python(): string | undefined {
  for (const p of ['python3', 'python']) {
    try {
      execFileSync(p, ['-c', 'import sys; assert sys.version_info >= (3, 8)'], { stdio: 'ignore' });
      return p;
    } catch {
      // Try the next name.
    }
  }
  return undefined;
}

/** A line as `[line, bytes, blocks]`, optionally with no user frame. */
export type LineSpec = [line: number, bytes: number, blocks: number, noUserFrame?: boolean];

/** A file for `makeDoc`: lines at exit and at peak, and scopes. */
export interface FileSpec {
  path: string;
  user?: boolean;
  lines?: LineSpec[];
  peakLines?: LineSpec[];
  scopes?: Scope[];
}

/**
 * A valid document holding `files`; each line gets one call path whose only frame is the line
 * itself, which is what the helper writes for an allocation made directly on that line.
 */
export function makeDoc(files: FileSpec[]): WithProgram {
  const stat = (fileIndex: number, [line, bytes, blocks, noUserFrame]: LineSpec): LineStat => ({
    line,
    bytes,
    blocks,
    ...(noUserFrame ? { noUserFrame: true } : {}),
    paths: [{ bytes, blocks, frames: [[fileIndex, line]] }],
  });
  const entries: FileEntry[] = files.map((f, i) => ({
    path: f.path,
    user: f.user ?? true,
    lines: (f.lines ?? []).map((l) => stat(i, l)),
    peakLines: (f.peakLines ?? []).map((l) => stat(i, l)),
    ...(f.scopes ? { scopes: f.scopes } : {}),
  }));
  return {
    format: 'memlens.snapshot',
    version: 1,
    kind: 'exit',
    program: {
      argv: ['/usr/bin/python3', 'app.py'],
      cwd: '/ws',
      pid: 1,
      python: { executable: '/usr/bin/python3', version: '3.11.2', implementation: 'CPython' },
      startTime: 0,
      endTime: 1,
      end: { kind: 'exit' },
      exitCode: 0,
      exitSignal: null,
    },
    settings: { frames: 8, roots: ['/ws'], maxPaths: 5 },
    totals: {
      tracedCurrent: 0, tracedPeak: 0, blocks: 0, maxRss: 0, rss: null, minorFaults: 0,
      majorFaults: 0, wallSeconds: 1, cpuUserSeconds: 0, cpuSystemSeconds: 0,
    },
    peak: { method: 'fork', capturedTraced: 0, capturedAt: null, stepBytes: 8388608, pollSeconds: 0.005, captures: 1 },
    files: entries,
    processingSeconds: 0,
  };
}

/** `doc`, checked to know its program (a run's snapshot does), so a test can read and edit it. */
export function runDoc(doc: SnapshotDocument): WithProgram {
  assert.ok(hasProgram(doc), 'the snapshot knows its program');
  return doc;
}
