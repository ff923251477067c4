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
    return scopes, None


def _walk(node: ast.AST, names: List[str], out: List[Scope]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            qual = names + [child.name]
            out.append({
                "name": ".".join(qual),
                "kind": "class" if isinstance(child, ast.ClassDef) else "function",
                "line": child.lineno,
                "endLine": getattr(child, "end_lineno", None) or child.lineno,
            })
            _walk(child, qual, out)
        else:
            _walk(child, names, out)
