// The column titles the CLI and the panel show for summed memory-map figures
// (`SMAPS_FIELD_NAMES` in src/protocol/smaps.ts) are the kernel's own field names: the parser,
// which has its own table of kernel names, reads each titled field into the figure it titles.
import * as assert from 'node:assert/strict';
import { parseSmaps } from '../../src/model/smaps';
import { SMAPS_FIELD_NAMES, type SmapsField } from '../../src/protocol/smaps';

suite('memory-map field names', () => {
  test('each titled field is parsed into the figure that bears its title', () => {
    const fields = Object.entries(SMAPS_FIELD_NAMES) as [SmapsField, string][];
    // A distinct value per field, so a title naming another figure's field is caught too.
    const block = fields.map(([, name], i) => `${name}:   ${i + 1} kB`).join('\n');
    const [m] = parseSmaps(`7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n${block}\n`);
    for (const [i, [field, name]] of fields.entries()) assert.equal(m[field], (i + 1) * 1024, `${name} → ${field}`);
  });
});
