import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { helperDirFor, helperEnvironment } from '../../src/run/helperEnv';

suite('helperEnv', () => {
  const opts = {
    helperDir: '/pkg/python-helper',
    outFile: '/tmp/run/snapshot.json',
    mode: 'exact' as const,
    frames: 12,
    roots: ['/ws', '/lib/mine'],
    peak: true,
  };

  test('sets the helper options and puts the helper first on PYTHONPATH', () => {
    const env = helperEnvironment({ PYTHONPATH: '/user/lib', HOME: '/home/u' }, {
      ...opts,
      channel: { path: '/tmp/c.sock', token: '0123456789abcdef0123456789abcdef' },
      maxPaths: 3,
      endWithHost: true,
    });
    assert.equal(env.PYTHONPATH, `/pkg/python-helper${path.delimiter}/user/lib`);
    assert.equal(env.MEMLENS_OUT, '/tmp/run/snapshot.json');
    assert.equal(env.MEMLENS_CHANNEL, '/tmp/c.sock');
    assert.equal(env.MEMLENS_CHANNEL_TOKEN, '0123456789abcdef0123456789abcdef');
    assert.equal(env.MEMLENS_END_WITH_HOST, '1');
    assert.equal(env.MEMLENS_FRAMES, '12');
    assert.equal(env.MEMLENS_ROOTS, `/ws${path.delimiter}/lib/mine`);
    assert.equal(env.MEMLENS_PEAK, '1');
    assert.equal(env.MEMLENS_MAX_PATHS, '3');
    assert.equal(env.HOME, '/home/u');
  });

  test('without a PYTHONPATH the helper is all of it; peak off is 0; output buffering is untouched', () => {
    const env = helperEnvironment({}, { ...opts, peak: false });
    assert.equal(env.PYTHONPATH, '/pkg/python-helper');
    assert.equal(env.MEMLENS_PEAK, '0');
    assert.equal('PYTHONUNBUFFERED' in env, false);
  });

  test('inherited channel and path limits are dropped when not asked for; the base is not changed', () => {
    const base = { MEMLENS_CHANNEL: '/stale.sock', MEMLENS_CHANNEL_TOKEN: 'stale', MEMLENS_END_WITH_HOST: '1', MEMLENS_MAX_PATHS: '9' };
    const env = helperEnvironment(base, opts);
    assert.equal('MEMLENS_CHANNEL' in env, false);
    assert.equal('MEMLENS_CHANNEL_TOKEN' in env, false);
    assert.equal('MEMLENS_END_WITH_HOST' in env, false, 'the extension does not end the program with its host');
    assert.equal('MEMLENS_MAX_PATHS' in env, false);
    assert.equal(base.MEMLENS_CHANNEL, '/stale.sock');
  });

  test('fast mode passes the mode and its sample interval', () => {
    const env = helperEnvironment({}, { ...opts, mode: 'fast', sampleInterval: 4096 });
    assert.equal(env.MEMLENS_MODE, 'fast');
    assert.equal(env.MEMLENS_SAMPLE_INTERVAL, '4096');
    assert.equal(env.MEMLENS_FRAMES, '12', "exact mode's depth is passed as it always was");
  });

  test('the mode replaces an inherited one; fast without an interval keeps the helper default', () => {
    const env = helperEnvironment({ MEMLENS_MODE: 'light', MEMLENS_SAMPLE_INTERVAL: '1' }, { ...opts, mode: 'fast' });
    assert.equal(env.MEMLENS_MODE, 'fast');
    assert.equal('MEMLENS_SAMPLE_INTERVAL' in env, false, 'a stale interval must not reach the helper');
  });

  test('exact and light modes never pass a sample interval', () => {
    for (const mode of ['exact', 'light'] as const) {
      const env = helperEnvironment({ MEMLENS_SAMPLE_INTERVAL: '1' }, { ...opts, mode, sampleInterval: 4096 });
      assert.equal(env.MEMLENS_MODE, mode);
      assert.equal('MEMLENS_SAMPLE_INTERVAL' in env, false, mode);
    }
  });

  test('helperDirFor', () => {
    assert.equal(helperDirFor('/ext/root'), path.join('/ext/root', 'python-helper'));
  });
});
