// An untrusted workspace must not choose the interpreter MemLens runs or the folder whose runs it
// lists and deletes: package.json declares both settings restricted, so VS Code
// ignores a workspace's value of them in Restricted Mode.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers';

suite('settings an untrusted workspace cannot set', () => {
  test('memlens.pythonPath and memlens.snapshots.folder are restricted configurations', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    const restricted: string[] = untrusted.restrictedConfigurations ?? [];
    for (const key of ['memlens.pythonPath', 'memlens.snapshots.folder']) {
      assert.ok(restricted.includes(key), `${key} is restricted`);
      assert.ok(key in pkg.contributes.configuration.properties, `${key} is a setting MemLens contributes`);
    }
  });
});
