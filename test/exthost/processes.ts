// Processes seen through /proc (Linux), for tests that check a run leaves nothing running.
import * as fs from 'fs';

/** The state letter of `pid` (R, S, T, Z, …), or undefined when there is no such process. */
function state(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs: a zombie has ended, though its parent has not collected it yet. */
export function alive(pid: number): boolean {
  const s = state(pid);
  return s !== undefined && s !== 'Z';
}

/** The live processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') found.push(Number(name));
    } catch {
      // Ended while the folder was read.
    }
  }
  return found;
}
