/**
 * A process's memory maps as they cross to the panel and the reports: one mapping of
 * `/proc/PID/smaps`, the groups and permission classes it is classified into, and the summed
 * figures of each (`src/model/smaps.ts` parses and classifies; the panel and the CLI show).
 */

/**
 * One mapping: the header line of an smaps block and every field under it. Sizes are bytes (the
 * kernel writes kB); a size field the block lacks (an older kernel, a truncated read) is 0.
 */
export interface Mapping {
  /**
   * First address and the address after the last, hex as the kernel writes them: 64-bit
   * addresses (`ffffffffff600000`) do not fit a JavaScript number exactly.
   */
  start: string;
  end: string;
  /** `r`/`-`, `w`/`-`, `x`/`-`, then `p` (private) or `s` (shared): `r-xp`, `rw-p`, `r--s`. */
  perms: string;
  /** Offset of the mapping in its file, bytes (0 for anonymous memory). */
  offset: number;
  /** Device as `major:minor`, hex (`fe:00`; `00:00` for anonymous memory). */
  dev: string;
  inode: number;
  /**
   * '' for anonymous memory; `[heap]`, `[stack]`, `[anon:name]`, `[vdso]`…; else the path of the
   * mapped file as the kernel shows it, spaces included and ending in ` (deleted)` when the file
   * was removed after it was mapped (a newline in a name shows as `\012`).
   */
  pathname: string;
  size: number;
  kernelPageSize: number;
  mmuPageSize: number;
  /** Resident bytes, shared pages counted in full. */
  rss: number;
  /** Proportional set size: each shared page divided among the processes that map it. */
  pss: number;
  pssDirty: number;
  sharedClean: number;
  sharedDirty: number;
  privateClean: number;
  privateDirty: number;
  referenced: number;
  /** Resident pages that belong to no file (anonymous, or copied on write from the file). */
  anonymous: number;
  ksm: number;
  lazyFree: number;
  anonHugePages: number;
  shmemPmdMapped: number;
  filePmdMapped: number;
  sharedHugetlb: number;
  privateHugetlb: number;
  swap: number;
  swapPss: number;
  locked: number;
  /**
   * Every `… kB` field of the block by its kernel name, in bytes: the ones named above and any
   * this parser does not know (later kernels add some).
   */
  fields: Record<string, number>;
  /** Fields that are not sizes (`THPeligible: 0`, `ProtectionKey: 0`), as written. */
  other: Record<string, string>;
  /** `VmFlags` as written (`rd wr mr mw me ac`); '' when absent. */
  vmFlags: string;
}

/**
 * Where a mapping's memory comes from:
 * - `mapped`: a file (libraries, the interpreter, mmapped data, `/dev/shm`, `memfd:`…);
 * - `anonymous`: no file: no name, `[heap]`, `[stack]` (`[stack:tid]` on old kernels),
 *   `[anon:name]`, `[anon_shmem:name]` and any other bracketed name not listed below;
 * - `kernel`: pages the kernel maps into every process (`[vdso]`, `[vvar]`, `[vvar_vclock]`,
 *   `[vsyscall]`, `[uprobes]`, and ARM's `[sigpage]` and `[vectors]`). They are neither a file
 *   nor memory the program allocated, and putting their code (`r-xp`) among anonymous memory
 *   would read as JIT code, so they are a group of their own; they hold a few pages at most.
 */
export type SmapsGroup = 'mapped' | 'anonymous' | 'kernel';

/**
 * A permission class: `code` `r-xp`, `data` `rw-p`, `readonly` `r--p` (constants, RELRO), `guard`
 * `---p` (no access: stack guards, gaps between a library's segments, reserved address space),
 * `shared` `r--s` and `rw-s`, and `other` for anything else (`rwxp` JIT code, `--xp`, `r-xs`…).
 */
export type PermClass = 'code' | 'data' | 'readonly' | 'guard' | 'shared' | 'other';

/** Summed figures of some mappings, bytes (except `mappings`, a count). */
export interface SmapsFigures {
  mappings: number;
  /** Address space (virtual size). */
  size: number;
  rss: number;
  pss: number;
  sharedClean: number;
  sharedDirty: number;
  privateClean: number;
  privateDirty: number;
  swap: number;
  swapPss: number;
}

/** One permission class within a group. */
export interface SmapsClassRow extends SmapsFigures {
  permClass: PermClass;
  /** The distinct `perms` strings seen in this row, sorted (`['r--s', 'rw-s']`). */
  perms: string[];
}

/** A group's rows: the permission classes that occur in it, in `PERM_CLASSES` order, and a total. */
export interface SmapsGroupReport {
  group: SmapsGroup;
  classes: SmapsClassRow[];
  total: SmapsFigures;
}

/** A mapped file with the figures of all its mappings summed (a library has four or five). */
export interface FileUsage extends SmapsFigures {
  /** The pathname as the kernel shows it (` (deleted)` included). */
  path: string;
}

/** What the reports and the panel call each group. */
export const SMAPS_GROUP_TITLES: Readonly<Record<SmapsGroup, string>> = {
  mapped: 'Mapped files',
  anonymous: 'Anonymous memory',
  kernel: 'Kernel pages',
};

/** What the reports and the panel call each permission class. */
export const PERM_CLASS_TITLES: Readonly<Record<PermClass, string>> = {
  code: 'code',
  data: 'data',
  readonly: 'read-only',
  guard: 'guard',
  shared: 'shared',
  other: 'other',
};

/** A summed figure that is a kernel field: every one but the count of mappings. */
export type SmapsField = Exclude<keyof SmapsFigures, 'mappings'>;

/**
 * The kernel's name of each summed figure (`privateDirty` → `Private_Dirty`): the reports and the
 * panel title their columns as `/proc/PID/smaps` names the fields, so a reader can match them.
 */
export const SMAPS_FIELD_NAMES: Readonly<Record<SmapsField, string>> = {
  size: 'Size',
  rss: 'Rss',
  pss: 'Pss',
  sharedClean: 'Shared_Clean',
  sharedDirty: 'Shared_Dirty',
  privateClean: 'Private_Clean',
  privateDirty: 'Private_Dirty',
  swap: 'Swap',
  swapPss: 'SwapPss',
};
