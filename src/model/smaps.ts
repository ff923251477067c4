/**
 * Reads the text of `/proc/PID/smaps` into mappings, and classifies them into the classic report
 * of a process's memory: mapped files and anonymous memory apart, each split by permission class
 * (code, data, read-only, guard, shared) with the four columns Shared_Clean, Shared_Dirty,
 * Private_Clean and Private_Dirty, totals, and **writable memory** (the sum of Private_Dirty) as
 * the headline, because that is what the process really costs the system: nothing can reclaim it
 * short of swap. Pure: the text comes in as a string (from a snapshot's `process.smaps`, or from
 * `readSmaps` in `src/run/smaps.ts`), so the CLI, the panel and tests share it.
 */
import type { FileUsage, Mapping, PermClass, SmapsClassRow, SmapsFigures, SmapsGroup, SmapsGroupReport } from '../protocol/smaps';

/** Size fields with a property of their own on `Mapping`, by kernel name. */
const NAMED_FIELDS = {
  Size: 'size',
  KernelPageSize: 'kernelPageSize',
  MMUPageSize: 'mmuPageSize',
  Rss: 'rss',
  Pss: 'pss',
  Pss_Dirty: 'pssDirty',
  Shared_Clean: 'sharedClean',
  Shared_Dirty: 'sharedDirty',
  Private_Clean: 'privateClean',
  Private_Dirty: 'privateDirty',
  Referenced: 'referenced',
  Anonymous: 'anonymous',
  KSM: 'ksm',
  LazyFree: 'lazyFree',
  AnonHugePages: 'anonHugePages',
  ShmemPmdMapped: 'shmemPmdMapped',
  FilePmdMapped: 'filePmdMapped',
  Shared_Hugetlb: 'sharedHugetlb',
  Private_Hugetlb: 'privateHugetlb',
  Swap: 'swap',
  SwapPss: 'swapPss',
  Locked: 'locked',
} as const satisfies Record<string, keyof Mapping>;

type NamedField = (typeof NAMED_FIELDS)[keyof typeof NAMED_FIELDS];

/** `start-end perms offset dev inode [pathname]`; the kernel pads before the pathname. */
const HEADER = /^([0-9a-f]+)-([0-9a-f]+) +(\S{4}) +([0-9a-f]+) +([0-9a-f]+:[0-9a-f]+) +(\d+)(?: +(.*))?$/i;
/** `Name:   value`. */
const FIELD = /^([A-Za-z_][A-Za-z0-9_]*):[ \t]*(.*)$/;
/** The value of a size field: `1234 kB`. */
const KB = /^(\d+) kB$/;

/**
 * Parses smaps text into its mappings, in the order of the text (ascending address). Robust to
 * what real reads give: unknown fields are kept in `fields`/`other`, missing size fields are 0,
 * and lines that belong to no block are skipped. A read cut short leaves a partial last line;
 * when the text does not end with a newline, its last line is kept only if it is a whole size
 * field (`Rss: 12 kB`), since a header, a `VmFlags` line or a number may have lost its end.
 */
export function parseSmaps(text: string): Mapping[] {
  const lines = text.split('\n');
  const last = lines.length - 1;
  const mappings: Mapping[] = [];
  let current: Mapping | undefined;
  for (let i = 0; i <= last; i++) {
    // A CR is not part of smaps; it can only come from a copy that went through Windows.
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line === '') continue;
    const cut = i === last; // Not followed by a newline.
    const header = HEADER.exec(line);
    if (header !== null) {
      if (cut) break;
      current = newMapping(header);
      mappings.push(current);
      continue;
    }
    const field = FIELD.exec(line);
    if (field === null || current === undefined) continue;
    const [, name, rawValue] = field;
    const value = rawValue.trim();
    const kb = KB.exec(value);
    if (kb !== null) {
      const bytes = Number(kb[1]) * 1024;
      current.fields[name] = bytes;
      const prop = (NAMED_FIELDS as Record<string, NamedField | undefined>)[name];
      if (prop !== undefined) current[prop] = bytes;
    } else if (cut) {
      break;
    } else if (name === 'VmFlags') {
      current.vmFlags = value;
    } else {
      current.other[name] = value;
    }
  }
  return mappings;
}

function newMapping(h: RegExpExecArray): Mapping {
  const m = {
    start: h[1].toLowerCase(),
    end: h[2].toLowerCase(),
    perms: h[3],
    offset: parseInt(h[4], 16),
    dev: h[5],
    inode: Number(h[6]),
    pathname: h[7] ?? '',
    fields: {},
    other: {},
    vmFlags: '',
  } as Partial<Mapping>;
  for (const prop of Object.values(NAMED_FIELDS)) m[prop] = 0;
  return m as Mapping;
}

/** The groups in report order. */
export const SMAPS_GROUPS: readonly SmapsGroup[] = ['mapped', 'anonymous', 'kernel'];

const KERNEL_NAMES = new Set(['[vdso]', '[vvar]', '[vvar_vclock]', '[vsyscall]', '[uprobes]', '[sigpage]', '[vectors]']);

/** The group of a mapping, from its pathname (see `SmapsGroup`). */
export function mappingGroup(m: Pick<Mapping, 'pathname'>): SmapsGroup {
  const name = m.pathname;
  if (name === '') return 'anonymous';
  if (KERNEL_NAMES.has(name)) return 'kernel';
  if (name.startsWith('[') && name.endsWith(']')) return 'anonymous';
  return 'mapped';
}

/** The permission classes in report order. */
export const PERM_CLASSES: readonly PermClass[] = ['code', 'data', 'readonly', 'guard', 'shared', 'other'];

/** The permission class of a `perms` string such as `r-xp`. */
export function permClass(perms: string): PermClass {
  switch (perms) {
    case 'r-xp':
      return 'code';
    case 'rw-p':
      return 'data';
    case 'r--p':
      return 'readonly';
    case '---p':
      return 'guard';
    case 'r--s':
    case 'rw-s':
      return 'shared';
    default:
      return 'other';
  }
}

/** The classic report of a process's memory maps. */
export interface SmapsReport {
  /** Every group in `SMAPS_GROUPS` order, empty ones included (with no class rows). */
  groups: SmapsGroupReport[];
  /** All mappings. */
  total: SmapsFigures;
  /**
   * Writable memory: the sum of Private_Dirty. Pages only this process holds and that differ
   * from any file: what the process costs the system, reclaimable only by swapping.
   */
  writable: number;
  /** Unique set size: Private_Clean + Private_Dirty, what ending the process would free. */
  uss: number;
  /**
   * Mapped files by private dirty, most first (ties: PSS, then path), all of them. Private dirty
   * in a library is its relocated and written data: what importing it costs every process.
   */
  files: FileUsage[];
  /** Mappings with private dirty memory, most first (ties keep address order). */
  byPrivateDirty: Mapping[];
  /** Mappings with a PSS, most first. */
  byPss: Mapping[];
  /** Mappings with swapped-out pages, most first; empty when nothing is swapped. */
  bySwap: Mapping[];
}

/** Figures of nothing. */
export function emptyFigures(): SmapsFigures {
  return {
    mappings: 0, size: 0, rss: 0, pss: 0, sharedClean: 0, sharedDirty: 0,
    privateClean: 0, privateDirty: 0, swap: 0, swapPss: 0,
  };
}

function add(into: SmapsFigures, m: Mapping): void {
  into.mappings += 1;
  into.size += m.size;
  into.rss += m.rss;
  into.pss += m.pss;
  into.sharedClean += m.sharedClean;
  into.sharedDirty += m.sharedDirty;
  into.privateClean += m.privateClean;
  into.privateDirty += m.privateDirty;
  into.swap += m.swap;
  into.swapPss += m.swapPss;
}

/** A process's memory maps read once: the mappings in address order and their classic report. */
export interface MemoryMaps {
  mappings: Mapping[];
  report: SmapsReport;
}

/**
 * Parses smaps text and classifies it: what every reader of a process's memory maps (the model of
 * a snapshot, a live read) starts from, so the text is parsed once per read.
 */
export function readMemoryMaps(text: string): MemoryMaps {
  const mappings = parseSmaps(text);
  return { mappings, report: classifySmaps(mappings) };
}

/** Classifies mappings into the classic report (see `SmapsReport`). */
export function classifySmaps(mappings: readonly Mapping[]): SmapsReport {
  const total = emptyFigures();
  const groups = new Map<SmapsGroup, { total: SmapsFigures; classes: Map<PermClass, SmapsClassRow> }>(
    SMAPS_GROUPS.map((g) => [g, { total: emptyFigures(), classes: new Map() }]),
  );
  const files = new Map<string, FileUsage>();
  for (const m of mappings) {
    add(total, m);
    const group = mappingGroup(m);
    const g = groups.get(group)!;
    add(g.total, m);
    const cls = permClass(m.perms);
    let row = g.classes.get(cls);
    if (row === undefined) {
      row = { permClass: cls, perms: [], ...emptyFigures() };
      g.classes.set(cls, row);
    }
    add(row, m);
    if (!row.perms.includes(m.perms)) row.perms.push(m.perms);
    if (group === 'mapped') {
      let f = files.get(m.pathname);
      if (f === undefined) {
        f = { path: m.pathname, ...emptyFigures() };
        files.set(m.pathname, f);
      }
      add(f, m);
    }
  }
  const ranked = (key: 'privateDirty' | 'pss' | 'swap'): Mapping[] =>
    // Array.prototype.sort is stable, so ties keep address order.
    mappings.filter((m) => m[key] > 0).sort((a, b) => b[key] - a[key]);
  return {
    groups: SMAPS_GROUPS.map((group) => {
      const g = groups.get(group)!;
      const classes = PERM_CLASSES.flatMap((c) => {
        const row = g.classes.get(c);
        if (row === undefined) return [];
        row.perms.sort();
        return [row];
      });
      return { group, classes, total: g.total };
    }),
    total,
    writable: total.privateDirty,
    uss: total.privateClean + total.privateDirty,
    files: [...files.values()].sort(
      (a, b) => b.privateDirty - a.privateDirty || b.pss - a.pss || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    ),
    byPrivateDirty: ranked('privateDirty'),
    byPss: ranked('pss'),
    bySwap: ranked('swap'),
  };
}
