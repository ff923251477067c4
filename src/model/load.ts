/**
 * Reads a snapshot file and refuses anything that is not a complete snapshot of a version this
 * build knows, in one sentence that names the file and what is wrong. A document that passes has
 * every field the model and the views read, with the right type, and every frame points at a file
 * in the document: views never meet half a snapshot, and nothing of a broken file is shown.
 */
import { promises as fs, constants as fsConstants, type Stats } from 'node:fs';
import { isAbsolute } from 'node:path';
import {
  PROFILE_MODES,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type SnapshotDocument,
} from '../protocol/snapshot';

/** A snapshot that cannot be shown; the message is a full sentence meant for the user. */
export class SnapshotError extends Error {
  /** The file (or other source) the sentence is about. */
  readonly source: string;

  constructor(source: string, message: string) {
    super(message);
    this.name = 'SnapshotError';
    this.source = source;
  }
}

/**
 * Parses and validates the text of a snapshot file. `source` names it in error sentences (a path,
 * or a label such as "the helper's message").
 *
 * @throws SnapshotError when the text is not JSON, is truncated, is not a MemLens snapshot, was
 *   written by a newer MemLens, or lacks or mistypes a field.
 */
export function parseSnapshot(text: string, source: string): SnapshotDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SnapshotError(source, notJsonSentence(text, source));
  }
  if (!isObject(value)) {
    throw new SnapshotError(
      source,
      `${source} is not a MemLens snapshot: it holds ${describe(value)}, not a JSON object.`,
    );
  }
  if (value.format !== SNAPSHOT_FORMAT) {
    const found = value.format === undefined ? 'no format field' : `format ${describe(value.format)}`;
    throw new SnapshotError(
      source,
      `${source} is not a MemLens snapshot (${found}; expected format "${SNAPSHOT_FORMAT}").`,
    );
  }
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new SnapshotError(
      source,
      `${source} is not a readable MemLens snapshot: its version is ${describe(version)}, ` +
        'where a whole number from 1 up is expected.',
    );
  }
  if (version > SNAPSHOT_VERSION) {
    throw new SnapshotError(
      source,
      `${source} was made by a newer MemLens (snapshot version ${version}); ` +
        `this one reads up to ${SNAPSHOT_VERSION}.`,
    );
  }
  const problem = new Validator().document(value);
  if (problem !== undefined) {
    throw new SnapshotError(source, `${source} is not a valid MemLens snapshot: ${problem}.`);
  }
  return value as unknown as SnapshotDocument;
}

/**
 * The largest snapshot file read, in bytes (100 MiB). Loading takes 5 to 10 MB of memory per MB
 * of snapshot (measured with `loadSnapshotFile` on snapshots of 11 to 228 MB: 9.9× at 11 MB,
 * 6.4× at 112 MB, 5.2× at 228 MB, above Node's own 39 MB), so this bound keeps a load under about
 * 1 GiB; MemLens's own snapshots are a few MB (1.9 MB for a million live blocks on 10 000 lines).
 */
export const MAX_SNAPSHOT_BYTES = 100 * 1024 * 1024;

/**
 * Reads and validates a snapshot file. `read` defaults to reading the file as UTF-8; the
 * extension passes one over `vscode.workspace.fs` so remote and virtual files work too. A local
 * path is checked before it is read, whoever reads it: only a regular file (a FIFO would hang the
 * read, `/dev/zero` never end) of at most `MAX_SNAPSHOT_BYTES`.
 *
 * @throws SnapshotError when the file cannot be read, is not a regular file, is too large, or is
 *   not a valid snapshot.
 */
export async function loadSnapshotFile(path: string, read?: (p: string) => Promise<string>): Promise<SnapshotDocument> {
  let text: string;
  try {
    if (read === undefined) {
      text = await readBounded(path);
    } else {
      // A path that is not local (a remote or virtual URI) cannot be checked before its reader runs.
      const st = isAbsolute(path) ? await fs.stat(path).catch(() => undefined) : undefined;
      if (st !== undefined) checkFile(path, st);
      text = await read(path);
      if (text.length > MAX_SNAPSHOT_BYTES) checkFile(path, { isFile: () => true, size: text.length });
    }
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError(path, unreadableSentence(path, err));
  }
  return parseSnapshot(text, path);
}

/** Reads `path` as UTF-8 after `checkFile` has passed on the opened file itself. */
async function readBounded(path: string): Promise<string> {
  // Non-blocking, so opening a FIFO does not wait for a writer; a regular file reads as usual.
  const handle = await fs.open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  try {
    const st = await handle.stat();
    checkFile(path, st);
    // Read to the end, never past the limit: the file may have grown since the check.
    const chunks: Buffer[] = [];
    let got = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.max(65536, Math.min(st.size, MAX_SNAPSHOT_BYTES) + 1 - got));
      const { bytesRead } = await handle.read(buf, 0, buf.length, got);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      got += bytesRead;
      if (got > MAX_SNAPSHOT_BYTES) checkFile(path, { isFile: () => true, size: got });
    }
    return Buffer.concat(chunks, got).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** @throws SnapshotError when `st` is not a regular file or is larger than `MAX_SNAPSHOT_BYTES`. */
function checkFile(path: string, st: Pick<Stats, 'isFile' | 'size'> & { isDirectory?: () => boolean }): void {
  if (st.isDirectory?.()) throw new SnapshotError(path, `${path} is a folder, not a snapshot file.`);
  if (!st.isFile()) {
    throw new SnapshotError(path, `${path} is not a regular file (a device, a pipe or a socket), so it is not read as a snapshot.`);
  }
  if (st.size > MAX_SNAPSHOT_BYTES) {
    const mib = (st.size / 1048576).toFixed(1);
    // Just over the limit rounds to it: the bytes then show the difference.
    const size = Number(mib) * 1048576 > MAX_SNAPSHOT_BYTES ? `${mib} MiB` : `${st.size} bytes`;
    throw new SnapshotError(
      path,
      `${path} is ${size}, larger than the ${MAX_SNAPSHOT_BYTES / 1048576} MiB (${MAX_SNAPSHOT_BYTES} bytes) MemLens reads: loading takes up to ` +
        '10 MB of memory per MB of snapshot, and MemLens\'s own snapshots are a few MB.',
    );
  }
}

function unreadableSentence(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'FileNotFound':
      return `The snapshot file ${path} does not exist.`;
    case 'EACCES':
    case 'EPERM':
    case 'NoPermissions':
      return `The snapshot file ${path} cannot be read: permission denied.`;
    case 'EISDIR':
    case 'FileIsADirectory':
      return `${path} is a folder, not a snapshot file.`;
    default: {
      const detail = err instanceof Error ? err.message : String(err);
      return `The snapshot file ${path} cannot be read (${detail.replace(/\.$/, '')}).`;
    }
  }
}

/**
 * The sentence for text that `JSON.parse` refused: "truncated" when every bracket opened outside a
 * string is still open at the end (a write that stopped early), else "not JSON". Decided by
 * scanning rather than from the parser's message, whose wording changes between V8 versions.
 */
function notJsonSentence(text: string, source: string): string {
  if (text.trim() === '') return `${source} is empty, not a MemLens snapshot.`;
  if (endsEarly(text)) {
    return `${source} is not a complete MemLens snapshot: the JSON ends early (truncated?).`;
  }
  return `${source} is not a MemLens snapshot: it is not valid JSON.`;
}

/** True when `text` starts a JSON object or array that is still open at its end. */
function endsEarly(text: string): boolean {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      // Closed completely before the end: the fault is elsewhere, not a missing tail.
      if (depth === 0) return false;
    }
  }
  return depth > 0;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short description of a found value for error sentences: `"foo"`, `-3`, `an array`, `null`. */
function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  return String(v);
}

/**
 * Structural checks of a document whose format and version are already known good. Each method
 * returns a phrase naming the first bad field (`files[2].lines[0].bytes is -1, where a whole
 * number from 0 up is expected`) or undefined when all is well. Stopping at the first problem keeps
 * the sentence short; a corrupt file is refused either way.
 */
class Validator {
  private fileCount = 0;

  document(d: Obj): string | undefined {
    const files = d.files;
    if (!Array.isArray(files)) return expected('files', files, 'a list of files');
    this.fileCount = files.length;
    return (
      oneOf('kind', d.kind, ['exit', 'snapshot']) ??
      optional(d.label, () => str('label', d.label)) ??
      optional(d.sequence, () => positive('sequence', d.sequence)) ??
      nullable(d.program, () => this.program(d.program)) ??
      this.settings(d.settings) ??
      this.totals(d.totals) ??
      this.peak(d.peak) ??
      num('processingSeconds', d.processingSeconds) ??
      optional(d.process, () => this.process(d.process)) ??
      optional(d.census, () => this.census(d.census)) ??
      optional(d.gc, () => this.gc(d.gc)) ??
      optional(d.imports, () => this.imports(d.imports)) ??
      optional(d.timeline, () => this.timeline(d.timeline)) ??
      optional(d.pymallocStats, () => str('pymallocStats', d.pymallocStats)) ??
      optional(d.origin, () => this.origin(d.origin)) ??
      optional(d.tracingStopped, () =>
        isObject(d.tracingStopped)
          ? nonNegative('tracingStopped.at', d.tracingStopped.at)
          : expected('tracingStopped', d.tracingStopped, 'an object'),
      ) ??
      this.files(files)
    );
  }

  private census(c: unknown): string | undefined {
    if (!isObject(c)) return expected('census', c, 'an object');
    return (
      typeCounts('census.types', c.types) ??
      natural('census.objects', c.objects) ??
      natural('census.bytes', c.bytes) ??
      bool('census.complete', c.complete) ??
      nonNegative('census.seconds', c.seconds) ??
      optional(c.cpuSeconds, () => nonNegative('census.cpuSeconds', c.cpuSeconds)) ??
      optional(c.note, () => str('census.note', c.note))
    );
  }

  private gc(g: unknown): string | undefined {
    if (!isObject(g)) return expected('gc', g, 'an object');
    return (
      bool('gc.enabled', g.enabled) ??
      list('gc.thresholds', g.thresholds, 'a list of thresholds', natural) ??
      list('gc.generations', g.generations, 'a list of generations', (at, gen) =>
        isObject(gen)
          ? natural(`${at}.generation`, gen.generation) ??
            natural(`${at}.collections`, gen.collections) ??
            natural(`${at}.collected`, gen.collected) ??
            natural(`${at}.uncollectable`, gen.uncollectable) ??
            nonNegative(`${at}.seconds`, gen.seconds)
          : expected(at, gen, 'an object'),
      ) ??
      typeCounts('gc.cyclicGarbage', g.cyclicGarbage) ??
      optional(g.cyclicGarbageNote, () => str('gc.cyclicGarbageNote', g.cyclicGarbageNote)) ??
      typeCounts('gc.uncollectable', g.uncollectable)
    );
  }

  private imports(list_: unknown): string | undefined {
    // Growth can be negative: a module may free more than it allocates (or a collection ran).
    return list('imports', list_, 'a list of import costs', (at, c) =>
      isObject(c)
        ? str(`${at}.module`, c.module) ??
          nullable(c.parent, () => str(`${at}.parent`, c.parent)) ??
          nullable(c.file, () => str(`${at}.file`, c.file)) ??
          nonNegative(`${at}.start`, c.start) ??
          nonNegative(`${at}.seconds`, c.seconds) ??
          integer(`${at}.tracedSelf`, c.tracedSelf) ??
          integer(`${at}.tracedTotal`, c.tracedTotal) ??
          nullable(c.privateDirtySelf, () => integer(`${at}.privateDirtySelf`, c.privateDirtySelf)) ??
          nullable(c.privateDirtyTotal, () => integer(`${at}.privateDirtyTotal`, c.privateDirtyTotal))
        : expected(at, c, 'an object'),
    );
  }

  private timeline(t: unknown): string | undefined {
    if (!isObject(t)) return expected('timeline', t, 'an object');
    const interval = t.interval;
    if (!(typeof interval === 'number' && Number.isFinite(interval) && interval > 0)) {
      return expected('timeline.interval', interval, 'a number of seconds above 0');
    }
    return (
      list('timeline.samples', t.samples, 'a list of samples', (at, s) =>
        isObject(s)
          ? nonNegative(`${at}.t`, s.t) ??
            natural(`${at}.traced`, s.traced) ??
            nullable(s.rss, () => natural(`${at}.rss`, s.rss)) ??
            nullable(s.privateDirty, () => natural(`${at}.privateDirty`, s.privateDirty))
          : expected(at, s, 'an object'),
      ) ??
      list('timeline.markers', t.markers, 'a list of markers', (at, m) =>
        isObject(m)
          ? nonNegative(`${at}.t`, m.t) ?? oneOf(`${at}.kind`, m.kind, ['import', 'gc', 'snapshot']) ?? str(`${at}.label`, m.label)
          : expected(at, m, 'an object'),
      )
    );
  }

  private process(p: unknown): string | undefined {
    if (!isObject(p)) return expected('process', p, 'an object');
    return (
      optional(p.smaps, () => str('process.smaps', p.smaps)) ??
      optional(p.smapsError, () => str('process.smapsError', p.smapsError)) ??
      optional(p.pageSize, () => positive('process.pageSize', p.pageSize)) ??
      optional(p.sharedDirtyFolded, () => natural('process.sharedDirtyFolded', p.sharedDirtyFolded)) ??
      optional(p.sharedDirtyNote, () => str('process.sharedDirtyNote', p.sharedDirtyNote))
    );
  }

  private program(p: unknown): string | undefined {
    if (!isObject(p)) return expected('program', p, 'an object');
    const python = p.python;
    return (
      strList('program.argv', p.argv) ??
      str('program.cwd', p.cwd) ??
      optional(p.exitCwd, () => str('program.exitCwd', p.exitCwd)) ??
      natural('program.pid', p.pid) ??
      (isObject(python)
        ? str('program.python.executable', python.executable) ??
          str('program.python.version', python.version) ??
          str('program.python.implementation', python.implementation)
        : expected('program.python', python, 'an object')) ??
      num('program.startTime', p.startTime) ??
      num('program.endTime', p.endTime) ??
      this.end(p.end) ??
      optional(p.exitCode, () => nullable(p.exitCode, () => integer('program.exitCode', p.exitCode))) ??
      optional(p.exitSignal, () => nullable(p.exitSignal, () => str('program.exitSignal', p.exitSignal)))
    );
  }

  private end(e: unknown): string | undefined {
    if (!isObject(e)) return expected('program.end', e, 'an object');
    const bad = oneOf('program.end.kind', e.kind, ['exit', 'exception', 'signal', 'snapshot', 'exec']);
    if (bad !== undefined) return bad;
    if (e.kind === 'exception') {
      return (
        str('program.end.type', e.type) ??
        str('program.end.message', e.message) ??
        optional(e.file, () => str('program.end.file', e.file)) ??
        optional(e.line, () => natural('program.end.line', e.line))
      );
    }
    if (e.kind === 'signal') return str('program.end.signal', e.signal);
    if (e.kind === 'exec') return strList('program.end.argv', e.argv);
    return undefined;
  }

  private settings(s: unknown): string | undefined {
    if (!isObject(s)) return expected('settings', s, 'an object');
    return (
      natural('settings.frames', s.frames) ??
      strList('settings.roots', s.roots) ??
      natural('settings.maxPaths', s.maxPaths) ??
      // Absent in files of helpers before the modes: those tracked every block (exact).
      optional(s.mode, () => oneOf('settings.mode', s.mode, PROFILE_MODES)) ??
      optional(s.sampleInterval, () => positive('settings.sampleInterval', s.sampleInterval)) ??
      optional(s.modeNote, () => str('settings.modeNote', s.modeNote))
    );
  }

  private origin(o: unknown): string | undefined {
    if (!isObject(o)) return expected('origin', o, 'an object');
    return oneOf('origin.kind', o.kind, ['tracemalloc-dump']) ?? str('origin.path', o.path);
  }

  private totals(t: unknown): string | undefined {
    if (!isObject(t)) return expected('totals', t, 'an object');
    const known =
      natural('totals.tracedCurrent', t.tracedCurrent) ??
      natural('totals.blocks', t.blocks) ??
      optional(t.samples, () => natural('totals.samples', t.samples));
    if (known !== undefined) return known;
    // Null where the document cannot know the figure (an imported tracemalloc dump).
    for (const key of ['tracedPeak', 'maxRss', 'rss', 'minorFaults', 'majorFaults']) {
      const bad = nullable(t[key], () => natural(`totals.${key}`, t[key]));
      if (bad !== undefined) return bad;
    }
    for (const key of ['wallSeconds', 'cpuUserSeconds', 'cpuSystemSeconds']) {
      const bad = nullable(t[key], () => num(`totals.${key}`, t[key]));
      if (bad !== undefined) return bad;
    }
    return undefined;
  }

  private peak(p: unknown): string | undefined {
    if (!isObject(p)) return expected('peak', p, 'an object');
    return (
      oneOf('peak.method', p.method, ['fork', 'sampler', 'exit', 'none']) ??
      natural('peak.capturedTraced', p.capturedTraced) ??
      nullable(p.capturedAt, () => num('peak.capturedAt', p.capturedAt)) ??
      nullable(p.stepBytes, () => natural('peak.stepBytes', p.stepBytes)) ??
      nullable(p.pollSeconds, () => num('peak.pollSeconds', p.pollSeconds)) ??
      optional(p.margin, () => fraction('peak.margin', p.margin)) ??
      natural('peak.captures', p.captures) ??
      optional(p.error, () => str('peak.error', p.error))
    );
  }

  private files(files: unknown[]): string | undefined {
    const seen = new Map<string, number>();
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const at = `files[${i}]`;
      if (!isObject(f)) return expected(at, f, 'an object');
      const bad =
        str(`${at}.path`, f.path) ??
        bool(`${at}.user`, f.user) ??
        this.lines(`${at}.lines`, f.lines) ??
        this.lines(`${at}.peakLines`, f.peakLines) ??
        optional(f.scopes, () => this.scopes(`${at}.scopes`, f.scopes)) ??
        optional(f.scopesError, () => str(`${at}.scopesError`, f.scopesError));
      if (bad !== undefined) return bad;
      const path = f.path as string;
      const first = seen.get(path);
      // The model keys files by path; a repeated path would silently merge or drop lines.
      if (first !== undefined) return `${at}.path repeats files[${first}].path (${describe(path)})`;
      seen.set(path, i);
    }
    return undefined;
  }

  private lines(at: string, lines: unknown): string | undefined {
    if (!Array.isArray(lines)) return expected(at, lines, 'a list of lines');
    const seen = new Set<number>();
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      const here = `${at}[${i}]`;
      if (!isObject(l)) return expected(here, l, 'an object');
      const bad =
        // Line 0 is what tracemalloc reports when it cannot tell the line; it is kept, not refused.
        natural(`${here}.line`, l.line) ??
        natural(`${here}.bytes`, l.bytes) ??
        natural(`${here}.blocks`, l.blocks) ??
        optional(l.noUserFrame, () => bool(`${here}.noUserFrame`, l.noUserFrame)) ??
        optional(l.samples, () => natural(`${here}.samples`, l.samples)) ??
        this.paths(`${here}.paths`, l.paths);
      if (bad !== undefined) return bad;
      const line = l.line as number;
      if (seen.has(line)) return `${at} lists line ${line} twice`;
      seen.add(line);
    }
    return undefined;
  }

  private paths(at: string, paths: unknown): string | undefined {
    if (!Array.isArray(paths)) return expected(at, paths, 'a list of call paths');
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i];
      const here = `${at}[${i}]`;
      if (!isObject(p)) return expected(here, p, 'an object');
      const bad =
        natural(`${here}.bytes`, p.bytes) ??
        natural(`${here}.blocks`, p.blocks) ??
        optional(p.samples, () => natural(`${here}.samples`, p.samples)) ??
        this.frames(`${here}.frames`, p.frames);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }

  private frames(at: string, frames: unknown): string | undefined {
    if (!Array.isArray(frames)) return expected(at, frames, 'a list of frames');
    for (let i = 0; i < frames.length; i++) {
      const fr = frames[i];
      const here = `${at}[${i}]`;
      if (!Array.isArray(fr) || fr.length !== 2) return expected(here, fr, 'a [file, line] pair');
      const bad = natural(`${here}[0]`, fr[0]) ?? natural(`${here}[1]`, fr[1]);
      if (bad !== undefined) return bad;
      if ((fr[0] as number) >= this.fileCount) {
        return `${here} points at file ${fr[0]}, but the snapshot lists only ${this.fileCount} files`;
      }
    }
    return undefined;
  }

  private scopes(at: string, scopes: unknown): string | undefined {
    if (!Array.isArray(scopes)) return expected(at, scopes, 'a list of scopes');
    for (let i = 0; i < scopes.length; i++) {
      const s = scopes[i];
      const here = `${at}[${i}]`;
      if (!isObject(s)) return expected(here, s, 'an object');
      const bad =
        str(`${here}.name`, s.name) ??
        oneOf(`${here}.kind`, s.kind, ['function', 'class']) ??
        positive(`${here}.line`, s.line) ??
        positive(`${here}.endLine`, s.endLine);
      if (bad !== undefined) return bad;
      if ((s.endLine as number) < (s.line as number)) {
        return `${here} ends on line ${s.endLine}, before it starts (line ${s.line})`;
      }
    }
    return undefined;
  }
}

function expected(at: string, found: unknown, what: string): string {
  return `${at} is ${describe(found)}, where ${what} is expected`;
}

function optional(v: unknown, check: () => string | undefined): string | undefined {
  return v === undefined ? undefined : check();
}

function nullable(v: unknown, check: () => string | undefined): string | undefined {
  return v === null ? undefined : check();
}

function str(at: string, v: unknown): string | undefined {
  return typeof v === 'string' ? undefined : expected(at, v, 'a string');
}

/**
 * Checks a list: `check(at, item)` on each item, stopping at the first problem. `what` names the
 * expected list in the sentence when `v` is not a list.
 */
function list(at: string, v: unknown, what: string, check: (at: string, item: unknown) => string | undefined): string | undefined {
  if (!Array.isArray(v)) return expected(at, v, what);
  for (let i = 0; i < v.length; i++) {
    const bad = check(`${at}[${i}]`, v[i]);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** A list of `TypeCount` rows (the census's, the garbage collector's). */
function typeCounts(at: string, v: unknown): string | undefined {
  return list(at, v, 'a list of types', (here, r) =>
    isObject(r)
      ? str(`${here}.type`, r.type) ?? natural(`${here}.count`, r.count) ?? natural(`${here}.bytes`, r.bytes)
      : expected(here, r, 'an object'),
  );
}

function bool(at: string, v: unknown): string | undefined {
  return typeof v === 'boolean' ? undefined : expected(at, v, 'true or false');
}

function num(at: string, v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? undefined : expected(at, v, 'a number');
}

/** A finite number from 0 up (seconds, times since the start). */
function nonNegative(at: string, v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : expected(at, v, 'a number from 0 up');
}

/** Any whole number, negative included (exit codes, growth). */
function integer(at: string, v: unknown): string | undefined {
  return Number.isInteger(v) ? undefined : expected(at, v, 'a whole number');
}

/** A whole number from 0 up (bytes, counts, indices). */
function natural(at: string, v: unknown): string | undefined {
  return Number.isInteger(v) && (v as number) >= 0 ? undefined : expected(at, v, 'a whole number from 0 up');
}

/** A fraction above 0 and below 1 (the sampler's peak margin). */
function fraction(at: string, v: unknown): string | undefined {
  return typeof v === 'number' && v > 0 && v < 1 ? undefined : expected(at, v, 'a number above 0 and below 1');
}

/** A whole number from 1 up (1-based line numbers). */
function positive(at: string, v: unknown): string | undefined {
  return Number.isInteger(v) && (v as number) >= 1 ? undefined : expected(at, v, 'a whole number from 1 up');
}

function oneOf(at: string, v: unknown, allowed: readonly string[]): string | undefined {
  return typeof v === 'string' && allowed.includes(v)
    ? undefined
    : expected(at, v, allowed.map((a) => `"${a}"`).join(' or '));
}

function strList(at: string, v: unknown): string | undefined {
  if (!Array.isArray(v)) return expected(at, v, 'a list of strings');
  const i = v.findIndex((s) => typeof s !== 'string');
  return i < 0 ? undefined : expected(`${at}[${i}]`, v[i], 'a string');
}
