// The process list of `MemLens: Inspect Process Memory…` (src/process/processList.ts), on
// /proc text captured from real processes (test/fixtures/proc/: a python3 holding an 8 MiB
// bytearray, and a kernel worker thread): name, owner and resident size from `status`, the
// command line from `cmdline`, the current user's processes first and the largest first, and
// processes that end while the list is read left out.
import * as assert from 'node:assert/strict';
import { listProcesses, parseCmdline, parseStatus, sortProcesses, type ProcessEntry } from '../../src/process/processList';
import { fixtureText } from './helpers';

const proc = (name: string): string => fixtureText(`proc/${name}`);

suite('process list', () => {
  test('status: name, real uid and resident size of a python3 process', () => {
    assert.deepEqual(parseStatus(proc('python3.status')), { name: 'python3', uid: 0, rss: 21712 * 1024 });
  });

  test('status: a kernel thread has a name and no resident size', () => {
    assert.deepEqual(parseStatus(proc('kworker.status')), { name: 'kworker/0:0H-events_highpri', uid: 0, rss: null });
  });

  test('status without a name or uid is not a process entry', () => {
    assert.equal(parseStatus('State:\tR (running)\n'), undefined);
    assert.equal(parseStatus('Name:\tx\nUid:\tnot a number\n'), undefined);
  });

  test('cmdline: NUL-separated arguments joined by spaces; a kernel thread has none', () => {
    assert.equal(parseCmdline(proc('python3.cmdline')),
      '/root/.pyenv/versions/3.11.7/bin/python3 -c import time; x = bytearray(8 << 20); time.sleep(5)');
    assert.equal(parseCmdline(proc('kworker.cmdline')), '');
    assert.equal(parseCmdline('a\0\0b\0'), 'a  b', 'an empty argument in the middle stays');
  });

  test('sorted: the current user\'s processes first, then by resident size, kernel threads last', () => {
    const p = (pid: number, uid: number, rss: number | null): ProcessEntry => ({ pid, name: `p${pid}`, commandLine: '', uid, rss });
    const sorted = sortProcesses([p(1, 0, 500), p(2, 1000, 10), p(3, 1000, null), p(4, 1000, 900), p(5, 0, 2000)], 1000);
    assert.deepEqual(sorted.map((e) => e.pid), [4, 2, 3, 5, 1]);
  });

  test('listing /proc: numeric entries only; a process that ends while read is left out', async () => {
    const files: Record<string, string> = {
      '/proc/42/status': proc('python3.status'),
      '/proc/42/cmdline': proc('python3.cmdline'),
      '/proc/10/status': proc('kworker.status'),
      '/proc/10/cmdline': '',
    };
    const list = await listProcesses({
      readdir: async () => ['1', '10', '42', 'self', 'sys', '77'],
      readFile: async (path) => {
        if (path in files) return files[path];
        throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      },
    });
    assert.deepEqual(list.map((e) => [e.pid, e.name, e.rss]).sort(), [[10, 'kworker/0:0H-events_highpri', null], [42, 'python3', 21712 * 1024]]);
  });
});
