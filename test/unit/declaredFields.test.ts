// Every field a snapshot document may hold is declared once, in test/fixtures/snapshot-fields.json,
// which the helper's tests read too (python-helper/tests/test_snapshot_fields.py: the helper
// writes no other). Here the list is held to the schema, src/protocol/snapshot.ts, read with the
// TypeScript compiler; to the fixtures, every key of which must be declared; and to the loader,
// which must refuse a malformed value of each declared field in a sentence naming it.
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { parseSnapshot, SnapshotError } from '../../src/model/load';
import { SNAPSHOT_FORMAT } from '../../src/protocol/snapshot';
import { fixturePath, fixtureText, REPO_ROOT } from './helpers';

// Loaded from node_modules when the test runs rather than bundled into it: the compiler is 9 MB.
const ts = createRequire(__filename)('typescript') as typeof import('typescript');

/** The declared field paths: `peak.error`, `files[].lines[].paths[].bytes` (`[]`: any list item). */
function declaredList(): string[] {
  return (JSON.parse(fixtureText('snapshot-fields.json')) as { fields: string[] }).fields;
}

/** The field paths of `SnapshotDocument` as src/protocol/snapshot.ts declares it, in the list's notation. */
function schemaPaths(): string[] {
  const file = path.join(REPO_ROOT, 'src', 'protocol', 'snapshot.ts');
  const program = ts.createProgram([file], { strict: true, noEmit: true, lib: ['lib.es2022.d.ts'], types: [] });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  const document = checker.getExportsOfModule(module).find((s) => s.name === 'SnapshotDocument');
  assert.ok(document, 'src/protocol/snapshot.ts exports no SnapshotDocument');
  const out = new Set<string>();
  const walk = (type: import('typescript').Type, at: string): void => {
    const t = checker.getNonNullableType(type);
    if (t.isUnion()) {
      for (const member of t.types) walk(member, at);
    } else if (checker.isArrayType(t) || checker.isTupleType(t)) {
      for (const item of checker.getTypeArguments(t as import('typescript').TypeReference)) walk(item, `${at}[]`);
    } else if (t.flags & ts.TypeFlags.Object) {
      for (const prop of checker.getPropertiesOfType(t)) {
        const here = at === '' ? prop.name : `${at}.${prop.name}`;
        out.add(here);
        walk(checker.getTypeOfSymbol(prop), here);
      }
    }
  };
  walk(checker.getDeclaredTypeOfSymbol(document), '');
  return [...out].sort();
}

/** The path of every key in `value`, in the list's notation. */
function keyPaths(value: unknown, at = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) keyPaths(item, `${at}[]`, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const here = at === '' ? key : `${at}.${key}`;
      out.add(here);
      keyPaths(v, here, out);
    }
  }
  return out;
}

/** Every fixture that is a MemLens snapshot (JSON with its format), by its name under test/fixtures/. */
function snapshotFixtures(): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  const names = readdirSync(fixturePath(''), { recursive: true }) as string[];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    let doc: unknown;
    try {
      doc = JSON.parse(fixtureText(name));
    } catch {
      continue; // truncated.json: a write cut short, which the loader's tests read.
    }
    if (typeof doc === 'object' && doc !== null && (doc as Record<string, unknown>).format === SNAPSHOT_FORMAT) {
      found.set(name, doc as Record<string, unknown>);
    }
  }
  return found;
}

/**
 * The objects that hold the field at `fieldPath` in `doc` (`files[].user`: every file), each
 * with the key; empty where the document has no such field.
 */
function holders(doc: unknown, fieldPath: string): Record<string, unknown>[] {
  const steps = fieldPath.split('.');
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  let here: unknown[] = [doc];
  for (const step of steps.slice(0, -1)) {
    const key = step.replace(/(\[\])+$/, '');
    let items = here.filter(isObj).filter((v) => key in v).map((v) => v[key]);
    for (let i = 0; i < (step.length - key.length) / 2; i++) items = items.flatMap((x) => (Array.isArray(x) ? x : []));
    here = items;
  }
  const last = steps[steps.length - 1];
  return here.filter(isObj).filter((v) => last in v);
}

/**
 * Well-formed values of the declared fields that no fixture holds, each planted in a copy of
 * helper-exit.json, so that the loader's check of every declared field is tried.
 */
const PLANTED: Record<string, (d: Record<string, any>) => void> = {
  'census.note': (d) => (d.census.note = 'The census stopped after 2 s of CPU time, after counting 412,003 objects.'),
  'files[].scopesError': (d) => (d.files[0].scopesError = 'SyntaxError: invalid syntax (line 3)'),
  'peak.error': (d) => (d.peak.error = 'peak capture stopped: fork failed ([Errno 12] Cannot allocate memory)'),
  'program.end.signal': (d) => (d.program.end = { kind: 'signal', signal: 'SIGTERM' }),
};

suite('declared snapshot fields', () => {
  test('test/fixtures/snapshot-fields.json lists exactly the fields src/protocol/snapshot.ts declares', () => {
    const schema = schemaPaths();
    const listed = declaredList();
    assert.deepEqual([...listed].sort(), listed, 'snapshot-fields.json is kept sorted');
    const undeclared = listed.filter((p) => !schema.includes(p));
    const unlisted = schema.filter((p) => !listed.includes(p));
    assert.deepEqual(
      { undeclared, unlisted },
      { undeclared: [], unlisted: [] },
      'declare each field in src/protocol/snapshot.ts and list it in test/fixtures/snapshot-fields.json',
    );
  });

  test('every snapshot fixture holds only declared fields', () => {
    const declared = new Set(declaredList());
    const fixtures = snapshotFixtures();
    // The helper's real captures are among them: a field the helper writes shows up here.
    for (const name of ['helper-exit.json', 'helper-exec.json', 'helper-snapshot.json', 'tracemalloc-import.json']) {
      assert.ok(fixtures.has(name), `${name} is read`);
    }
    for (const [name, doc] of fixtures) {
      const unknown = [...keyPaths(doc)].filter((p) => !declared.has(p));
      assert.deepEqual(unknown, [], `${name} holds fields src/protocol/snapshot.ts does not declare`);
    }
  });

  test('the loader refuses a malformed value of each declared field, naming the field', () => {
    const docs = [...snapshotFixtures()].filter(([name]) => !/newer-version|bad-frame/.test(name));
    for (const [field, plant] of Object.entries(PLANTED)) {
      const doc = JSON.parse(fixtureText('helper-exit.json')) as Record<string, any>;
      plant(doc);
      const name = `helper-exit.json with ${field}`;
      parseSnapshot(JSON.stringify(doc), name); // The planted value is well-formed.
      docs.push([name, doc]);
    }
    const unchecked: string[] = [];
    for (const field of declaredList()) {
      const source = docs.find(([, doc]) => holders(doc, field).length > 0);
      if (source === undefined) {
        unchecked.push(`${field}: held by no fixture (plant a well-formed value in PLANTED)`);
        continue;
      }
      const doc = structuredClone(source[1]);
      const holder = holders(doc, field)[0];
      const key = field.split('.').pop()!;
      // A value no field accepts: an object where one expects anything else, a list where one expects an object.
      holder[key] = typeof holder[key] === 'object' && holder[key] !== null && !Array.isArray(holder[key]) ? [7] : { bad: 7 };
      try {
        parseSnapshot(JSON.stringify(doc), source[0]);
        unchecked.push(`${field} (in ${source[0]}): accepted`);
      } catch (err) {
        assert.ok(err instanceof SnapshotError, String(err));
        const named = err.message.replace(/\[\d+\]/g, '[]');
        if (!named.includes(field)) unchecked.push(`${field} (in ${source[0]}): ${err.message}`);
      }
    }
    assert.deepEqual(unchecked, [], 'fields the loader does not check, or refuses without naming');
  });
});
