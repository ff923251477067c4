// The smaps parser and classifier on real captures (test/fixtures/smaps/, see its README): field
// values of known mappings, counts, awkward names, truncated and odd input, totals that add up,
// and the rankings.
import * as assert from 'node:assert/strict';
import {
  classifySmaps,
  mappingGroup,
  parseSmaps,
  permClass,
} from '../../src/model/smaps';
import type { Mapping, SmapsFigures } from '../../src/protocol/smaps';
import { fixtureText } from './helpers';

const KiB = 1024;
const MiB = 1024 * 1024;

const FIXTURES = ['smaps/python-64mib.smaps', 'smaps/node.smaps', 'smaps/odd-names.smaps'] as const;

/** Every header line of an smaps text: how many mappings the parser must find. */
function headerCount(text: string): number {
  return text.split('\n').filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l)).length;
}

function at(mappings: Mapping[], start: string): Mapping {
  const m = mappings.find((x) => x.start === start);
  assert.ok(m, `no mapping at ${start}`);
  return m;
}

/** A synthetic block: header fields and size fields in kB. */
function block(header: string, kb: Record<string, number>): string {
  return [header, ...Object.entries(kb).map(([k, v]) => `${k}: ${String(v).padStart(10)} kB`), 'VmFlags: rd wr mr mw me ac'].join('\n') + '\n';
}

const FIGURE_KEYS: Exclude<keyof SmapsFigures, 'mappings'>[] = [
  'size', 'rss', 'pss', 'sharedClean', 'sharedDirty', 'privateClean', 'privateDirty', 'swap', 'swapPss',
];

suite('smaps parser', () => {
  test('the 64 MiB python process: every field of the buffer mapping, in bytes', () => {
    const text = fixtureText('smaps/python-64mib.smaps');
    const maps = parseSmaps(text);
    assert.equal(maps.length, 105);
    assert.equal(maps.length, headerCount(text));
    const buf = at(maps, '7fa26e9dc000');
    assert.deepEqual(
      [buf.end, buf.perms, buf.offset, buf.dev, buf.inode, buf.pathname],
      ['7fa272b10000', 'rw-p', 0, '00:00', 0, ''],
    );
    assert.equal(buf.size, 66768 * KiB);
    assert.equal(buf.rss, 66272 * KiB);
    assert.equal(buf.pss, 66272 * KiB);
    assert.equal(buf.privateDirty, 66272 * KiB);
    assert.equal(buf.anonymous, 66272 * KiB);
    assert.equal(buf.referenced, 66272 * KiB);
    assert.equal(buf.sharedClean + buf.sharedDirty + buf.privateClean + buf.swap, 0);
    assert.equal(buf.kernelPageSize, 4 * KiB);
    assert.equal(buf.fields.Pss_Dirty, 66272 * KiB);
    assert.equal(buf.fields.Private_Dirty, buf.privateDirty);
    assert.deepEqual(buf.other, { THPeligible: '0' });
    assert.equal(buf.vmFlags, 'rd wr mr mw me ac');

    const first = maps[0];
    assert.deepEqual(
      [first.start, first.end, first.perms, first.offset, first.dev, first.inode, first.pathname],
      ['55a568b05000', '55a568b06000', 'r--p', 0, 'fe:00', 26723, '/root/.pyenv/versions/3.11.7/bin/python3.11'],
    );
    // A 64-bit address stays exact as text.
    const vsyscall = maps.find((m) => m.pathname === '[vsyscall]')!;
    assert.deepEqual([vsyscall.start, vsyscall.end, vsyscall.perms], ['ffffffffff600000', 'ffffffffff601000', '--xp']);
  });

  test('node: counts, a library mapping with its offset, the rwx code space and the named regions', () => {
    const text = fixtureText('smaps/node.smaps');
    const maps = parseSmaps(text);
    assert.equal(maps.length, 93);
    const libcCode = at(maps, '7f7cb6f64000');
    assert.deepEqual(
      [libcCode.perms, libcCode.offset, libcCode.inode, libcCode.pathname],
      ['r-xp', 0x26000, 339380, '/usr/lib/x86_64-linux-gnu/libc.so.6'],
    );
    assert.deepEqual(
      [libcCode.size, libcCode.rss, libcCode.pss, libcCode.sharedClean, libcCode.privateDirty],
      [1368 * KiB, 1048 * KiB, 184 * KiB, 1048 * KiB, 0],
    );
    assert.equal(maps.filter((m) => m.pathname === '/usr/lib/x86_64-linux-gnu/libc.so.6').length, 5);
    assert.equal(at(maps, '7f7c90003000').perms, 'rwxp');
    for (const name of ['[heap]', '[stack]', '[vdso]', '[vvar]', '[vsyscall]']) {
      assert.equal(maps.filter((m) => m.pathname === name).length, 1, name);
    }
  });

  test('paths with spaces and " (deleted)" come through whole', () => {
    const maps = parseSmaps(fixtureText('smaps/odd-names.smaps'));
    const spaced = maps.filter((m) => m.pathname === '/tmp/memlens fixture/mapped data.bin');
    assert.deepEqual(spaced.map((m) => m.perms).sort(), ['r--p', 'rw-s']);
    assert.ok(spaced.every((m) => m.size === 32 * KiB && m.inode === spaced[0].inode && m.inode > 0));
    const gone = maps.filter((m) => m.pathname === '/tmp/memlens fixture/gone soon.bin (deleted)');
    assert.equal(gone.length, 1);
    assert.deepEqual([gone[0].perms, gone[0].size, gone[0].privateDirty, gone[0].anonymous], ['rw-p', 8 * KiB, 4 * KiB, 4 * KiB]);
  });

  test('unknown fields are kept, missing ones are 0, stray lines are skipped', () => {
    const text = [
      'garbage before any mapping',
      'Rss: 99 kB',
      '00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon',
      'Size:                328 kB',
      'Rss:                 300 kB',
      'Frobnicated:          12 kB',
      'ProtectionKey:         0',
      'NewThing: yes please',
      'VmFlags: rd ex mr mw me dw',
      '00651000-00652000 rw-p 00051000 08:02 173521      /usr/bin/dbus-daemon',
      'Private_Dirty: 4 kB',
      '',
    ].join('\n');
    const [a, b] = parseSmaps(text);
    assert.equal(parseSmaps(text).length, 2);
    assert.deepEqual([a.size, a.rss, a.pss, a.privateDirty, a.swap], [328 * KiB, 300 * KiB, 0, 0, 0]);
    assert.equal(a.fields.Frobnicated, 12 * KiB);
    assert.deepEqual(a.other, { ProtectionKey: '0', NewThing: 'yes please' });
    assert.equal(a.vmFlags, 'rd ex mr mw me dw');
    assert.deepEqual([b.offset, b.privateDirty, b.size, b.vmFlags], [0x51000, 4 * KiB, 0, '']);
  });

  test('a read cut anywhere keeps every whole mapping and never invents one', () => {
    const text = fixtureText('smaps/python-64mib.smaps');
    const full = parseSmaps(text);
    for (let n = 0; n <= text.length; n += 211) {
      const part = parseSmaps(text.slice(0, n));
      assert.ok(part.length <= full.length);
      // Mappings before the last are whole; the last may lack the fields after the cut.
      assert.deepEqual(part.slice(0, -1), full.slice(0, Math.max(0, part.length - 1)), `cut at ${n}`);
      const last = part[part.length - 1];
      if (last !== undefined) {
        const whole = full[part.length - 1];
        assert.deepEqual([last.start, last.pathname], [whole.start, whole.pathname], `cut at ${n}`);
        for (const [name, bytes] of Object.entries(last.fields)) assert.equal(bytes, whole.fields[name], `cut at ${n}: ${name}`);
      }
    }
  });

  test('a cut line is dropped rather than misread', () => {
    const text = fixtureText('smaps/python-64mib.smaps');
    const i = text.indexOf('Private_Dirty:     66272 kB');
    // "Private_Dirty:     662" would read as 662 kB if taken.
    const cutNumber = parseSmaps(text.slice(0, i + 'Private_Dirty:     662'.length));
    assert.equal(cutNumber[cutNumber.length - 1].start, '7fa26e9dc000');
    assert.equal(cutNumber[cutNumber.length - 1].privateDirty, 0);
    assert.equal(cutNumber[cutNumber.length - 1].pss, 66272 * KiB);
    // A header cut in its path is not a mapping at all.
    const h = text.indexOf('/root/.pyenv/versions/3.11.7/lib/python3.11/lib-dynload/_struct');
    const cutHeader = parseSmaps(text.slice(0, h + 10));
    assert.ok(cutHeader.every((m) => !m.pathname.startsWith('/root/.pyenv/versions/3.11.7/lib/python3.11/lib-dynload/_st')));
    // A whole size field at the very end is kept even without its newline.
    const whole = parseSmaps(text.slice(0, i + 'Private_Dirty:     66272 kB'.length));
    assert.equal(whole[whole.length - 1].privateDirty, 66272 * KiB);
  });

  test('CRLF line ends and empty text', () => {
    const text = fixtureText('smaps/odd-names.smaps');
    assert.deepEqual(parseSmaps(text.replace(/\n/g, '\r\n')), parseSmaps(text));
    assert.deepEqual(parseSmaps(''), []);
  });
});

suite('smaps classifier', () => {
  test('groups and permission classes', () => {
    const cases: [string, ReturnType<typeof mappingGroup>][] = [
      ['', 'anonymous'], ['[heap]', 'anonymous'], ['[stack]', 'anonymous'], ['[stack:1234]', 'anonymous'],
      ['[anon:libc_malloc]', 'anonymous'], ['[anon_shmem:x]', 'anonymous'], ['[vdso]', 'kernel'], ['[vvar]', 'kernel'],
      ['[vvar_vclock]', 'kernel'], ['[vsyscall]', 'kernel'], ['/usr/lib/libc.so.6', 'mapped'],
      ['/tmp/a b (deleted)', 'mapped'], ['/memfd:jit (deleted)', 'mapped'], ['/dev/zero (deleted)', 'mapped'],
    ];
    for (const [pathname, group] of cases) assert.equal(mappingGroup({ pathname }), group, pathname);
    const perms: [string, ReturnType<typeof permClass>][] = [
      ['r-xp', 'code'], ['rw-p', 'data'], ['r--p', 'readonly'], ['---p', 'guard'], ['r--s', 'shared'],
      ['rw-s', 'shared'], ['rwxp', 'other'], ['--xp', 'other'], ['r-xs', 'other'],
    ];
    for (const [p, cls] of perms) assert.equal(permClass(p), cls, p);
  });

  test('totals equal the sum of every mapping, by group, class and overall', () => {
    for (const name of FIXTURES) {
      const maps = parseSmaps(fixtureText(name));
      const report = classifySmaps(maps);
      for (const key of FIGURE_KEYS) {
        const sum = maps.reduce((s, m) => s + m[key], 0);
        assert.equal(report.total[key], sum, `${name} ${key}`);
        assert.equal(report.groups.reduce((s, g) => s + g.total[key], 0), sum, `${name} ${key} by group`);
        for (const g of report.groups) {
          assert.equal(g.classes.reduce((s, c) => s + c[key], 0), g.total[key], `${name} ${g.group} ${key} by class`);
          const inGroup = maps.filter((m) => mappingGroup(m) === g.group).reduce((s, m) => s + m[key], 0);
          assert.equal(g.total[key], inGroup, `${name} ${g.group} ${key}`);
        }
        const mapped = maps.filter((m) => mappingGroup(m) === 'mapped').reduce((s, m) => s + m[key], 0);
        assert.equal(report.files.reduce((s, f) => s + f[key], 0), mapped, `${name} ${key} by file`);
      }
      assert.equal(report.total.mappings, maps.length);
      assert.equal(report.writable, maps.reduce((s, m) => s + m.privateDirty, 0));
      assert.equal(report.uss, maps.reduce((s, m) => s + m.privateClean + m.privateDirty, 0));
      assert.ok(report.writable > 0 && report.total.rss >= report.uss);
    }
  });

  test('the 64 MiB process: at least 64 MiB of anonymous private dirty, in the data class', () => {
    const report = classifySmaps(parseSmaps(fixtureText('smaps/python-64mib.smaps')));
    const anon = report.groups.find((g) => g.group === 'anonymous')!;
    assert.ok(anon.total.privateDirty >= 64 * MiB);
    const data = anon.classes.find((c) => c.permClass === 'data')!;
    assert.deepEqual(data.perms, ['rw-p']);
    assert.ok(data.privateDirty >= 64 * MiB);
    assert.ok(report.writable >= 64 * MiB);
    assert.deepEqual(report.groups.map((g) => g.group), ['mapped', 'anonymous', 'kernel']);
  });

  test('classes hold what they should: kernel pages apart, rwx code and shared files', () => {
    const node = classifySmaps(parseSmaps(fixtureText('smaps/node.smaps')));
    const kernel = node.groups.find((g) => g.group === 'kernel')!;
    assert.equal(kernel.total.mappings, 4); // [vvar], [vvar_vclock], [vdso], [vsyscall]
    assert.deepEqual(kernel.classes.map((c) => [c.permClass, c.perms]), [['code', ['r-xp']], ['readonly', ['r--p']], ['other', ['--xp']]]);
    const anon = node.groups.find((g) => g.group === 'anonymous')!;
    assert.deepEqual(anon.classes.find((c) => c.permClass === 'other')!.perms, ['rwxp']);
    const mapped = node.groups.find((g) => g.group === 'mapped')!;
    assert.deepEqual(mapped.classes.map((c) => c.permClass), ['code', 'data', 'readonly']);

    const odd = classifySmaps(parseSmaps(fixtureText('smaps/odd-names.smaps')));
    const shared = odd.groups.find((g) => g.group === 'mapped')!.classes.find((c) => c.permClass === 'shared')!;
    assert.deepEqual(shared.perms, ['r--s', 'rw-s']);
  });

  test('files: all mappings of a path summed, ranked by private dirty, then PSS, then path', () => {
    const report = classifySmaps(parseSmaps(fixtureText('smaps/node.smaps')));
    const libc = report.files.find((f) => f.path === '/usr/lib/x86_64-linux-gnu/libc.so.6')!;
    assert.equal(libc.mappings, 5);
    assert.equal(libc.privateDirty, 24 * KiB);
    assert.equal(new Set(report.files.map((f) => f.path)).size, report.files.length);
    for (let i = 1; i < report.files.length; i++) {
      const [a, b] = [report.files[i - 1], report.files[i]];
      assert.ok(a.privateDirty > b.privateDirty || (a.privateDirty === b.privateDirty && (a.pss > b.pss || (a.pss === b.pss && a.path < b.path))));
    }
    assert.ok(report.files.every((f) => f.path.startsWith('/')));

    const text =
      block('1000-2000 r-xp 00000000 08:01 1 /lib/b.so', { Size: 4, Pss: 1, Private_Dirty: 0 }) +
      block('2000-3000 rw-p 00001000 08:01 1 /lib/b.so', { Size: 4, Pss: 4, Private_Dirty: 4 }) +
      block('3000-4000 rw-p 00000000 08:01 2 /lib/a.so', { Size: 4, Pss: 5, Private_Dirty: 4 }) +
      block('4000-5000 rw-p 00000000 08:01 3 /lib/c.so', { Size: 4, Pss: 5, Private_Dirty: 4 }) +
      block('5000-6000 rw-p 00000000 08:01 4 /lib/big.so', { Size: 4, Pss: 1, Private_Dirty: 8, Swap: 4 }) +
      block('6000-7000 rw-p 00000000 00:00 0 ', { Size: 4, Pss: 9, Private_Dirty: 2, Swap: 8 });
    const r = classifySmaps(parseSmaps(text));
    // b.so's two mappings sum to 4 kB private dirty and 5 kB PSS, tied with a.so and c.so: path order.
    assert.deepEqual(r.files.find((f) => f.path === '/lib/b.so')!.mappings, 2);
    assert.deepEqual(r.files.map((f) => f.path), ['/lib/big.so', '/lib/a.so', '/lib/b.so', '/lib/c.so']);
    assert.deepEqual(r.byPss.map((m) => m.start), ['6000', '3000', '4000', '2000', '1000', '5000']);
    assert.deepEqual(r.bySwap.map((m) => m.start), ['6000', '5000']);
    assert.deepEqual(r.byPrivateDirty.map((m) => m.start), ['5000', '2000', '3000', '4000', '6000']);
    assert.equal(r.writable, 22 * KiB);
  });

  test('nothing swapped gives an empty swap ranking; no mappings give zeros', () => {
    assert.deepEqual(classifySmaps(parseSmaps(fixtureText('smaps/python-64mib.smaps'))).bySwap, []);
    const empty = classifySmaps([]);
    assert.equal(empty.writable, 0);
    assert.equal(empty.total.mappings, 0);
    assert.ok(empty.groups.every((g) => g.classes.length === 0));
    assert.deepEqual(empty.files, []);
  });
});
