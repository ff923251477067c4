/**
 * Reads the text `sys._debugmallocstats()` prints (a snapshot's `pymallocStats`) into figures:
 * pymalloc's blocks per size class, its arenas, and where the bytes of its arenas went (blocks
 * in use, free blocks, unused pools, pool headers, quantization, alignment), so fragmentation of
 * Python's own small-object allocator can be shown. Pure: the text comes in as a string.
 *
 * The format is CPython's and varies by version: 3.8 and 3.9 print 256 KiB arenas of 4 KiB pools,
 * 3.10+ 1 MiB arenas of 16 KiB pools plus an "arena map" section with a second `Total`; column
 * padding differs, and the free-list lines below change from version to version. The parser keys
 * on the labels, not on positions, and takes the first `Total` (the arenas'), so it reads
 * 3.8-3.13 alike. Where pymalloc is not in use (`PYTHONMALLOC=malloc`, free-threaded builds) the
 * text has no pymalloc section and the parser says so by returning `undefined`.
 */
import type { PymallocStats } from '../protocol/pymalloc';

/** `    3     64         244           15355            17`: class, size, pools, in use, free. */
const SIZE_CLASS = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/;
/** `# arenas allocated total           =                    8`. */
const LABELLED = /^#\s*(.+?)\s*=\s*([\d,]+)\s*$/;
/** `8 arenas * 262144 bytes/arena      =            2,097,152`. */
const ARENAS = /^\s*([\d,]+)\s+arenas\s*\*\s*([\d,]+)\s+bytes\/arena\s*=\s*([\d,]+)\s*$/;
/** `10 unused pools * 4096 bytes       =               40,960`. */
const UNUSED_POOLS = /^\s*([\d,]+)\s+unused pools\s*\*\s*([\d,]+)\s+bytes\s*=\s*([\d,]+)\s*$/;
/** `Total                              =            2,097,152`. */
const TOTAL = /^Total\s*=\s*([\d,]+)\s*$/;

/** The labelled lines this parser reads, by label. */
const LABELS: Record<string, keyof PymallocStats> = {
  'arenas allocated total': 'arenasAllocatedTotal',
  'arenas reclaimed': 'arenasReclaimed',
  'arenas highwater mark': 'arenasHighwater',
  'arenas allocated current': 'arenasCurrent',
  'bytes in allocated blocks': 'bytesInAllocatedBlocks',
  'bytes in available blocks': 'bytesInAvailableBlocks',
  'bytes lost to pool headers': 'bytesLostToPoolHeaders',
  'bytes lost to quantization': 'bytesLostToQuantization',
  'bytes lost to arena alignment': 'bytesLostToArenaAlignment',
};

function int(text: string): number {
  return Number(text.replace(/,/g, ''));
}

/**
 * Parses `sys._debugmallocstats()` text. Returns `undefined` when the text holds no pymalloc
 * section (no size-class table and no arena figures). Figures a version does not print are 0
 * (or null for the arena and pool sizes); unknown lines are skipped.
 */
export function parsePymallocStats(text: string): PymallocStats | undefined {
  const stats: PymallocStats = {
    sizeClasses: [],
    arenasAllocatedTotal: 0,
    arenasReclaimed: 0,
    arenasHighwater: 0,
    arenasCurrent: 0,
    arenaSize: null,
    bytesInAllocatedBlocks: 0,
    bytesInAvailableBlocks: 0,
    unusedPools: 0,
    unusedPoolBytes: 0,
    poolSize: null,
    bytesLostToPoolHeaders: 0,
    bytesLostToQuantization: 0,
    bytesLostToArenaAlignment: 0,
    total: 0,
  };
  let found = false;
  let inTable = false;
  let haveTotal = false;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // The table runs from its dashed rule to the first line that is not a row.
    if (/^[-\s]+$/.test(line) && line.includes('-')) {
      inTable = true;
      continue;
    }
    if (inTable) {
      const row = SIZE_CLASS.exec(line);
      if (row) {
        stats.sizeClasses.push({ size: int(row[2]), pools: int(row[3]), blocksInUse: int(row[4]), availableBlocks: int(row[5]) });
        found = true;
        continue;
      }
      inTable = false;
    }
    const labelled = LABELLED.exec(line);
    if (labelled) {
      const key = LABELS[labelled[1].replace(/\s+/g, ' ')];
      if (key !== undefined) {
        (stats as unknown as Record<string, number>)[key] = int(labelled[2]);
        found = true;
      }
      continue;
    }
    const arenas = ARENAS.exec(line);
    if (arenas) {
      stats.arenaSize = int(arenas[2]);
      continue;
    }
    const unused = UNUSED_POOLS.exec(line);
    if (unused) {
      stats.unusedPools = int(unused[1]);
      stats.poolSize = int(unused[2]);
      stats.unusedPoolBytes = int(unused[3]);
      continue;
    }
    const total = TOTAL.exec(line);
    // From 3.10 the arena map has a Total of its own, after the arenas' one.
    if (total && !haveTotal) {
      stats.total = int(total[1]);
      haveTotal = true;
    }
  }
  return found ? stats : undefined;
}
