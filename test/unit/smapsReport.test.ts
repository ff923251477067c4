// The `memlens smaps` text report and the writable-memory line of `memlens profile`/`show`, on the
// real captures in test/fixtures/smaps/ and on a synthetic map with awkward names.
import * as assert from 'node:assert/strict';
import { renderReport } from '../../src/cli/report';
import { renderSmapsReport, writableMemoryLine } from '../../src/cli/smapsReport';
import { formatBytes } from '../../src/model/format';
import { buildModel } from '../../src/model/model';
import { classifySmaps, parseSmaps } from '../../src/model/smaps';
import { fixtureText, makeDoc } from './helpers';

const MiB = 1024 * 1024;

/** The figure cells of a table row (`  data rw-p   31   0 B …`), without its label. */
function cells(row: string): string[] {
  return row.split(/ {2,}/).filter((c) => c !== '').slice(1);
}

suite('smaps report', () => {
  test('the 64 MiB process: headline, groups with their classes and totals, columns in order', () => {
    const report = classifySmaps(parseSmaps(fixtureText('smaps/python-64mib.smaps')));
    const text = renderSmapsReport(report, { title: 'process 4242 (python3)', top: 10 });
    const lines = text.split('\n');
    assert.equal(lines[0], 'Memory maps of process 4242 (python3)');
    assert.equal(lines[1], '═'.repeat(lines[0].length));
    assert.equal(
      lines[2],
      `Writable memory (private dirty) ${formatBytes(report.writable)}; RSS ${formatBytes(report.total.rss)}, ` +
        `PSS ${formatBytes(report.total.pss)}, USS ${formatBytes(report.uss)}, swap 0 B.`,
    );
    assert.match(lines[2], /^Writable memory \(private dirty\) 7\d\.\d MiB;/);
    assert.match(lines[4], /^ +maps +Shared_Clean +Shared_Dirty +Private_Clean +Private_Dirty +Rss +Pss +Swap$/);

    const mappedAt = lines.indexOf('Mapped files');
    const anonAt = lines.indexOf('Anonymous memory');
    const kernelAt = lines.indexOf('Kernel pages ([vdso], [vvar], [vsyscall])');
    assert.ok(mappedAt === 5 && anonAt > mappedAt && kernelAt > anonAt);
    assert.deepEqual(
      lines.slice(mappedAt + 1, anonAt).map((l) => l.trim().split(/ {2,}/)[0]),
      ['code r-xp', 'data rw-p', 'read-only r--p', 'shared r--s', 'total'],
    );
    // The anonymous data row carries the buffer: its Private_Dirty cell is at least 64 MiB.
    const anon = report.groups.find((g) => g.group === 'anonymous')!;
    const dataRow = lines.slice(anonAt + 1, kernelAt).find((l) => l.startsWith('  data rw-p'))!;
    const data = anon.classes.find((c) => c.permClass === 'data')!;
    assert.deepEqual(cells(dataRow), [
      String(data.mappings), formatBytes(data.sharedClean), formatBytes(data.sharedDirty), formatBytes(data.privateClean),
      formatBytes(data.privateDirty), formatBytes(data.rss), formatBytes(data.pss), formatBytes(data.swap),
    ]);
    assert.ok(data.privateDirty >= 64 * MiB);
    const all = lines.find((l) => l.startsWith('All mappings'))!;
    assert.equal(cells(all)[4], formatBytes(report.writable));
    assert.equal(cells(all)[0], String(report.total.mappings));
    // Columns line up: every figure row is as long as the header.
    const tableRows = lines.slice(4, lines.indexOf(all) + 1).filter((l) => /\d/.test(l) || l.includes('Swap'));
    assert.ok(tableRows.every((l) => l.length === lines[4].length), tableRows.join('\n'));
    assert.ok(text.endsWith('\n'));
  });

  test('files by private dirty: top N of all, largest first', () => {
    const report = classifySmaps(parseSmaps(fixtureText('smaps/node.smaps')));
    const lines = renderSmapsReport(report, { title: 'process 1 (node)', top: 3 }).split('\n');
    const at = lines.findIndex((l) => l.startsWith('Files by private dirty'));
    assert.equal(lines[at], `Files by private dirty (top 3 of ${report.files.length})`);
    assert.match(lines[at + 1], /^ +# +Private_Dirty +Pss +Rss +maps +file$/);
    const rows = lines.slice(at + 2).filter((l) => l !== '');
    assert.equal(rows.length, 3);
    assert.deepEqual(rows.map((r) => r.slice(r.lastIndexOf('  ') + 2)), report.files.slice(0, 3).map((f) => f.path));
    assert.equal(report.files[0].path, '/usr/bin/node');
    assert.match(rows[0], new RegExp(`^ +1 +${formatBytes(report.files[0].privateDirty).replace('.', '\\.')} `));
  });

  test('odd names print intact: spaces, (deleted), markup, quotes, non-ASCII', () => {
    const odd = classifySmaps(parseSmaps(fixtureText('smaps/odd-names.smaps')));
    const text = renderSmapsReport(odd, { title: 'process 7', top: 1000 });
    assert.match(text, /  \/tmp\/memlens fixture\/mapped data\.bin\n/);
    assert.match(text, /  \/tmp\/memlens fixture\/gone soon\.bin \(deleted\)\n/);

    const names = ['/tmp/<script>alert("x")</script>.so', "/tmp/it's   three  spaces.bin", '/tmp/naïve ünïcode – 名前.dat'];
    const synthetic = names
      .map((n, i) => `${(i + 1) * 1000}-${(i + 2) * 1000} rw-p 00000000 08:01 ${i + 1}     ${n}\nSize: 4 kB\nPrivate_Dirty: ${4 * (3 - i)} kB\n`)
      .join('');
    const lines = renderSmapsReport(classifySmaps(parseSmaps(synthetic)), { title: 'x', top: 10 }).split('\n');
    const at = lines.indexOf('Files by private dirty');
    // Ranked 12, 8 and 4 kB private dirty: each row ends with its name exactly as mapped.
    const rows = lines.slice(at + 2, at + 5);
    rows.forEach((r, i) => assert.ok(r.endsWith(`  ${names[i]}`), r));
    assert.equal(lines[at + 5], '');
  });

  test('an empty map says so instead of printing empty tables', () => {
    const text = renderSmapsReport(classifySmaps([]), { title: 'nothing', top: 10 });
    assert.match(text, /^Writable memory \(private dirty\) 0 B; RSS 0 B, PSS 0 B, USS 0 B, swap 0 B\.$/m);
    assert.match(text, /^Mapped files\n {2}\(none\)\nAnonymous memory\n {2}\(none\)\nAll mappings +0 +0 B/m);
    assert.doesNotMatch(text, /Kernel pages/);
    assert.match(text, /Files by private dirty\n {2}\(no mapped files\)\n$/);
  });

  test('profile/show print the writable-memory line when the snapshot holds maps, and only then', () => {
    const smaps = fixtureText('smaps/python-64mib.smaps');
    const line = writableMemoryLine(classifySmaps(parseSmaps(smaps)));
    const withMaps = makeDoc([{ path: '/ws/app.py', lines: [[3, MiB, 1]] }]);
    withMaps.process = { smaps, pageSize: 4096 };
    const lines = renderReport(buildModel(withMaps), { top: 5, cwd: '/ws', sourceLine: () => undefined }).split('\n');
    const live = lines.findIndex((l) => l.startsWith('Live at exit'));
    assert.equal(lines[live + 1], line);

    const without = makeDoc([{ path: '/ws/app.py', lines: [[3, MiB, 1]] }]);
    assert.doesNotMatch(renderReport(buildModel(without), { top: 5, cwd: '/ws', sourceLine: () => undefined }), /Writable memory/);
    without.process = { smapsError: 'Memory maps (/proc/PID/smaps) exist only on Linux; this program ran on darwin.' };
    assert.doesNotMatch(renderReport(buildModel(without), { top: 5, cwd: '/ws', sourceLine: () => undefined }), /Writable memory/);
  });
});
