import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FromHelper, ToHelper } from '../../src/protocol/channel';
import { openChannel, parseMessage, type Channel } from '../../src/run/channel';

/** The first line a connection to `channel` must send. */
function hello(channel: Channel, token = channel.token): string {
  return JSON.stringify({ type: 'hello', token }) + '\n';
}

/** Connects to `channel` and writes `chunks` one by one, letting each reach the server alone. */
async function send(channel: Channel, chunks: string[]): Promise<void> {
  const socket = net.createConnection(channel.path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  for (const c of chunks) {
    await new Promise<void>((resolve) => socket.write(c, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

/** Waits until `cond` holds, failing after two seconds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(cond(), 'timed out');
}

suite('channel', () => {
  test('reassembles messages split across chunks and skips bad lines', async () => {
    const channel = await openChannel();
    try {
      if (process.platform !== 'win32') {
        // The socket lives in a folder only this user can enter.
        assert.equal(statSync(path.dirname(channel.path)).mode & 0o777, 0o700);
      }
      const got: FromHelper[] = [];
      channel.onMessage((m) => got.push(m));
      const started = JSON.stringify({ type: 'started', pid: 7, python: '3.12.1', executable: '/usr/bin/python3', frames: 8 });
      const live = JSON.stringify({ type: 'live', tracedCurrent: 100, tracedPeak: 200, rss: null, t: 1.5 });
      const finished = JSON.stringify({ type: 'finished', path: '/tmp/s.json' });
      await send(channel, [
        hello(channel) + started.slice(0, 10),
        started.slice(10) + '\n' + live.slice(0, 5),
        live.slice(5) + '\nnot json\n{"type":"mystery"}\n\n{"type":"finishing"}\n',
        // The last line may arrive without its newline when the helper is cut off.
        finished,
      ]);
      await until(() => got.length === 4);
      assert.deepEqual(got.map((m) => m.type), ['started', 'live', 'finishing', 'finished']);
      assert.deepEqual(got[1], JSON.parse(live));
      assert.equal(channel.badLines, 2);
    } finally {
      await channel.dispose();
    }
  });

  test('multi-byte characters split between chunks survive', async () => {
    const channel = await openChannel();
    try {
      const got: FromHelper[] = [];
      channel.onMessage((m) => got.push(m));
      const bytes = Buffer.from(JSON.stringify({ type: 'finished', path: '/tmp/Größe €.json' }) + '\n');
      const cut = bytes.indexOf(0xc3) + 1; // Inside the two bytes of ö.
      const socket = net.createConnection(channel.path);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(hello(channel));
      socket.write(bytes.subarray(0, cut));
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.end(bytes.subarray(cut));
      await until(() => got.length === 1);
      assert.equal((got[0] as { path: string }).path, '/tmp/Größe €.json');
    } finally {
      await channel.dispose();
    }
  });

  test('a disposed listener hears nothing; dispose removes the private folder', async () => {
    const channel = await openChannel();
    const got: FromHelper[] = [];
    const sub = channel.onMessage((m) => got.push(m));
    sub.dispose();
    let other = 0;
    channel.onMessage(() => other++);
    await send(channel, [hello(channel) + JSON.stringify({ type: 'finished', path: null }) + '\n']);
    await until(() => other === 1);
    assert.equal(got.length, 0);
    await channel.dispose();
    if (process.platform !== 'win32') assert.equal(existsSync(path.dirname(channel.path)), false);
  });


  test("in the caller's folder: the socket is made there, and dispose removes it but not the folder", async function () {
    if (process.platform === 'win32') this.skip();
    const folder = mkdtempSync(path.join(os.tmpdir(), 'memlens-channel-test-'));
    try {
      const channel = await openChannel(folder);
      assert.equal(path.dirname(channel.path), folder);
      assert.ok(statSync(channel.path).isSocket());
      await channel.dispose();
      assert.deepEqual(readdirSync(folder), []);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
  test('validates the snapshot messages of a run', () => {
    const ok = [
      { type: 'snapshotStarted', seq: 1, t: 2.5 },
      { type: 'snapshotStarted', seq: 2, id: 7, label: 'after login', t: 3 },
      { type: 'snapshotWritten', path: '/r/snapshot-2.json', kind: 'snapshot', seconds: 1.2, seq: 2, id: 7, label: 'after login' },
      { type: 'snapshotWritten', path: '/r/snapshot.json', kind: 'exit', seconds: 0.4 },
      { type: 'snapshotFailed', seq: 3, error: 'Two snapshots are still being written.' },
      { type: 'snapshotFailed', seq: 4, id: 9, error: 'Not supported on this platform yet.' },
    ];
    for (const m of ok) assert.deepEqual(parseMessage(JSON.stringify(m)), m, JSON.stringify(m));
    const bad = [
      { type: 'snapshotStarted', t: 1 },
      { type: 'snapshotStarted', seq: 0, t: 1 },
      { type: 'snapshotStarted', seq: 1.5, t: 1 },
      { type: 'snapshotStarted', seq: 1, t: 1, label: 3 },
      { type: 'snapshotStarted', seq: 1, id: '7', t: 1 },
      { type: 'snapshotStarted', seq: 1 },
      { type: 'snapshotWritten', path: '/r/s-1.json', kind: 'snapshot', seconds: 1, seq: '1' },
      { type: 'snapshotWritten', path: '/r/s-1.json', kind: 'snapshot', seconds: 1, label: null },
      { type: 'snapshotWritten', path: '/r/s-1.json', kind: 'midrun', seconds: 1 },
      { type: 'snapshotFailed', seq: 1 },
      { type: 'snapshotFailed', error: 'no seq' },
      { type: 'snapshotFailed', seq: 1, id: null, error: 'x' },
    ];
    for (const m of bad) assert.equal(parseMessage(JSON.stringify(m)), undefined, JSON.stringify(m));
  });

  test('send writes JSON lines to the helper, and only while it is connected', async () => {
    const channel = await openChannel();
    try {
      const request: ToHelper = { type: 'takeSnapshot', id: 1, label: 'now' };
      assert.equal(channel.send(request), false, 'no helper yet');

      // A connection that sent no helper's message (the launcher before `exited`) is not written to.
      const stranger = net.createConnection(channel.path);
      let strangerGot = '';
      stranger.setEncoding('utf8').on('data', (d: string) => (strangerGot += d));
      await new Promise<void>((resolve) => stranger.once('connect', resolve));
      stranger.write(hello(channel));

      const helper = net.createConnection(channel.path);
      let helperGot = '';
      helper.setEncoding('utf8').on('data', (d: string) => (helperGot += d));
      await new Promise<void>((resolve) => helper.once('connect', resolve));
      const started: FromHelper[] = [];
      channel.onMessage((m) => started.push(m));
      helper.write(hello(channel) + JSON.stringify({ type: 'started', pid: 1, python: '3.12.1', executable: 'python3', frames: 8 }) + '\n');
      await until(() => started.length === 1);

      assert.equal(channel.send(request), true);
      assert.equal(channel.send({ type: 'takeSnapshot', id: 2 }), true);
      await until(() => helperGot.split('\n').length === 3);
      assert.deepEqual(
        helperGot.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown),
        [request, { type: 'takeSnapshot', id: 2 }],
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(strangerGot, '');

      helper.destroy();
      await until(() => !channel.send(request));
      stranger.destroy();
    } finally {
      await channel.dispose();
    }
  });

  test('the token is 32 hexadecimal characters, fresh for each channel', async () => {
    const a = await openChannel();
    const b = await openChannel();
    try {
      assert.match(a.token, /^[0-9a-f]{32}$/);
      assert.notEqual(a.token, b.token);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  test('a connection without the right hello is closed and none of its lines is heard', async () => {
    const channel = await openChannel();
    try {
      const got: FromHelper[] = [];
      channel.onMessage((m) => got.push(m));
      const finished = JSON.stringify({ type: 'finished', path: '/tmp/forged.json' }) + '\n';
      const started = JSON.stringify({ type: 'started', pid: 1, python: '3.12.1', executable: 'python3', frames: 8 }) + '\n';
      const attempts = [
        finished, // No hello at all.
        hello(channel, 'f'.repeat(32)) + finished, // The wrong token.
        hello(channel, channel.token.slice(0, 31)) + finished, // A prefix of the right one.
        JSON.stringify({ type: 'hello' }) + '\n' + finished, // No token.
        JSON.stringify({ type: 'started', token: channel.token }) + '\n' + started, // The token, but not a hello.
      ];
      for (const attempt of attempts) {
        const socket = net.createConnection(channel.path);
        let answer = '';
        socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.on('error', () => undefined);
        await new Promise<void>((resolve) => socket.once('connect', resolve));
        socket.write(attempt);
        // The host ends the connection itself: the writer does not end it here.
        await closed;
        assert.equal(answer, '');
      }
      assert.equal(got.length, 0);
      assert.equal(channel.badLines, attempts.length);
      // Not a helper either: nothing is sent to a refused connection.
      assert.equal(channel.send({ type: 'takeSnapshot', id: 1 }), false);
      // The right hello works.
      await send(channel, [hello(channel) + finished]);
      await until(() => got.length === 1);
      assert.deepEqual(got[0], JSON.parse(finished));
    } finally {
      await channel.dispose();
    }
  });

  test('a helper that reconnects (hello, then its messages) is a helper again for send', async () => {
    const channel = await openChannel();
    try {
      const got: FromHelper[] = [];
      channel.onMessage((m) => got.push(m));
      const first = net.createConnection(channel.path);
      await new Promise<void>((resolve) => first.once('connect', resolve));
      first.write(hello(channel) + JSON.stringify({ type: 'started', pid: 1, python: '3.12.1', executable: 'python3', frames: 8 }) + '\n');
      await until(() => got.length === 1);
      assert.equal(channel.send({ type: 'takeSnapshot', id: 1 }), true);
      // The program closed the helper's socket (os.closerange): the helper connects again.
      first.destroy();
      await until(() => !channel.send({ type: 'takeSnapshot', id: 2 }));
      const again = net.createConnection(channel.path);
      let againGot = '';
      again.setEncoding('utf8').on('data', (d: string) => (againGot += d));
      await new Promise<void>((resolve) => again.once('connect', resolve));
      again.write(hello(channel) + JSON.stringify({ type: 'live', tracedCurrent: 1, tracedPeak: 2, rss: null, t: 3 }) + '\n');
      await until(() => got.length === 2);
      assert.deepEqual(got.map((m) => m.type), ['started', 'live'], 'hello reaches no listener');
      const request: ToHelper = { type: 'takeSnapshot', id: 3, label: 'after reconnecting' };
      assert.equal(channel.send(request), true);
      await until(() => againGot.endsWith('\n'));
      assert.deepEqual(JSON.parse(againGot), request);
      again.destroy();
      // The launcher's connection (hello, then `exited` alone) is not a helper.
      const launcher = net.createConnection(channel.path);
      await new Promise<void>((resolve) => launcher.once('connect', resolve));
      launcher.write(hello(channel) + JSON.stringify({ type: 'exited', pid: 1, code: 0, signal: null }) + '\n');
      await until(() => got.length === 3);
      await until(() => !channel.send(request));
      launcher.destroy();
    } finally {
      await channel.dispose();
    }
  });
});
