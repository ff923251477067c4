import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkInterpreter, findOnPath, InterpreterError, resolveInterpreter } from '../../src/run/interpreter';

/** A pyenv interpreter of `version`, when this machine has it. */
function pyenv(version: string): string | undefined {
  const p = path.join(os.homedir(), '.pyenv', 'versions', version, 'bin', 'python');
  return existsSync(p) ? p : undefined;
}

suite('interpreter', () => {
  const never = async (): Promise<string | undefined> => {
    throw new Error('PATH must not be searched when an earlier source answers');
  };

  test('the Python extension comes first', async () => {
    const r = await resolveInterpreter({ pythonExtension: async () => '/ext/python', setting: '/set/python', env: { MEMLENS_PYTHON: '/env/python' }, path: never });
    assert.deepEqual(r, { path: '/ext/python', source: 'pythonExtension' });
  });

  test('then the setting, then MEMLENS_PYTHON, then PATH', async () => {
    assert.deepEqual(
      await resolveInterpreter({ pythonExtension: async () => undefined, setting: '/set/python', env: { MEMLENS_PYTHON: '/env/python' }, path: never }),
      { path: '/set/python', source: 'setting' },
    );
    assert.deepEqual(
      await resolveInterpreter({ setting: '', env: { MEMLENS_PYTHON: '/env/python' }, path: never }),
      { path: '/env/python', source: 'environment' },
    );
    assert.deepEqual(
      await resolveInterpreter({ env: {}, path: async () => '/usr/bin/python3' }),
      { path: '/usr/bin/python3', source: 'path' },
    );
  });

  test('a failing Python extension counts as unset', async () => {
    const r = await resolveInterpreter({
      pythonExtension: () => Promise.reject(new Error('API not ready')),
      setting: '/set/python',
      path: never,
    });
    assert.equal(r.source, 'setting');
  });

  test('no interpreter anywhere is a sentence that says how to pick one', async () => {
    await assert.rejects(resolveInterpreter({ env: {}, path: async () => undefined }), (err: Error) => {
      assert.ok(err instanceof InterpreterError);
      assert.match(err.message, /found no Python interpreter/);
      assert.match(err.message, /Python: Select Interpreter.*memlens\.pythonPath.*--python \/ MEMLENS_PYTHON/);
      return true;
    });
  });

  test('findOnPath returns the first executable name in PATH order', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-path-'));
    try {
      const a = path.join(dir, 'a');
      const b = path.join(dir, 'b');
      await fs.mkdir(a);
      await fs.mkdir(b);
      await fs.writeFile(path.join(a, 'python3'), '', { mode: 0o644 }); // Not executable: skipped.
      await fs.writeFile(path.join(b, 'python3'), '#!/bin/sh\n', { mode: 0o755 });
      await fs.writeFile(path.join(a, 'python'), '#!/bin/sh\n', { mode: 0o755 });
      const env = { PATH: [a, b].join(path.delimiter) };
      assert.equal(await findOnPath(['python3', 'python'], env), path.join(b, 'python3'));
      assert.equal(await findOnPath(['python'], env), path.join(a, 'python'));
      assert.equal(await findOnPath(['nope'], env), undefined);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('a Python 3.8+ interpreter passes with its version and executable', async function () {
    const py = pyenv('3.8.18');
    if (py === undefined) this.skip();
    const info = await checkInterpreter(py);
    assert.deepEqual(info.version, [3, 8, 18]);
    assert.match(info.executable, /3\.8\.18/);
  });

  for (const [version, shown] of [['2.7.18', '2.7.18'], ['3.7.16', '3.7.16'], ['3.6.15', '3.6.15']]) {
    test(`Python ${version} is refused with its version`, async function () {
      const py = pyenv(version);
      if (py === undefined) this.skip();
      await assert.rejects(checkInterpreter(py), (err: Error) => {
        assert.ok(err instanceof InterpreterError);
        assert.ok(err.message.startsWith(`${py} is Python ${shown}; MemLens needs Python 3.8 or newer.`), err.message);
        assert.match(err.message, /Python: Select Interpreter/);
        return true;
      });
    });
  }

  test('a missing interpreter is named', async () => {
    const missing = path.join(os.tmpdir(), 'memlens-no-such-python');
    await assert.rejects(checkInterpreter(missing), (err: Error) => {
      assert.ok(err instanceof InterpreterError);
      assert.ok(err.message.startsWith(`The Python interpreter ${missing} was not found.`), err.message);
      return true;
    });
  });

  test('a file that is not executable, and a program that is not Python', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-py-'));
    try {
      const plain = path.join(dir, 'python');
      await fs.writeFile(plain, 'not a program', { mode: 0o644 });
      await assert.rejects(checkInterpreter(plain), /The Python interpreter .* is not executable\./);
      const fake = path.join(dir, 'fake');
      await fs.writeFile(fake, '#!/bin/sh\necho hello\n', { mode: 0o755 });
      await assert.rejects(checkInterpreter(fake), /fake does not answer like a Python interpreter\./);
      const failing = path.join(dir, 'failing');
      await fs.writeFile(failing, '#!/bin/sh\necho "ImportError: no site" >&2\nexit 1\n', { mode: 0o755 });
      await assert.rejects(checkInterpreter(failing), /failed when asked its version \(ImportError: no site\)/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
