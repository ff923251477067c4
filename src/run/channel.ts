/**
 * The host's end of the helper's channel, apart from the program's stdout and stderr: a local
 * socket in a private temporary folder (a named pipe on Windows) on which the helper sends
 * newline-delimited JSON.
 * Lines arrive in arbitrary chunks and a broken or foreign line must not stop the run, so lines
 * are reassembled here and bad ones are counted and skipped. It is two-way: `send` writes the
 * host's requests (`takeSnapshot`) as JSON lines to the helper's connections: those that sent
 * anything but `exited` (the launcher connects too, only to report the exit status, and reads
 * nothing; a helper whose socket the program closed reconnects, and is a helper again).
 *
 * Every connection must open with the run's `Hello` (its token, `channel.token`); one that does not
 * is destroyed unheard, so another process of the same user cannot end a run or announce snapshots.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FromHelper, ToHelper } from '../protocol/channel';
import { PROFILE_MODES } from '../protocol/snapshot';

/** A listening channel. Dispose it when the run is over. */
export interface Channel {
  /** The socket path or pipe name to pass to the helper in `MEMLENS_CHANNEL`. */
  readonly path: string;
  /** The run's token (32 hexadecimal characters) to pass in `MEMLENS_CHANNEL_TOKEN`. */
  readonly token: string;
  /** Calls `listener` with every well-formed message; returns a handle that stops the calls. */
  onMessage(listener: (message: FromHelper) => void): { dispose(): void };
  /**
   * Writes `message` as one JSON line to every connected helper (a connection that said hello and
   * then sent anything but `exited`, still open); false when there is none, so nothing was sent.
   */
  send(message: ToHelper): boolean;
  /**
   * How many lines were skipped because they were not JSON or not a known message, plus one for
   * each connection refused for a missing or wrong hello.
   */
  readonly badLines: number;
  /** Closes the server and every connection, and removes the socket and its private folder. */
  dispose(): Promise<void>;
}

/**
 * A line longer than this without a newline is not a message the helper sends (its largest is a
 * few hundred bytes); it is dropped so a runaway writer cannot grow memory without bound.
 */
const MAX_LINE = 1024 * 1024;

/**
 * Opens a channel listening on a fresh private path: in `folder` when given (a private folder of
 * the caller's that goes away with the run: the helper of a host that was killed outright removes
 * the socket there with the run's files), else in a private temporary folder of its own.
 */
export async function openChannel(folder?: string): Promise<Channel> {
  const token = randomBytes(16).toString('hex');
  let dir: string | undefined;
  let socketPath: string;
  if (process.platform === 'win32') {
    socketPath = `\\\\.\\pipe\\memlens-${randomBytes(8).toString('hex')}`;
  } else if (folder !== undefined) {
    socketPath = path.join(folder, 'channel.sock');
  } else {
    // mkdtemp creates the folder with mode 0700, so no other user can connect to the socket.
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-'));
    await fs.chmod(dir, 0o700);
    socketPath = path.join(dir, 'channel.sock');
  }
  const listeners = new Set<(m: FromHelper) => void>();
  const sockets = new Set<net.Socket>();
  /** Connections that sent a helper's message: the helpers, which read what `send` writes. */
  const helpers = new Set<net.Socket>();
  let badLines = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    let pending = '';
    let greeted = false;
    const take = (line: string): void => {
      if (!greeted) {
        if (isHello(line, token)) {
          greeted = true;
          return;
        }
        // Not the run's: nothing it sent or sends is heard.
        badLines++;
        pending = '';
        socket.destroy();
        return;
      }
      const message = parseMessage(line);
      if (message === undefined) {
        if (line.trim() !== '') badLines++;
        return;
      }
      if (message.type !== 'exited') helpers.add(socket);
      for (const l of [...listeners]) l(message);
    };
    socket.on('data', (chunk: string) => {
      if (socket.destroyed) return;
      pending += chunk;
      let nl: number;
      while (!socket.destroyed && (nl = pending.indexOf('\n')) >= 0) {
        take(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      if (pending.length > MAX_LINE) {
        badLines++;
        pending = '';
        if (!greeted) socket.destroy();
      }
    });
    // A last line without its newline still counts: the helper may be killed mid-write.
    socket.on('end', () => {
      if (pending !== '' && !socket.destroyed) take(pending);
      pending = '';
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      helpers.delete(socket);
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }

  let disposed: Promise<void> | undefined;
  return {
    path: socketPath,
    token,
    get badLines() {
      return badLines;
    },
    onMessage(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    send(message) {
      const line = JSON.stringify(message) + '\n';
      let sent = false;
      for (const s of helpers) {
        // A helper that ended its side reads no more; its 'close' follows.
        if (s.destroyed || !s.writable) continue;
        s.write(line);
        sent = true;
      }
      return sent;
    },
    dispose() {
      disposed ??= (async () => {
        listeners.clear();
        helpers.clear();
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
        else if (folder !== undefined) await fs.rm(socketPath, { force: true });
      })();
      return disposed;
    },
  };
}

/** The JSON object `line` holds, or undefined when it holds anything else or is not JSON. */
function jsonObject(line: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

/** Whether `line` is the hello of the run whose token is `token`. */
function isHello(line: string, token: string): boolean {
  const m = jsonObject(line);
  if (m === undefined || m.type !== 'hello' || typeof m.token !== 'string') return false;
  const got = Buffer.from(m.token);
  const want = Buffer.from(token);
  // Compared in constant time, so the time of a refusal tells nothing of the token.
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The message a line holds, or undefined when it is not JSON or not a message this host knows. */
export function parseMessage(line: string): FromHelper | undefined {
  const m = jsonObject(line);
  if (m === undefined) return undefined;
  const isNum = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
  const isStr = (x: unknown): boolean => typeof x === 'string';
  // Snapshots are numbered 1, 2, … in the order the helper took (or refused) them.
  const isSeq = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 1;
  const optional = (x: unknown, check: (x: unknown) => boolean): boolean => x === undefined || check(x);
  switch (m.type) {
    case 'started': {
      const known = isNum(m.pid) && isStr(m.python) && isStr(m.executable) && isNum(m.frames) &&
        optional(m.mode, (x) => (PROFILE_MODES as readonly unknown[]).includes(x)) &&
        optional(m.sampleInterval, isNum) &&
        optional(m.modeNote, isStr);
      // A helper from before the modes says no mode: it tracked every block, as exact mode does.
      return known ? ({ ...m, mode: m.mode ?? 'exact' } as FromHelper) : undefined;
    }
    case 'live':
      return isNum(m.tracedCurrent) && isNum(m.tracedPeak) && (m.rss === null || isNum(m.rss)) && isNum(m.t)
        ? (m as FromHelper)
        : undefined;
    case 'snapshotStarted':
      return isSeq(m.seq) && optional(m.id, isNum) && optional(m.label, isStr) && isNum(m.t) ? (m as FromHelper) : undefined;
    case 'snapshotWritten':
      return isStr(m.path) &&
        (m.kind === 'exit' || m.kind === 'snapshot') &&
        isNum(m.seconds) &&
        optional(m.seq, isSeq) &&
        optional(m.id, isNum) &&
        optional(m.label, isStr)
        ? (m as FromHelper)
        : undefined;
    case 'snapshotFailed':
      return isSeq(m.seq) && optional(m.id, isNum) && isStr(m.error) ? (m as FromHelper) : undefined;
    case 'finishing':
      return m as FromHelper;
    case 'finished':
      return (m.path === null || isStr(m.path)) && (m.error === undefined || isStr(m.error))
        ? (m as FromHelper)
        : undefined;
    case 'exited':
      return (m.pid === null || isNum(m.pid)) && (m.code === null || isNum(m.code)) && (m.signal === null || isStr(m.signal))
        ? (m as FromHelper)
        : undefined;
    default:
      return undefined;
  }
}
