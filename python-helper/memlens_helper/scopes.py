"""Functions and classes of a source file with their line ranges, for per-scope totals.

Read with ``ast`` here so that the editor needs no Python language extension for CodeLens.
"""
import ast
import tokenize
from typing import List, Optional, Tuple

Scope = dict


def file_scopes(path: str) -> Tuple[Optional[List[Scope]], Optional[str]]:
    """``(scopes, None)``, or ``(None, reason)`` when the file cannot be read or parsed."""
    try:
        with tokenize.open(path) as f:  # Honours the file's encoding declaration.
            source = f.read()
        tree = ast.parse(source, filename=path)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError) as exc:
        return None, "%s: %s" % (type(exc).__name__, exc)
    scopes: List[Scope] = []
    _walk(tree, [], scopes)
    scopes.sort(key=lambda scope: scope["line"])  # Source order, whatever branch held them.
    return scopes, None


_BODIES = ("body", "orelse", "handlers", "finalbody", "cases")


def _walk(node: ast.AST, names: List[str], out: List[Scope]) -> None:
    # Functions and classes are statements, so only statement lists are walked (bodies, else
    # branches, handlers, match cases): expressions, most of a large file's nodes, are skipped.
    for field in _BODIES:
        for child in getattr(node, field, None) or ():
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qual = names + [child.name]
                out.append({
                    "name": ".".join(qual),
                    "kind": "class" if isinstance(child, ast.ClassDef) else "function",
                    "line": child.lineno,
                    "endLine": getattr(child, "end_lineno", None) or child.lineno,
                })
                _walk(child, qual, out)
            elif isinstance(child, ast.AST):
                _walk(child, names, out)
