// Validation of the snapshot's optional memory-panel fields (census, gc, imports, timeline,
// pymallocStats): the real helper fixture passes with all of them, a document without them passes,
// and each malformed field is refused in one sentence that names it.
import * as assert from 'node:assert/strict';
import { parseSnapshot, SnapshotError } from '../../src/model/load';
import { fixtureText } from './helpers';

/** The real helper fixture as an object to spoil. */
function real(): Record<string, any> {
  return JSON.parse(fixtureText('helper-exit.json')) as Record<string, any>;
}

function refuses(doc: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseSnapshot(JSON.stringify(doc), 'run.json'),
    (err: unknown) => {
      assert.ok(err instanceof SnapshotError, `expected a SnapshotError, got ${String(err)}`);
      assert.match(err.message, /^run\.json is not a valid MemLens snapshot: .+\.$/);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

suite('load: census, gc, imports, timeline, pymalloc', () => {
  test('the real helper fixture has every field, and loads', () => {
    const doc = parseSnapshot(fixtureText('helper-exit.json'), 'helper-exit.json');
    assert.ok(doc.census && doc.census.complete && doc.census.types.length > 0);
    assert.ok(doc.gc && doc.gc.cyclicGarbage.length > 0 && doc.gc.uncollectable.length > 0);
    assert.ok(doc.imports && doc.imports.some((i) => i.parent !== null) && doc.imports.some((i) => i.parent === null));
    assert.ok(doc.timeline && doc.timeline.samples.length > 0 && doc.timeline.markers.length > 0);
    assert.ok(typeof doc.pymallocStats === 'string' && doc.pymallocStats.length > 0);
  });

  test('each field is optional, and null is refused where it is not allowed', () => {
    const doc = real();
    for (const key of ['census', 'gc', 'imports', 'timeline', 'pymallocStats']) delete doc[key];
    parseSnapshot(JSON.stringify(doc), 'old.json');
    refuses({ ...real(), census: null }, /census is null, where an object is expected/);
    refuses({ ...real(), imports: {} }, /imports is an object, where a list of import costs is expected/);
    refuses({ ...real(), pymallocStats: 12 }, /pymallocStats is 12, where a string is expected/);
  });

  test('census: rows, totals, completeness and the note', () => {
    let doc = real();
    doc.census.types[1].count = -1;
    refuses(doc, /census\.types\[1\]\.count is -1, where a whole number from 0 up is expected/);
    doc = real();
    doc.census.types[0].type = 7;
    refuses(doc, /census\.types\[0\]\.type is 7, where a string is expected/);
    doc = real();
    doc.census.complete = 'yes';
    refuses(doc, /census\.complete is "yes", where true or false is expected/);
    doc = real();
    doc.census.bytes = 1.5;
    refuses(doc, /census\.bytes is 1\.5/);
    doc = real();
    doc.census.note = ['partial'];
    refuses(doc, /census\.note is an array, where a string is expected/);
    doc = real();
    doc.census.seconds = -0.1;
    refuses(doc, /census\.seconds is -0\.1, where a number from 0 up is expected/);
    doc = real();
    doc.census.complete = false;
    doc.census.note = 'The census stopped at its 2 s bound.';
    parseSnapshot(JSON.stringify(doc), 'partial.json');
  });

  test('gc: flags, thresholds, generations and both garbage lists', () => {
    let doc = real();
    doc.gc.enabled = 1;
    refuses(doc, /gc\.enabled is 1, where true or false is expected/);
    doc = real();
    doc.gc.thresholds = [700, '10'];
    refuses(doc, /gc\.thresholds\[1\] is "10"/);
    doc = real();
    doc.gc.generations[0].seconds = 'fast';
    refuses(doc, /gc\.generations\[0\]\.seconds is "fast"/);
    doc = real();
    delete doc.gc.generations[0].collections;
    refuses(doc, /gc\.generations\[0\]\.collections is missing/);
    doc = real();
    doc.gc.cyclicGarbage[0].bytes = null;
    refuses(doc, /gc\.cyclicGarbage\[0\]\.bytes is null/);
    doc = real();
    doc.gc.uncollectable = 'none';
    refuses(doc, /gc\.uncollectable is "none", where a list of types is expected/);
  });

  test('imports: names, parents and files may be null where the protocol says, growth may be negative', () => {
    let doc = real();
    doc.imports[0].tracedSelf = -4096;
    doc.imports[0].privateDirtySelf = -8192;
    doc.imports[0].file = null;
    doc.imports[0].privateDirtyTotal = null;
    parseSnapshot(JSON.stringify(doc), 'negative.json');
    doc = real();
    doc.imports[2].parent = 3;
    refuses(doc, /imports\[2\]\.parent is 3, where a string is expected/);
    doc = real();
    doc.imports[0].module = null;
    refuses(doc, /imports\[0\]\.module is null, where a string is expected/);
    doc = real();
    doc.imports[1].tracedTotal = 2.5;
    refuses(doc, /imports\[1\]\.tracedTotal is 2\.5, where a whole number is expected/);
    doc = real();
    doc.imports[1].start = -1;
    refuses(doc, /imports\[1\]\.start is -1/);
    doc = real();
    doc.imports[1] = 'xml';
    refuses(doc, /imports\[1\] is "xml", where an object is expected/);
  });

  test('timeline: interval, samples and markers', () => {
    let doc = real();
    doc.timeline.interval = 0;
    refuses(doc, /timeline\.interval is 0, where a number of seconds above 0 is expected/);
    doc = real();
    doc.timeline.samples[1].traced = null;
    refuses(doc, /timeline\.samples\[1\]\.traced is null/);
    doc = real();
    doc.timeline.samples[0].rss = null;
    doc.timeline.samples[0].privateDirty = null;
    parseSnapshot(JSON.stringify(doc), 'no-proc.json');
    doc = real();
    doc.timeline.samples[0].privateDirty = -1;
    refuses(doc, /timeline\.samples\[0\]\.privateDirty is -1/);
    doc = real();
    doc.timeline.markers[0].kind = 'alarm';
    refuses(doc, /timeline\.markers\[0\]\.kind is "alarm", where "import" or "gc" or "snapshot" is expected/);
    doc = real();
    delete doc.timeline.markers;
    refuses(doc, /timeline\.markers is missing, where a list of markers is expected/);
  });
});
