"""Scopes for CodeLens: functions and classes anywhere in statement bodies, with qualified names."""
import sys

from conftest import HELPER_DIR

sys.path.insert(0, str(HELPER_DIR))
from memlens_helper.scopes import file_scopes  # noqa: E402

NESTED = '''
class A:
    def m(self):
        if x:
            def inner(): pass
        try:
            pass
        except E:
            def h(): pass
        else:
            def e(): pass
        finally:
            def f(): pass
        for i in y:
            def loop(): pass
        with z:
            class W: pass
        f = lambda: 1
async def co():
    async with q:
        def aw():
            return [x for x in range(3)]
'''


def test_scopes_inside_every_kind_of_block_in_source_order(tmp_path):
    path = tmp_path / "nested.py"
    path.write_text(NESTED)
    scopes, error = file_scopes(str(path))
    assert error is None
    assert [(s["name"], s["kind"], s["line"]) for s in scopes] == [
        ("A", "class", 2), ("A.m", "function", 3), ("A.m.inner", "function", 5), ("A.m.h", "function", 9),
        ("A.m.e", "function", 11), ("A.m.f", "function", 13), ("A.m.loop", "function", 15),
        ("A.m.W", "class", 17), ("co", "function", 19), ("co.aw", "function", 21)]
    assert scopes[0]["endLine"] == 18 and scopes[-1]["endLine"] == 22


def test_a_file_that_does_not_parse_gives_a_reason(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def broken(:\n")
    scopes, error = file_scopes(str(path))
    assert scopes is None and error.startswith("SyntaxError")
