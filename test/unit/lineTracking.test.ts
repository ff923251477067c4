import * as assert from 'node:assert/strict';
import { LineTracker, type TextChange } from '../../src/model/lineTracking';

/** Lines 1…10 of a document, each `    lineN = N` (indented, as code in a function is). */
const TEXT = Array.from({ length: 10 }, (_, i) => `    line${i + 1} = ${i + 1}`).join('\n') + '\n';

function change(startLine: number, startCharacter: number, endLine: number, endCharacter: number, text: string): TextChange {
  return { startLine, startCharacter, endLine, endCharacter, text };
}

/** Insertion at a 0-based position. */
function insert(line: number, character: number, text: string): TextChange {
  return change(line, character, line, character, text);
}

/** Every followed line as `original→current` (`x` when gone) with `!` when stale. */
function state(t: LineTracker): string[] {
  return [...t].map((l) => `${l.original}→${l.current ?? 'x'}${l.stale ? '!' : ''}`);
}

suite('lineTracking', () => {
  test('an edit below leaves lines above alone', () => {
    const t = new LineTracker([2, 4], TEXT);
    t.applyChanges([insert(7, 0, 'new line\n')]);
    assert.deepEqual(state(t), ['2→2', '4→4']);
  });

  test('lines inserted above move lines down, not stale', () => {
    const t = new LineTracker([2, 5], TEXT);
    t.applyChanges([insert(0, 0, 'import os\nimport sys\n')]);
    assert.deepEqual(state(t), ['2→4', '5→7']);
  });

  test('whole lines pasted at the start of an annotated line move it down, not stale', () => {
    const t = new LineTracker([5], TEXT);
    t.applyChanges([insert(4, 0, '    a = 1\n    b = 2\n')]);
    assert.equal(t.currentLine(5), 7);
    assert.equal(t.isStale(5), false);
  });

  test('lines deleted above move lines up', () => {
    const t = new LineTracker([6], TEXT);
    // Select lines 2–3 whole and delete them.
    t.applyChanges([change(1, 0, 3, 0, '')]);
    assert.deepEqual(state(t), ['6→4']);
  });

  test('typing on an annotated line marks it stale; neighbours are untouched', () => {
    const t = new LineTracker([3, 4, 5], TEXT);
    t.applyChanges([insert(3, 11, '0')]);
    assert.deepEqual(state(t), ['3→3', '4→4!', '5→5']);
  });

  test('Enter at the end of a line keeps it fresh and moves the next one down', () => {
    const t = new LineTracker([3, 4], TEXT);
    const end = '    line3 = 3'.length;
    t.applyChanges([insert(2, end, '\n    ')]);
    assert.deepEqual(state(t), ['3→3', '4→5']);
  });

  test('Enter before the statement of an indented line moves it down fresh', () => {
    const t = new LineTracker([3], TEXT);
    // Cursor after the indentation; VS Code inserts a line break and the indentation again.
    t.applyChanges([insert(2, 4, '\n    ')]);
    assert.deepEqual(state(t), ['3→4']);
  });

  test('Enter in the middle of a line splits it: stale where it began', () => {
    const t = new LineTracker([3, 4], TEXT);
    t.applyChanges([insert(2, 9, '\n    ')]);
    assert.deepEqual(state(t), ['3→3!', '4→5']);
  });

  test('a multi-line paste inside a line marks it stale and shifts the lines below', () => {
    const t = new LineTracker([2, 3, 9], TEXT);
    t.applyChanges([insert(2, 6, 'x\ny\nz')]);
    assert.deepEqual(state(t), ['2→2', '3→3!', '9→11']);
  });

  test('a deletion spanning annotated lines: partial ends stale, whole lines gone', () => {
    const t = new LineTracker([3, 4, 5, 6, 7], TEXT);
    // From the middle of line 4 to the middle of line 6: line 5 disappears, 4 and 6 are joined.
    t.applyChanges([change(3, 8, 5, 4, '')]);
    assert.deepEqual(state(t), ['3→3', '4→4!', '5→x!', '6→x!', '7→5']);
    assert.equal(t.currentLine(5), undefined);
    assert.equal(t.isStale(5), true);
  });

  test('deleting a line with Ctrl+Shift+K removes it and moves the next one up fresh', () => {
    const t = new LineTracker([4, 5], TEXT);
    t.applyChanges([change(3, 0, 4, 0, '')]);
    assert.deepEqual(state(t), ['4→x!', '5→4']);
  });

  test('deleting from the end of a line through the next keeps the first fresh', () => {
    const t = new LineTracker([4, 5, 6], TEXT);
    const end4 = '    line4 = 4'.length;
    const end5 = '    line5 = 5'.length;
    t.applyChanges([change(3, end4, 4, end5, '')]);
    assert.deepEqual(state(t), ['4→4', '5→x!', '6→5']);
  });

  test('selecting from the start of a line into the next and typing keeps what is left of the last', () => {
    const t = new LineTracker([4, 5], TEXT);
    t.applyChanges([change(3, 0, 4, 6, 'xx')]);
    assert.deepEqual(state(t), ['4→x!', '5→4!']);
  });

  test('several changes in one event are applied in the order given (bottom up)', () => {
    const t = new LineTracker([2, 5, 8], TEXT);
    // A multi-cursor edit as VS Code reports it: the lower edit first, each range valid in the
    // text before the event. Line 7 gets a line inserted above it, line 3 gets two.
    t.applyChanges([insert(6, 0, '    # note\n'), insert(2, 0, '    a = 1\n    b = 2\n')]);
    assert.deepEqual(state(t), ['2→2', '5→7', '8→11']);
  });

  test('an undo that restores the text makes the line fresh again', () => {
    const t = new LineTracker([4], TEXT);
    t.applyChanges([insert(3, 5, 'X')]);
    assert.equal(t.isStale(4), true);
    t.applyChanges([change(3, 5, 3, 6, '')]);
    assert.equal(t.isStale(4), false);
    assert.equal(t.currentLine(4), 4);
  });

  test('when two equal lines result, the edit position decides which is the original', () => {
    const doc = 'x\nx\ny\n';
    // Pasting "x\n" at the start of line 1 leaves "x","x","x": the original moved down.
    const before = new LineTracker([1], doc);
    before.applyChanges([insert(0, 0, 'x\n')]);
    assert.deepEqual(state(before), ['1→2']);
    // Typing "\nx" at the end of line 1: the original stays.
    const after = new LineTracker([1], doc);
    after.applyChanges([insert(0, 1, '\nx')]);
    assert.deepEqual(state(after), ['1→1']);
  });

  test('joining two equal lines keeps one annotation on the joined line', () => {
    const doc = 'pass\npass\nend\n';
    // Deleting from the start of line 1 to the start of line 2 reads as line 1 removed.
    const before = new LineTracker([1, 2], doc);
    before.applyChanges([change(0, 0, 1, 0, '')]);
    assert.deepEqual(state(before), ['1→x!', '2→1']);
    // Deleting from the end of line 1 to the end of line 2 reads as line 2 removed.
    const after = new LineTracker([1, 2], doc);
    after.applyChanges([change(0, 4, 1, 4, '')]);
    assert.deepEqual(state(after), ['1→1', '2→x!']);
  });

  test('a paste of many thousands of lines shifts the lines below', () => {
    const t = new LineTracker([3], TEXT);
    t.applyChanges([insert(0, 0, 'x = 1\n'.repeat(200_000))]);
    assert.deepEqual(state(t), ['3→200003']);
  });

  test('CRLF documents and inserted text count line breaks the same way', () => {
    const t = new LineTracker([2, 3], 'a = 1\r\nb = 2\r\nc = 3\r\n');
    t.applyChanges([insert(0, 0, 'z = 0\r\n')]);
    assert.deepEqual(state(t), ['2→3', '3→4']);
  });

  test('an untracked line has no current line and is not stale', () => {
    const t = new LineTracker([1], TEXT);
    assert.equal(t.currentLine(9), undefined);
    assert.equal(t.isStale(9), false);
  });
});
