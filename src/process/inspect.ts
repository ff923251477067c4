/**
 * `MemLens: Inspect Process Memory…`: any running process's memory maps (`/proc/PID/smaps`) in
 * the memory panel's Process tab, no profiling needed: a GTK application, a daemon, a Python
 * program started elsewhere. A quick pick lists the processes (the current user's first, largest
 * resident set first); typing a PID that is not listed offers it too. A process that cannot be
 * read (another user's, gone, not Linux) gets a sentence, and the panel keeps what it showed.
 */
import * as vscode from 'vscode';
import { formatBytes } from '../model/format';
import * as notify from '../notify/notify';
import { liveProcessData } from '../panel/liveProcess';
import type { MemoryPanel } from '../panel/memoryPanel';
import { listProcesses, sortProcesses, type ProcessEntry } from './processList';
import { readLiveProcess } from './readLive';

interface ProcessItem extends vscode.QuickPickItem {
  pid: number;
}

/** What the command did, for tests: the process shown, or why not. */
export type InspectOutcome = { ok: true; pid: number } | { ok: false; message: string };

/** Runs the command; `pid` skips the quick pick. */
export async function inspectProcessCommand(panel: MemoryPanel, pid?: number): Promise<InspectOutcome> {
  if (process.platform !== 'linux') {
    return refuse(`Inspecting a process's memory reads /proc/PID/smaps, which only Linux has; this system is ${process.platform}.`);
  }
  if (pid === undefined) {
    const picked = await pickProcess();
    if (picked === undefined) return { ok: false, message: 'cancelled' };
    pid = picked;
  }
  const read = await readLiveProcess(pid);
  if (!read.smaps.ok) return refuse(read.smaps.error);
  panel.showProcess(liveProcessData(read));
  return { ok: true, pid };
}

function refuse(sentence: string): InspectOutcome {
  void notify.error(`MemLens: ${sentence}`);
  return { ok: false, message: sentence };
}

/** The quick pick of running processes; resolves with a pid, or undefined when dismissed. */
async function pickProcess(): Promise<number | undefined> {
  const qp = vscode.window.createQuickPick<ProcessItem>();
  qp.title = 'MemLens: Inspect Process Memory';
  qp.placeholder = 'Pick a process, or type its PID';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  qp.show();
  let listed: ProcessItem[] = [];
  const uid = process.getuid?.() ?? -1;
  void listProcesses().then((list) => {
    listed = sortProcesses(list, uid).map((p) => item(p, uid));
    qp.items = withTyped(listed, qp.value);
    qp.busy = false;
  }, (err: unknown) => {
    qp.busy = false;
    qp.placeholder = `The process list cannot be read (${err instanceof Error ? err.message : String(err)}); type a PID`;
  });
  return new Promise((resolve) => {
    qp.onDidChangeValue((value) => {
      qp.items = withTyped(listed, value);
    });
    qp.onDidAccept(() => {
      const typed = /^\s*(\d+)\s*$/.exec(qp.value);
      // Typed digits are a PID: the filter may rank another process first (11234 for 1234).
      const exact = typed ? listed.find((i) => i.pid === Number(typed[1])) : undefined;
      const chosen = exact ?? qp.selectedItems[0] ?? qp.activeItems[0];
      resolve(chosen?.pid ?? (typed ? Number(typed[1]) : undefined));
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
  });
}

function item(p: ProcessEntry, uid: number): ProcessItem {
  return {
    pid: p.pid,
    label: `${p.name} ${p.pid}`,
    description: `${p.rss === null ? 'no resident memory' : formatBytes(p.rss)}${p.uid === uid ? '' : ` · user ${p.uid}`}`,
    detail: p.commandLine || '(kernel thread)',
  };
}

/** The list, led by an entry for a typed PID that the list does not hold. */
function withTyped(listed: ProcessItem[], value: string): ProcessItem[] {
  const m = /^\s*(\d+)\s*$/.exec(value);
  if (!m || listed.some((i) => i.pid === Number(m[1]))) return listed;
  const pid = Number(m[1]);
  // alwaysShow: the typed digits match no label, so the filter would hide it.
  return [{ pid, label: `Process ${pid}`, description: 'not in the list: inspect it anyway', alwaysShow: true }, ...listed];
}
