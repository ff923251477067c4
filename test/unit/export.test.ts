// Exports: CSV of a snapshot's lines and of a comparison's tables (RFC 4180 quoting, the
// formula-injection guard, numbers that read back exactly) and the JSON of a comparison.
import * as assert from 'node:assert/strict';
import { diffSnapshots } from '../../src/model/diff';
import {
  csvField,
  DIFF_EXPORT_FORMAT,
  diffToCsv,
  diffToJson,
  snapshotToCsv,
  snapshotToJson,
  toCsv,
} from '../../src/model/export';
import { parseSnapshot } from '../../src/model/load';
import { buildModel } from '../../src/model/model';
import { leakRound, makeDoc } from './helpers';

/**
 * A strict RFC 4180 reader, written here independently of the exporter: records end in CRLF,
 * a quoted field may hold commas, CR, LF and doubled quotes. Throws on anything malformed.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else {
      throw new Error(`expected a comma or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 5))}`);
    }
  }
  if (record.length > 0) throw new Error('the last record does not end in CRLF');
  return records;
}

suite('export', () => {
  test('fields: commas, quotes and newlines are quoted; formula starts are guarded; numbers are not', () => {
    assert.equal(csvField('plain.py'), 'plain.py');
    assert.equal(csvField('a,b.py'), '"a,b.py"');
    assert.equal(csvField('say "hi".py'), '"say ""hi"".py"');
    assert.equal(csvField('two\nlines.py'), '"two\nlines.py"');
    assert.equal(csvField('cr\rhere'), '"cr\rhere"');
    assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvField('+1.py'), "'+1.py");
    assert.equal(csvField('-rf.py'), "'-rf.py");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('\tcmd'), "'\tcmd");
    assert.equal(csvField('a=b.py'), 'a=b.py', 'only a leading = is a formula');
    assert.equal(csvField(-6292504), '-6292504', 'a negative delta stays a number');
    assert.equal(csvField(12345678901234), '12345678901234');
    assert.equal(csvField(null), '');
    assert.equal(csvField(true), 'true');
    assert.equal(toCsv(['a', 'b'], [[1, 'x'], [2, null]]), 'a,b\r\n1,x\r\n2,\r\n');
  });

  test('a snapshot as CSV: an awkward file name reads back guarded, the numbers exactly', () => {
    const name = '=cmd|\' /C calc\'!A0, "quoted"\nname.py';
    const doc = makeDoc([
      { path: name, lines: [[7, 12345678901, 3], [2, 10, 1]], peakLines: [[7, 99999999999, 4], [9, 5, 1]] },
      { path: '/ws/plain.py', lines: [[1, 0, 0]] },
    ]);
    const text = snapshotToCsv(doc);
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], ['file', 'line', 'bytes', 'blocks', 'peak_bytes', 'peak_blocks']);
    assert.deepEqual(rows.slice(1), [
      [`'${name}`, '2', '10', '1', '0', '0'],
      [`'${name}`, '7', '12345678901', '3', '99999999999', '4'],
      [`'${name}`, '9', '0', '0', '5', '1'],
      ['/ws/plain.py', '1', '0', '0', '0', '0'],
    ]);
    // Guarded, the cell no longer starts with '=' (a spreadsheet shows it as text).
    assert.ok(!rows.slice(1).some((r) => /^[=+\-@]/.test(r[0])));
  });

  test('a real snapshot as CSV: one record per line, bytes summing to the traced lines', () => {
    const doc = leakRound(4);
    const rows = parseCsv(snapshotToCsv(doc)).slice(1);
    const lineCount = doc.files.reduce((s, f) => s + new Set([...f.lines, ...f.peakLines].map((l) => l.line)).size, 0);
    assert.equal(rows.length, lineCount);
    assert.equal(rows.reduce((s, r) => s + Number(r[2]), 0), buildModel(doc).totalBytes.exit);
    const leaky = rows.filter((r) => r[0].endsWith('/leaky.py'));
    assert.ok(leaky.some((r) => Number(r[2]) > 8 * 1024 * 1024), 'the blobs line holds 4 × 2 MiB');
  });

  test('a comparison as CSV: lines in growth order, signed deltas that read back as numbers', () => {
    const diff = diffSnapshots(leakRound(4), leakRound(1));
    const rows = parseCsv(diffToCsv(diff));
    assert.deepEqual(rows[0], [
      'file', 'line', 'bytes_before', 'bytes_after', 'bytes_delta', 'blocks_before', 'blocks_after', 'blocks_delta',
    ]);
    assert.equal(rows.length, diff.lines.length + 1);
    diff.lines.forEach((l, i) => {
      assert.deepEqual(rows[i + 1].slice(1).map(Number), [
        l.line, l.bytes.before, l.bytes.after, l.bytes.delta, l.blocks.before, l.blocks.after, l.blocks.delta,
      ]);
    });
    // Shrinking: the last record is the blobs line, its delta negative and unguarded.
    assert.match(rows[rows.length - 1][4], /^-\d+$/);

    const forward = diffSnapshots(leakRound(1), leakRound(4));
    const types = parseCsv(diffToCsv(forward, 'types'));
    assert.deepEqual(types[0], ['type', 'count_before', 'count_after', 'count_delta', 'bytes_before', 'bytes_after', 'bytes_delta']);
    assert.deepEqual(types[2], ['__main__.Session', '10000', '40000', '30000', '480000', '1920000', '1440000']);
    const scopes = parseCsv(diffToCsv(forward, 'scopes'));
    assert.deepEqual(scopes[2].slice(1, 5), ['leak_round', 'function', '39', '42']);
    const files = parseCsv(diffToCsv(forward, 'files'));
    assert.equal(files[1][1], 'true');
    const maps = parseCsv(diffToCsv(forward, 'mappings'));
    assert.deepEqual(maps[1].slice(0, 3), ['[heap]', 'rw-p', 'anonymous']);
    assert.equal(Number(maps[1][8]), forward.mappings[0].privateDirty.delta);
    // A table the comparison could not fill is its header alone.
    assert.equal(parseCsv(diffToCsv(diffSnapshots(leakRound(2), leakRound(3)), 'mappings')).length, 1);
  });

  test('a comparison as JSON: stamped, and the whole diff reads back', () => {
    const diff = diffSnapshots(leakRound(1), leakRound(4));
    const parsed = JSON.parse(diffToJson(diff));
    assert.equal(parsed.format, DIFF_EXPORT_FORMAT);
    assert.equal(parsed.version, 1);
    const { format: _f, version: _v, ...rest } = parsed;
    assert.deepEqual(rest, diff);
    // A snapshot exports as itself, so it loads again.
    assert.deepEqual(parseSnapshot(snapshotToJson(leakRound(2)), 'export'), leakRound(2));
  });
});
