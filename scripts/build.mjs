// Bundles every entry with esbuild: the extension, the CLI, and the test entries (unit tests run
// in plain Node; extension-host tests run inside a real VS Code, which provides `vscode`).
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, logLevel: 'warning' };

/** Every `.ts` file under `dir` (recursively) whose name ends with one of `suffixes`. */
function entries(dir, suffixes) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => suffixes.some((s) => f.endsWith(s)));
}

await build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'out/extension.js', external: ['vscode'] });
await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'out/cli.js', banner: { js: '#!/usr/bin/env node' } });
const unit = entries('test/unit', ['.test.ts']);
await build({ ...common, entryPoints: unit, outdir: 'out/test/unit', outbase: 'test/unit', external: ['mocha'] });
const exthost = entries('test/exthost', ['.ts']);
await build({ ...common, entryPoints: exthost, outdir: 'out/test/exthost', outbase: 'test/exthost', external: ['vscode', 'mocha'] });
console.log(`built out/extension.js, out/cli.js, ${unit.length} unit and ${exthost.length} extension-host test entries`);
