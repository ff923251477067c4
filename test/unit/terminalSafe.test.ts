// The CLI's single write point makes untrusted text inert for the terminal: escape sequences
// (window title, hyperlinks, clipboard, screen clearing), C1 controls and bidirectional overrides
// arrive as visible marks, and the CLI's own newlines and tabs stay.
import * as assert from 'node:assert/strict';
import { terminalSafe } from '../../src/cli/output';

/** Every character a terminal or a bidi-aware renderer would act on. */
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

suite('terminalSafe', () => {
  test('escape sequences, C1 controls and bidi overrides become visible marks', () => {
    const cases: [string, string][] = [
      ['\x1b]0;pwned\x07', '␛]0;pwned␇'], // window title
      ['\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\', '␛]8;;https://evil.example␛\\click␛]8;;␛\\'], // OSC 8 link
      ['\x1b]52;c;Y3VybCBldmls\x07', '␛]52;c;Y3VybCBldmls␇'], // OSC 52 clipboard write
      ['\x1b[2J\x1b[H', '␛[2J␛[H'], // clear screen
      ['\x9b2J', '\\u009b2J'], // C1 CSI
      ['\x9d0;t\x9c', '\\u009d0;t\\u009c'], // C1 OSC and ST
      ['evil\u202Eyp.txt', 'evil\\u202eyp.txt'], // right-to-left override
      ['a\u2066b\u2069c\u200e\u200f\u061c', 'a\\u2066b\\u2069c\\u200e\\u200f\\u061c'],
      ['back\rspace\b\x7f', 'back␍space␈␡'],
    ];
    for (const [input, shown] of cases) {
      assert.equal(terminalSafe(input), shown);
      assert.doesNotMatch(terminalSafe(input), ACTIVE);
    }
  });

  test('newlines, tabs and ordinary text pass unchanged', () => {
    const text = 'MemLens — app.py — exit code 0\n  1\t40.0 MiB  alloc.py:4  grüße 日本 ✓\n';
    assert.equal(terminalSafe(text), text);
  });
});
