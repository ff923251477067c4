// Checks what the packaged extension (out/memlens.vsix, `npm run package`) carries of the fast
// mode's sampler: every module scripts/build-native.sh built (one per Python) and the package's
// __init__.py, and none of its C sources or a compile's leftovers. .vscodeignore is an allow-list,
// so a file it forgets is silently left out; without the modules MemLens would run its exact mode
// everywhere. Run by scripts/test-all.sh after packaging; exits non-zero with the reason.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const vsix = process.argv[2] ?? 'out/memlens.vsix';
const built = 'python-helper/memlens_native/_built';

/** The names of the entries of a zip file, read from its central directory (no zip64: a vsix is small). */
function zipEntries(file) {
  const zip = readFileSync(file);
  // The end-of-central-directory record: last in the file, before a comment of at most 64 KiB.
  let end = zip.length - 22;
  while (end >= Math.max(0, zip.length - 22 - 0xffff) && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0 || zip.readUInt32LE(end) !== 0x06054b50) throw new Error(`${file} is not a zip file`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: central directory entry ${i} is damaged`);
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

const shipped = zipEntries(vsix);
const modules = readdirSync(built).filter((f) => /^_sampler\..+\.so$/.test(f));
const problems = [];
if (modules.length === 0) problems.push(`no sampler module in ${built}: \`npm run build\` builds them`);
const wanted = [...modules.map((f) => `${built}/${f}`), 'python-helper/memlens_native/__init__.py'];
for (const file of wanted) {
  if (!shipped.includes(`extension/${file}`)) problems.push(`${file} is not in ${vsix} (see .vscodeignore)`);
}
for (const name of shipped) {
  if (name.includes('/memlens_native/') && !wanted.includes(name.slice('extension/'.length))) {
    problems.push(`${name} ships but is not a built module or __init__.py`);
  }
}
if (problems.length > 0) {
  console.error(`check-package: ${problems.join('\n  ')}`);
  process.exit(1);
}
// _sampler.cpython-311-x86_64-linux-gnu.so -> 3.11
const versions = modules.map((f) => /cpython-(\d)(\d+)/.exec(f)).map((m) => (m ? `${m[1]}.${m[2]}` : '?'));
versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
console.log(`check-package: ${path.basename(vsix)} carries the sampler for Python ${versions.join(', ')}`);
