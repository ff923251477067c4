// Text shown in a VS Code notification never holds a link: `unlinked` against
// the pattern VS Code itself uses to find links in notification text.
import * as assert from 'node:assert/strict';
import { unlinked } from '../../src/notify/linkText';
import { VSCODE_LINK } from './vscodeLink';

const HOSTILE = '[x](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22echo%20pwned%5Cn%22%7D)';

suite('unlinked: no link survives in notification text', () => {
  test('VS Code finds the hostile link in the raw text (the pattern is not vacuous)', () => {
    for (const t of [HOSTILE, `MemLens: from "${HOSTILE}" to "b"`, '[see](https://example.com)', '[f](file:///etc/passwd)']) {
      assert.ok(VSCODE_LINK().test(t), t);
    }
  });

  test('no command, web or file link is left, and the text stays readable', () => {
    const cases = [
      HOSTILE,
      `MemLens: the program ended with ValueError: ${HOSTILE} at x.py:3`,
      `most growth: /ws/${HOSTILE}/evil.py:8 +1.0 MiB`,
      '[a](b](command:x)',
      '[[x]](command:x)',
      '[x]((command:x))',
      '[x](command:a "title")',
      `[see](https://example.com) and [f](file:///etc/passwd) and [C](COMMAND:x)`,
    ];
    for (const text of cases) {
      const out = unlinked(text);
      assert.ok(!VSCODE_LINK().test(out), out);
      assert.equal(out.replace(/\] \(/g, ']('), text, 'only a space was added');
    }
    assert.equal(unlinked(HOSTILE), '[x] (command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22echo%20pwned%5Cn%22%7D)');
  });

  test('text without links is left as it is', () => {
    for (const t of ['MemLens: profiled a.py: 40.0 MiB live at exit.', 'list[int] (3 items)', 'f(x)[0]', 'a ] ( b']) {
      assert.equal(unlinked(t), t);
    }
  });
});
