// A large synthetic snapshot for measuring the memory panel: `files` files of `linesPerFile`
// annotated lines each (100 × 1000 = 100 000 rows in the Lines table) and a census of `types`
// types, with the other parts of the rich fixture (test/fixtures/panel/rich.json). Made at test
// time: 30 MB of JSON is not worth keeping in the repository.
import fs from 'node:fs';
import path from 'node:path';

/**
 * @param {string} richFixture path of test/fixtures/panel/rich.json
 * @param {{ files?: number, linesPerFile?: number, types?: number, dir: string }} options
 */
export function bigSnapshot(richFixture, { files = 100, linesPerFile = 1000, types = 100_000, dir }) {
  const doc = JSON.parse(fs.readFileSync(richFixture, 'utf8'));
  doc.files = [];
  for (let f = 0; f < files; f++) {
    const lines = [];
    for (let l = 1; l <= linesPerFile; l++) {
      const bytes = ((f * 7919 + l * 104729) % 1_000_003) + 64;
      const blocks = (l % 50) + 1;
      lines.push({ line: l, bytes, blocks, paths: [{ bytes, blocks, frames: [[f, l], [f, 1 + (l % 7)], [0, 1]] }] });
    }
    doc.files.push({ path: path.join(dir, 'pkg', `module_${f}.py`), user: true, lines, peakLines: lines.slice(0, 100) });
  }
  doc.census.types = Array.from({ length: types }, (_, i) => ({ type: `pkg.module_${i % files}.Class${i}`, count: (i % 97) + 1, bytes: ((i * 104729) % 1_000_003) + 16 }));
  doc.census.objects = doc.census.types.reduce((s, t) => s + t.count, 0);
  doc.census.bytes = doc.census.types.reduce((s, t) => s + t.bytes, 0);
  return doc;
}
