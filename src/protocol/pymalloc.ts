/**
 * pymalloc's state as it crosses to the panel: its blocks per size class, its arenas, and where
 * the bytes of its arenas went, as `src/model/pymalloc.ts` reads them from the text
 * `sys._debugmallocstats()` prints.
 */

/** One size class: blocks of `size` bytes carved out of `pools` pools. */
export interface PymallocSizeClass {
  /** Block size in bytes (16, 32, … 512). */
  size: number;
  pools: number;
  blocksInUse: number;
  /** Free blocks in those pools (allocated to pymalloc, not to objects). */
  availableBlocks: number;
}

/** pymalloc's state as `sys._debugmallocstats()` printed it. Byte figures are bytes. */
export interface PymallocStats {
  /** Size classes that have pools, in the order printed (ascending size). */
  sizeClasses: PymallocSizeClass[];
  arenasAllocatedTotal: number;
  arenasReclaimed: number;
  arenasHighwater: number;
  arenasCurrent: number;
  /** Bytes of one arena (256 KiB up to 3.9, 1 MiB from 3.10); null when the line is missing. */
  arenaSize: number | null;
  bytesInAllocatedBlocks: number;
  bytesInAvailableBlocks: number;
  /** Pools of the current arenas that hold no block. */
  unusedPools: number;
  /** Their bytes (`unusedPools` × the pool size). */
  unusedPoolBytes: number;
  /** Bytes of one pool (4 KiB up to 3.9, 16 KiB from 3.10); null when the line is missing. */
  poolSize: number | null;
  bytesLostToPoolHeaders: number;
  bytesLostToQuantization: number;
  bytesLostToArenaAlignment: number;
  /** The arenas' bytes: the sum of the figures above (`arenasCurrent` × `arenaSize`). */
  total: number;
}
