import * as assert from 'node:assert/strict';
import { programLabel, renderReport } from '../../src/cli/report';
import { parseSnapshot } from '../../src/model/load';
import { buildModel } from '../../src/model/model';
import { fixtureText, makeDoc, runDoc } from './helpers';

const MiB = 1024 * 1024;

suite('cli report', () => {
  const sources: Record<string, string[]> = {
    '/ws/sample.py': ['', '', 'def build():', '    data = bytearray(40 * 1024 * 1024)', '', '    spike = bytearray(64 * 1024 * 1024)', '', '    parsed = json.loads("[" + ",".join(["1"] * 1000) + "]" + " " * 200)'],
  };
  const sourceLine = (file: string, line: number): string | undefined => sources[file]?.[line - 1];

  test('the mini fixture: header, both tables in order, relative paths and source text', () => {
    const doc = runDoc(parseSnapshot(fixtureText('mini.json'), 'mini.json'));
    doc.program.exitCode = 0;
    const text = renderReport(buildModel(doc), { top: 10, cwd: '/ws', sourceLine });
    const lines = text.split('\n');
    assert.equal(lines[0], 'MemLens — sample.py — exit code 0 — traced peak 104.9 MiB — peak RSS 143.1 MiB');
    assert.equal(lines[1], '═'.repeat(lines[0].length));
    const exitAt = lines.indexOf('Hottest lines at exit');
    const peakAt = lines.indexOf('Hottest lines at peak');
    assert.ok(exitAt > 0 && peakAt > exitAt);
    assert.match(lines[exitAt + 1], /^ {2}# +bytes +blocks +line +source$/);
    assert.match(lines[exitAt + 2], /^ {2}1 +40\.0 MiB +1 +sample\.py:4 +data = bytearray\(40 \* 1024 \* 1024\)$/);
    // Source text is cut at 60 characters.
    assert.match(lines[exitAt + 3], /^ {2}2 +55\.6 KiB +1000 +sample\.py:8 +parsed = json\.loads.{40}…$/);
    assert.equal(lines[exitAt + 3].split('  ').pop()!.length, 60);
    assert.match(lines[peakAt + 2], /^ {2}1 +64\.0 MiB +1 +sample\.py:6 +spike = bytearray/);
    assert.match(lines[peakAt + 3], /^ {2}2 +40\.0 MiB +1 +sample\.py:4/);
    assert.match(text, /Captured at 103\.0 MiB of the 104\.9 MiB traced peak/);
    assert.doesNotMatch(text, /No user frame/);
    assert.ok(text.endsWith('\n'));
  });

  test('rows with no user frame are starred and explained; files outside cwd stay absolute', () => {
    const doc = makeDoc([
      { path: '/ws/app.py', lines: [[3, 2 * MiB, 1]] },
      { path: '/usr/lib/python3/json/decoder.py', user: false, lines: [[353, MiB, 20, true]] },
    ]);
    doc.peak.method = 'none';
    const text = renderReport(buildModel(doc), { top: 10, cwd: '/ws', sourceLine: () => undefined });
    assert.match(text, /app\.py:3\n/);
    assert.match(text, /\/usr\/lib\/python3\/json\/decoder\.py:353 \*\n/);
    const deep = makeDoc([{ path: '/opt/venvs/project/lib/python3.12/site-packages/somepkg/sub/module.py', lines: [[7, 10, 1]] }]);
    const shortened = renderReport(buildModel(deep), { top: 10, cwd: '/ws', sourceLine: () => undefined });
    // Long paths keep their end (the file's name) and are cut to 50 characters.
    assert.match(shortened, / …[^ ]{49}:7\n/);
    assert.match(shortened, /somepkg\/sub\/module\.py:7\n/);
    assert.match(text, /\* No user frame within 8 frames/);
    assert.match(text, /Hottest lines at peak: not captured/);
  });

  test('top limits the rows; an exception and a signal are reported', () => {
    const doc = makeDoc([{ path: '/ws/app.py', lines: [[1, 300, 1], [2, 200, 1], [3, 100, 1]] }]);
    doc.program.end = { kind: 'exception', type: 'ValueError', message: 'bad row', file: '/ws/app.py', line: 9 };
    doc.program.exitCode = null;
    doc.program.exitSignal = 'SIGKILL';
    const text = renderReport(buildModel(doc), { top: 2, cwd: '/ws', sourceLine: () => undefined });
    assert.match(text, /— ended by SIGKILL —/);
    assert.match(text, /The program ended with an uncaught ValueError at app\.py:9: bad row/);
    assert.match(text, /app\.py:2/);
    assert.doesNotMatch(text, /app\.py:3/);
  });

  test('an empty run says so', () => {
    const text = renderReport(buildModel(makeDoc([])), { top: 10, cwd: '/ws', sourceLine: () => undefined });
    assert.match(text, /Hottest lines at exit\n {2}\(no live allocations traced\)/);
    assert.match(text, /exit code 0/);
  });

  test('the program label skips the interpreter and its options', () => {
    assert.equal(programLabel(['/usr/bin/python3', '-X', 'dev', '-u', 'sub/app.py', '--flag'], '/ws', '/ws'), 'sub/app.py');
    assert.equal(programLabel(['/usr/bin/python3', '-m', 'http.server', '8000'], '/ws', '/ws'), '-m http.server');
    assert.equal(programLabel(['/usr/bin/python3', '/elsewhere/tool.py'], '/ws', '/ws'), '/elsewhere/tool.py');
    // Before Python 3.10 the helper writes sys.executable and sys.argv; -m's argv[0] is the module's path.
    assert.equal(programLabel(['/usr/bin/python3.8', '/ws/pkg/__main__.py'], '/ws', '/ws'), 'pkg/__main__.py');
  });

  test('the exit view as peak says whether captures were taken during the run', () => {
    const doc = makeDoc([{ path: '/ws/app.py', lines: [[1, 3 * MiB, 1]] }]);
    doc.totals.tracedCurrent = 3 * MiB;
    doc.totals.tracedPeak = 5 * MiB;
    doc.peak = { ...doc.peak, method: 'exit', capturedTraced: 3 * MiB, captures: 2 };
    const text = (): string => renderReport(buildModel(doc), { top: 10, cwd: '/ws', sourceLine: () => undefined });
    assert.match(text(), /\(The 2 captures taken during the run held less than the memory at exit, so this is the exit view; the traced peak was 5\.0 MiB\.\)/);
    assert.doesNotMatch(text(), /No capture was taken/);
    doc.peak.captures = 0;
    assert.match(text(), /\(No capture was taken during the run, so this is the exit view; the traced peak was 5\.0 MiB\.\)/);
  });

  test('a program that replaced itself (os.exec*) and one that stopped tracing are said so', () => {
    const doc = makeDoc([{ path: '/ws/app.py', lines: [[1, 2 * MiB, 1]] }]);
    doc.program.end = { kind: 'exec', argv: ['/usr/bin/python3', '-c', "print('it')"] };
    doc.program.exitCode = 4;
    const execText = renderReport(buildModel(doc), { top: 10, cwd: '/ws', sourceLine: () => undefined });
    assert.match(execText, /— exit code 4 —/);
    assert.match(execText, /\nThe program replaced itself \(os\.exec\*\) with \/usr\/bin\/python3 -c 'print\('\\''it'\\''\)'; the figures are from that moment\.\n/);
    doc.tracingStopped = { at: 0.25 };
    const stopped = renderReport(buildModel(doc), { top: 10, cwd: '/ws', sourceLine: () => undefined });
    assert.match(stopped, /\nLive at exit not traced \(tracing had stopped\); /);
    assert.match(stopped, /\nThe program stopped tracing \(tracemalloc\.stop\(\)\) 250 ms after it started: what it allocated after that is not traced, so the traced figures end there\.\n/);
  });
});
