import * as assert from 'node:assert/strict';
import {
  estimate,
  estimateSentence,
  formatBytes,
  formatCount,
  formatDuration,
  formatLineSummary,
  formatSignedBytes,
  formatSignedTracedBytes,
  formatTracedBytes,
  heatBucket,
  LIGHT_MODE_TEXT,
  tracedPhrase,
} from '../../src/model/format';

suite('format', () => {
  test('bytes below 1024 are whole bytes', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1023), '1023 B');
  });

  test('KiB and MiB have one decimal, GiB and above two', () => {
    assert.equal(formatBytes(1024), '1.0 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(40 * 1024 * 1024), '40.0 MiB');
    assert.equal(formatBytes(1.5 * 1024 ** 3), '1.50 GiB');
    assert.equal(formatBytes(2 * 1024 ** 4), '2.00 TiB');
  });

  test('a value that rounds up to 1024 of a unit moves to the next unit', () => {
    assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MiB');
    assert.equal(formatBytes(1024 ** 3 - 1), '1.00 GiB');
  });

  test('negative values keep their sign as a real minus', () => {
    assert.equal(formatBytes(-2048), '\u22122.0 KiB');
    assert.equal(formatBytes(-5), '\u22125 B');
  });

  test('signed bytes', () => {
    assert.equal(formatSignedBytes(12 * 1024 * 1024), '+12.0 MiB');
    assert.equal(formatSignedBytes(-3.1 * 1024 * 1024), '\u22123.1 MiB');
    assert.equal(formatSignedBytes(0), '0 B');
  });

  test('counts get thousands separators from 10 000 on', () => {
    assert.equal(formatCount(9999), '9999');
    assert.equal(formatCount(10000), '10,000');
    assert.equal(formatCount(1048576), '1,048,576');
  });

  test('line summary', () => {
    assert.equal(formatLineSummary(40 * 1024 * 1024, 1), '40.0 MiB · 1 block');
    assert.equal(formatLineSummary(1229, 35), '1.2 KiB · 35 blocks');
    assert.equal(formatLineSummary(1024, 1048576), '1.0 KiB · 1,048,576 blocks');
  });

  test('fast mode: estimated figures carry ≈; exact ones are exactly as before', () => {
    assert.equal(formatTracedBytes(40 * 1024 * 1024, true), '\u2248 40.0 MiB');
    assert.equal(formatTracedBytes(40 * 1024 * 1024, false), formatBytes(40 * 1024 * 1024));
    assert.equal(formatSignedTracedBytes(-3 * 1024 * 1024, true), '\u2248 \u22123.0 MiB');
    assert.equal(formatSignedTracedBytes(0, false), '0 B');
    assert.equal(estimate('1,200', true), '\u2248 1,200');
    assert.equal(estimate('1,200', false), '1,200');
  });

  test('fast mode line summary: samples instead of blocks; the exact form is untouched', () => {
    assert.equal(formatLineSummary(40 * 1024 * 1024, 1, { samples: 3 }), '\u2248 40.0 MiB · 3 samples');
    assert.equal(formatLineSummary(65536, 1206, { samples: 1 }), '\u2248 64.0 KiB · 1 sample');
    assert.equal(formatLineSummary(65536, 1206, {}), '\u2248 64.0 KiB', 'without a count, only the estimate');
    assert.equal(formatLineSummary(65536, 1206, undefined), '64.0 KiB · 1206 blocks');
  });

  test('the hover sentence of an estimate', () => {
    assert.equal(estimateSentence(3, 8192), 'estimated from 3 samples, one per 8 KiB allocated on average');
    assert.equal(estimateSentence(1, 65536), 'estimated from 1 sample, one per 64 KiB allocated on average');
    assert.equal(estimateSentence(12000, 1536), 'estimated from 12,000 samples, one per 1.5 KiB allocated on average');
    assert.equal(estimateSentence(undefined, undefined), 'estimated from samples');
  });

  test('light mode: a sentence, never a traced zero', () => {
    assert.equal(LIGHT_MODE_TEXT, 'light mode: allocations were not tracked');
    assert.equal(tracedPhrase(0, 'light'), 'not traced (light mode)');
    assert.equal(tracedPhrase(1024, 'fast'), '\u2248 1.0 KiB traced');
    assert.equal(tracedPhrase(1024, 'exact'), '1.0 KiB traced');
  });

  test('heat buckets are fifths of the hottest line', () => {
    assert.equal(heatBucket(0, 100), 0);
    assert.equal(heatBucket(10, 0), 0);
    assert.equal(heatBucket(-5, 100), 0);
    assert.equal(heatBucket(1, 100), 1);
    assert.equal(heatBucket(20, 100), 1);
    assert.equal(heatBucket(21, 100), 2);
    assert.equal(heatBucket(40, 100), 2);
    assert.equal(heatBucket(60, 100), 3);
    assert.equal(heatBucket(80, 100), 4);
    assert.equal(heatBucket(81, 100), 5);
    assert.equal(heatBucket(100, 100), 5);
    assert.equal(heatBucket(150, 100), 5);
  });

  test('durations', () => {
    assert.equal(formatDuration(0.23), '230 ms');
    assert.equal(formatDuration(1.5), '1.5 s');
    assert.equal(formatDuration(59.97), '1 min 00 s');
    assert.equal(formatDuration(125), '2 min 05 s');
    assert.equal(formatDuration(3720), '1 h 02 min');
    assert.equal(formatDuration(-1), '—');
    assert.equal(formatDuration(Number.NaN), '—');
  });
});
