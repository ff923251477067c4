// The pymalloc statistics parser on `sys._debugmallocstats()` text captured from real helper runs
// (test/fixtures/pymalloc/, see its README) under 3.8 (256 KiB arenas, 4 KiB pools), 3.11 and 3.13
// (1 MiB arenas, 16 KiB pools, an arena map section with a second Total), and under
// PYTHONMALLOC=malloc (no pymalloc section at all).
import * as assert from 'node:assert/strict';
import { parsePymallocStats } from '../../src/model/pymalloc';
import type { PymallocStats } from '../../src/protocol/pymalloc';
import { fixtureText } from './helpers';

function parsed(name: string): PymallocStats {
  const stats = parsePymallocStats(fixtureText(`pymalloc/${name}`));
  assert.ok(stats, `no pymalloc section found in ${name}`);
  return stats;
}

/** The arenas' bytes are exactly the sum of where they went. */
function accountedFor(s: PymallocStats): number {
  return (
    s.bytesInAllocatedBlocks + s.bytesInAvailableBlocks + s.unusedPoolBytes + s.bytesLostToPoolHeaders +
    s.bytesLostToQuantization + s.bytesLostToArenaAlignment
  );
}

suite('pymalloc statistics', () => {
  test('3.8: every figure, 256 KiB arenas of 4 KiB pools, reclaimed arenas', () => {
    const s = parsed('python3.8.txt');
    assert.equal(s.sizeClasses.length, 32);
    assert.deepEqual(s.sizeClasses[0], { size: 16, pools: 2, blocksInUse: 276, availableBlocks: 230 });
    assert.deepEqual(s.sizeClasses[31], { size: 512, pools: 9, blocksInUse: 61, availableBlocks: 2 });
    assert.deepEqual(
      [s.arenasAllocatedTotal, s.arenasReclaimed, s.arenasHighwater, s.arenasCurrent, s.arenaSize],
      [38, 17, 27, 21, 262144],
    );
    assert.deepEqual([s.unusedPools, s.poolSize, s.unusedPoolBytes], [47, 4096, 192512]);
    assert.equal(s.bytesInAllocatedBlocks, 5125984);
    assert.equal(s.bytesInAvailableBlocks, 77808);
    assert.equal(s.bytesLostToPoolHeaders, 62256);
    assert.equal(s.bytesLostToQuantization, 46464);
    assert.equal(s.bytesLostToArenaAlignment, 0);
    assert.equal(s.total, 5505024);
    assert.equal(s.total, s.arenasCurrent * s.arenaSize!);
    assert.equal(accountedFor(s), s.total);
  });

  test('3.13: 1 MiB arenas of 16 KiB pools; the arena map\'s own Total is not the arenas\'', () => {
    const s = parsed('python3.13.txt');
    assert.equal(s.sizeClasses.length, 32);
    assert.deepEqual(s.sizeClasses[0], { size: 16, pools: 1, blocksInUse: 132, availableBlocks: 889 });
    assert.deepEqual(s.sizeClasses[31], { size: 512, pools: 3, blocksInUse: 68, availableBlocks: 25 });
    assert.deepEqual([s.arenasAllocatedTotal, s.arenasReclaimed, s.arenasHighwater, s.arenasCurrent], [8, 0, 8, 8]);
    assert.equal(s.arenaSize, 1048576);
    assert.deepEqual([s.unusedPools, s.poolSize, s.unusedPoolBytes], [134, 16384, 2195456]);
    assert.equal(s.bytesInAllocatedBlocks, 5727584);
    assert.equal(s.bytesLostToArenaAlignment, 131072);
    assert.equal(s.total, 8388608);
    assert.equal(accountedFor(s), s.total);
  });

  test('3.11 reads the same way, and the blocks in use add up to the allocated bytes', () => {
    const s = parsed('python3.11.txt');
    assert.equal(s.total, 8388608);
    assert.equal(accountedFor(s), s.total);
    for (const name of ['python3.8.txt', 'python3.11.txt', 'python3.13.txt']) {
      const t = parsed(name);
      const inUse = t.sizeClasses.reduce((sum, c) => sum + c.size * c.blocksInUse, 0);
      assert.equal(inUse, t.bytesInAllocatedBlocks, name);
      const sizes = t.sizeClasses.map((c) => c.size);
      assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b), name);
    }
  });

  test('without pymalloc (PYTHONMALLOC=malloc) there is nothing to read', () => {
    const text = fixtureText('pymalloc/python3.12-malloc.txt');
    assert.match(text, /free PyDictObjects/);
    assert.equal(parsePymallocStats(text), undefined);
    assert.equal(parsePymallocStats(''), undefined);
    assert.equal(parsePymallocStats('not the output you are looking for\n'), undefined);
  });

  test('tolerant: CRLF line ends, padding changes, lines it does not know', () => {
    const text = [
      'Small block threshold = 512, in 32 size classes.',
      '',
      'class   size   num pools   blocks in use  avail blocks',
      '-----   ----   ---------   -------------  ------------',
      '    1     32 1 85 425',
      '    3     64           2             100            20',
      'a line from a future version = 12',
      '',
      '# arenas allocated total = 1',
      '# arenas   allocated current    =     1',
      '# bytes in allocated blocks        =            9,600',
      '# some new figure                  =               77',
      'Total                              =            1,048,576',
      '',
    ].join('\r\n');
    const s = parsePymallocStats(text)!;
    assert.deepEqual(s.sizeClasses, [
      { size: 32, pools: 1, blocksInUse: 85, availableBlocks: 425 },
      { size: 64, pools: 2, blocksInUse: 100, availableBlocks: 20 },
    ]);
    assert.equal(s.arenasAllocatedTotal, 1);
    assert.equal(s.arenasCurrent, 1);
    assert.equal(s.bytesInAllocatedBlocks, 9600);
    assert.equal(s.arenaSize, null);
    assert.equal(s.poolSize, null);
    assert.equal(s.unusedPools, 0);
    assert.equal(s.total, 1048576);
  });

  test('the helper fixture\'s own text parses', () => {
    const doc = JSON.parse(fixtureText('helper-exit.json')) as { pymallocStats: string };
    const s = parsePymallocStats(doc.pymallocStats)!;
    assert.ok(s.sizeClasses.length > 0);
    assert.equal(accountedFor(s), s.total);
  });
});
