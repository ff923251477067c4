// Bundles every entry with esbuild: the extension, the CLI, the memory panel's webview (browser
// code: out/webview/main.js and main.css, with the codicons' font and stylesheet copied beside
// them, the only files the webview may load), and the test entries (unit tests run in plain Node;
// extension-host tests run inside a real VS Code, which provides `vscode`). First the fast mode's
// native sampler for each Python found (scripts/build-native.sh: a fraction of a second when up
// to date; a compile error fails the build).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

execFileSync('bash', ['scripts/build-native.sh'], { stdio: 'inherit' });

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
const webview = await build({
  entryPoints: ['webview/main.ts'], outdir: 'out/webview', bundle: true, platform: 'browser', format: 'iife',
  target: 'chrome114', minify: true, sourcemap: true, logLevel: 'warning', legalComments: 'none', metafile: true,
  tsconfig: 'webview/tsconfig.json',
});
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join('node_modules/@vscode/codicons/dist', f), path.join('out/webview', f));
// The licences of what the panel ships: every package bundled into main.js, and the codicons.
const shipped = new Set(['@vscode/codicons']);
for (const input of Object.keys(webview.metafile.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) shipped.add(m[1]);
}
const notices = [...shipped].sort().map((pkg) => {
  const dir = path.join('node_modules', pkg);
  const files = readdirSync(dir).filter((f) => /^LICEN[CS]E/i.test(f)).sort();
  const version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  return `${pkg} ${version}\n\n${files.map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/^\uFEFF/, '').trim()).join('\n\n')}\n`;
});
writeFileSync('out/webview/THIRD-PARTY-NOTICES.txt', `The memory panel (out/webview/) bundles or ships these packages.\n\n${notices.join(`\n${'='.repeat(72)}\n\n`)}`);
const unit = entries('test/unit', ['.test.ts']);
await build({ ...common, entryPoints: unit, outdir: 'out/test/unit', outbase: 'test/unit', external: ['mocha'] });
const exthost = entries('test/exthost', ['.ts']);
await build({ ...common, entryPoints: exthost, outdir: 'out/test/exthost', outbase: 'test/exthost', external: ['vscode', 'mocha'] });
console.log(`built out/extension.js, out/cli.js, out/webview/, ${unit.length} unit and ${exthost.length} extension-host test entries`);
