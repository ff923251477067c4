import * as assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../src/cli/args';

suite('cli args', () => {
  test('profile: options stop at the script; the rest belongs to the program', () => {
    assert.deepEqual(
      parseArgs(['profile', '--json', 'out.json', '--top=5', '--frames', '16', '--python', '/py', '--root', 'a', '--root=b', '--no-peak', 'app.py', '--top', '3', '-m']),
      {
        kind: 'profile', json: 'out.json', top: 5, mode: 'fast', frames: 16, python: '/py', roots: ['a', 'b'], peak: false,
        target: { script: 'app.py' }, args: ['--top', '3', '-m'],
      },
    );
  });

  test('profile -m module, attached or not, and -- before a script', () => {
    const m = parseArgs(['profile', '-m', 'http.server', '8000']);
    assert.deepEqual(m.kind === 'profile' && [m.target, m.args, m.top, m.frames, m.peak], [{ module: 'http.server' }, ['8000'], 10, 8, true]);
    const attached = parseArgs(['profile', '-mjson.tool', 'x.json']);
    assert.deepEqual(attached.kind === 'profile' && [attached.target, attached.args], [{ module: 'json.tool' }, ['x.json']]);
    const dashed = parseArgs(['profile', '--', '--odd-name.py', '-v']);
    assert.deepEqual(dashed.kind === 'profile' && [dashed.target, dashed.args], [{ script: '--odd-name.py' }, ['-v']]);
  });

  test('profile --mode and --sample-interval: fast by default, the interval as given', () => {
    const pick = (argv: string[]): unknown[] => {
      const c = parseArgs(argv);
      return c.kind === 'profile' ? [c.mode, c.sampleInterval, c.target] : [];
    };
    assert.deepEqual(pick(['profile', 'a.py']), ['fast', undefined, { script: 'a.py' }]);
    assert.deepEqual(pick(['profile', '--mode', 'exact', 'a.py']), ['exact', undefined, { script: 'a.py' }]);
    assert.deepEqual(pick(['profile', '--mode=light', '-m', 'pkg']), ['light', undefined, { module: 'pkg' }]);
    assert.deepEqual(pick(['profile', '--sample-interval', '4096', 'a.py']), ['fast', 4096, { script: 'a.py' }]);
    assert.deepEqual(pick(['profile', '--mode', 'fast', '--sample-interval=1048576', '--', 'a.py']), ['fast', 1048576, { script: 'a.py' }]);
    // After the script, --mode is the program's own.
    const c = parseArgs(['profile', 'a.py', '--mode', 'nonsense']);
    assert.deepEqual(c.kind === 'profile' && [c.mode, c.args], ['fast', ['--mode', 'nonsense']]);
  });

  test('show, help and version', () => {
    assert.deepEqual(parseArgs(['show', 'run.json', '--top', '3']), { kind: 'show', file: 'run.json', top: 3 });
    assert.deepEqual(parseArgs([]), { kind: 'help' });
    assert.deepEqual(parseArgs(['--help']), { kind: 'help' });
    assert.deepEqual(parseArgs(['--version']), { kind: 'version' });
  });

  test('usage errors are sentences', () => {
    const cases: [string[], RegExp][] = [
      [['profile'], /needs a script to run/],
      [['profile', '--top', '0', 'a.py'], /--top needs a whole number from 1/],
      [['profile', '--frames', 'x', 'a.py'], /--frames needs a whole number/],
      [['profile', '--json'], /--json needs a value/],
      [['profile', '--bogus', 'a.py'], /--bogus is not an option of memlens profile/],
      [['profile', '--mode', 'quick', 'a.py'], /^--mode needs fast, exact or light, not "quick"\.$/],
      [['profile', '--mode'], /--mode needs a value/],
      [['profile', '--sample-interval', '8k', 'a.py'], /^--sample-interval needs a whole number from 1024 to 1048576, not "8k"\.$/],
      [['profile', '--sample-interval', '512', 'a.py'], /from 1024 to 1048576, not "512"/],
      [['profile', '--sample-interval', '2097152', 'a.py'], /from 1024 to 1048576/],
      [['profile', '--mode', 'exact', '--sample-interval', '4096', 'a.py'], /--sample-interval applies to fast mode only; .*--mode exact/],
      [['profile', '--sample-interval', '4096', '--mode', 'light', '-m', 'x'], /--sample-interval applies to fast mode only; .*--mode light/],
      [['show'], /needs a snapshot file/],
      [['show', 'a.json', 'b.json'], /one snapshot file at a time/],
      [['run', 'a.py'], /"run" is not a memlens command/],
    ];
    for (const [argv, pattern] of cases) {
      assert.throws(() => parseArgs(argv), (err: Error) => err instanceof UsageError && pattern.test(err.message), argv.join(' '));
    }
  });
});
