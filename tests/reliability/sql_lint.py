"""Lint: no SQL built by string formatting anywhere in the repository.

Rules (each finding names file, line and rule):

``execute-arg``
    The query given to ``execute``/``executemany``/``copy``/``stream``/``mogrify``,
    ``pandas.read_sql*``, ``geopandas.read_postgis`` or SQLAlchemy ``text`` must be a constant
    string, a :mod:`psycopg.sql` composition (``sql.SQL("... {}").format(sql.Identifier(x))``,
    ``sql.SQL(", ").join(...)``) or a name/attribute that is not assigned a formatted string in
    the same scope. Values go in as parameters, identifiers through ``sql.Identifier``.
``sql-ctor``
    ``sql.SQL(...)`` must wrap a constant: ``sql.SQL(f"... {x}")`` bypasses quoting.
``sql-shaped``
    An f-string, ``%`` or ``str.format`` expression, or a ``+`` concatenation whose constant text
    looks like SQL (``SELECT ... FROM``, ``INSERT INTO``, ``DELETE FROM``, ``CREATE TABLE`` ...)
    is SQL built by formatting wherever it appears, even before reaching ``execute``.
``quoted-placeholder``
    A value interpolated between single quotes (``f"code = '{c}'"``, ``"'%s'" % c``): the shape of
    a hand-quoted SQL literal, e.g. in a QGIS data-source filter.
``plpgsql-concat``
    In ``.sql`` files, dynamic ``EXECUTE`` must use ``format()`` with ``%I``/``%L`` (or
    ``USING``), never ``||`` concatenation or ``%s``.

A line may opt out with a trailing ``# sql-ok: <reason>`` comment (the reason is required),
so every exception is visible in review.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

QUERY_METHODS = {"execute", "executemany", "copy", "stream", "mogrify"}
QUERY_FUNCS = {"read_sql", "read_sql_query", "read_postgis", "text"}
COMPOSABLE_CTORS = {"SQL", "Identifier", "Literal", "Placeholder", "Composed"}
# Known non-SQL strings that match a heuristic rule, with the reason they are safe.
ALLOWED = {
    # postgresql.conf line written by initdb-time set-up from a path we create ourselves
    ("etl/embedded.py", "quoted-placeholder", "unix_socket_directories"),
}

SKIP_DIRS = {".venv", ".git", "build", "dist", "out", "node_modules", "__pycache__", ".stamps"}

SQL_SHAPE = re.compile(
    r"(\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\S+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\b(CREATE|DROP)\s+(OR\s+REPLACE\s+)?(TABLE|VIEW|INDEX|ROLE|USER|SCHEMA|DATABASE|EXTENSION"
    r"|FUNCTION|TRIGGER|MATERIALIZED)\b|\bALTER\s+(TABLE|ROLE|USER|VIEW|DATABASE|SCHEMA)\b"
    r"|\bREFRESH\s+MATERIALIZED\b|\bTRUNCATE\s+(TABLE\s+)?\w|\bLOCK\s+TABLE\b|\bCOPY\s+\S+"
    r"[\s\S]*\b(FROM|TO)\s+(STDIN|STDOUT)\b|\bGRANT\s+\w+[\s\S]*\bON\b|\bREVOKE\s+\w+[\s\S]*\bON\b)",
    re.IGNORECASE,
)
OPT_OUT = re.compile(r"#\s*sql-ok:\s*\S")


@dataclass(frozen=True)
class Finding:
    """One lint finding."""

    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.message}"


def _call_name(node: ast.Call) -> str | None:
    f = node.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return None


def _is_str_const(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)


def _is_composable(node: ast.AST) -> bool:
    """True for ``sql.SQL(...)``-style constructor calls and their ``format``/``join`` results."""
    if isinstance(node, ast.Call):
        name = _call_name(node)
        if name in COMPOSABLE_CTORS:
            return True
        if name in {"format", "join", "as_string"} and isinstance(node.func, ast.Attribute):
            return _is_composable(node.func.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_composable(node.left) or _is_composable(node.right)
    return False


def _const_text(node: ast.AST) -> str:
    """Concatenated constant text of a string-building expression (placeholders as spaces)."""
    if _is_str_const(node):
        v = node.value
        return v.decode(errors="replace") if isinstance(v, bytes) else v
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else " {} " for v in node.values)
    if isinstance(node, ast.BinOp):
        return _const_text(node.left) + " " + _const_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _const_text(node.func.value)
    return ""


def _is_formatting(node: ast.AST) -> bool:
    """True if ``node`` builds a *string* from non-constant parts."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_str_const(node.left) or isinstance(node.left, ast.JoinedStr)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        if _is_composable(node):
            return False
        parts = _flatten_add(node)
        return any(_is_stringish(p) for p in parts) and not all(_is_str_const(p) for p in parts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "format" and _is_str_const(node.func.value):
            return True
        if node.func.attr == "join" and _is_str_const(node.func.value):
            return True
    return False


def _flatten_add(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _flatten_add(node.left) + _flatten_add(node.right)
    return [node]


def _is_stringish(node: ast.AST) -> bool:
    return _is_str_const(node) or isinstance(node, ast.JoinedStr) or _is_formatting(node)


_OPERATOR_QUOTE = re.compile(r"(=|<>|<|>|\bLIKE|\bIN\s*\(|,)\s*'$", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[A-Za-z/]")


def _quoted_placeholder(node: ast.AST) -> bool:
    """True if a value is compared or listed between single quotes: ``= '{x}'``, ``= '%s'``.

    Text with HTML tags is left out (``<img alt='{x}'>`` is markup, not a literal).
    """
    if _HTML_TAG.search(_const_text(node)):
        return False
    if isinstance(node, ast.JoinedStr):
        vals = node.values
        for i, v in enumerate(vals):
            if isinstance(v, ast.FormattedValue) and 0 < i < len(vals) - 1:
                before, after = vals[i - 1], vals[i + 1]
                if (
                    isinstance(before, ast.Constant)
                    and isinstance(after, ast.Constant)
                    and _OPERATOR_QUOTE.search(str(before.value))
                    and str(after.value).startswith("'")
                ):
                    return True
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_str_const(node.left):
        return bool(
            re.search(
                r"(=|<>|<|>|LIKE|IN\s*\(|,)\s*'(%[sdr]|%\(\w+\)s)'", str(node.left.value), re.I
            )
        )
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and _is_str_const(node.func.value)
    ):
        return bool(
            re.search(r"(=|<>|<|>|LIKE|IN\s*\(|,)\s*'\{[^{}]*\}'", str(node.func.value.value), re.I)
        )
    return False


class _Scope:
    """Assignments by name within one function (or the module), for simple data flow.

    Collected on first use: most scopes hold no query, and walking every function (and lambda)
    of the repository up front took ~5 s of the lint's ~6 s.
    """

    def __init__(self, body: ast.AST):
        self._body = body

    @functools.cached_property
    def assigned(self) -> dict[str, list[ast.AST]]:
        """Name -> the values assigned to it in the scope."""
        return self._collect(self._body)

    @staticmethod
    def _collect(body: ast.AST) -> dict[str, list[ast.AST]]:
        assigned: dict[str, list[ast.AST]] = {}
        for node in ast.walk(body):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        assigned.setdefault(t.id, []).append(node.value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.value is not None:
                    assigned.setdefault(node.target.id, []).append(node.value)
            elif (
                isinstance(node, ast.For)
                and isinstance(node.target, ast.Name)
                and isinstance(node.iter, ast.Tuple | ast.List)
            ):
                # for stmt in ("SELECT 1", "SELECT 2"): each element is a value of stmt
                assigned.setdefault(node.target.id, []).extend(node.iter.elts)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                # q += x  is  q = q + x
                assigned.setdefault(node.target.id, []).append(
                    ast.BinOp(left=node.target, op=node.op, right=node.value)
                )
        return assigned


def _unsafe_query(node: ast.AST, scope: _Scope, seen: frozenset[str] = frozenset()) -> bool:
    """True if ``node``, used as a query, is (or is assigned from) SQL built by formatting."""
    if _is_formatting(node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            # constant + constant-valued names is fine; anything else is formatting
            return any(
                not _is_str_const(p)
                and not (isinstance(p, ast.Name) and _const_name(p, scope, seen))
                for p in _flatten_add(node)
            )
        return True
    if isinstance(node, ast.Name) and node.id not in seen:
        return any(
            _unsafe_query(v, scope, seen | {node.id}) for v in scope.assigned.get(node.id, [])
        )
    if isinstance(node, ast.IfExp):
        return _unsafe_query(node.body, scope, seen) or _unsafe_query(node.orelse, scope, seen)
    if isinstance(node, ast.Call) and _call_name(node) == "SQL" and node.args:
        return _unsafe_query(node.args[0], scope, seen) or not _constantish(
            node.args[0], scope, seen
        )
    return False


def _const_name(node: ast.Name, scope: _Scope, seen: frozenset[str]) -> bool:
    vals = scope.assigned.get(node.id, [])
    return bool(vals) and all(_constantish(v, scope, seen | {node.id}) for v in vals)


def _constantish(node: ast.AST, scope: _Scope, seen: frozenset[str]) -> bool:
    if _is_str_const(node):
        return True
    if isinstance(node, ast.Name):
        if node.id in seen:
            return True
        if node.id.isupper():  # module-level constant by convention
            return True
        return _const_name(node, scope, seen)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return all(_constantish(p, scope, seen) for p in _flatten_add(node))
    if isinstance(node, ast.IfExp):
        return _constantish(node.body, scope, seen) and _constantish(node.orelse, scope, seen)
    return False


def _query_arg(node: ast.Call) -> ast.AST | None:
    name = _call_name(node)
    is_method = isinstance(node.func, ast.Attribute) and name in QUERY_METHODS
    is_func = name in QUERY_FUNCS
    if not (is_method or is_func):
        return None
    for kw in node.keywords:
        if kw.arg in {"query", "sql", "statement"}:
            return kw.value
    return node.args[0] if node.args else None


def lint_python(source: str, path: str = "<string>") -> list[Finding]:
    """Lint one Python source text.

    Parameters
    ----------
    source : str
        Python code.
    path : str
        Name used in findings.

    Returns
    -------
    list of Finding
    """
    tree = ast.parse(source, filename=path)
    lines = source.splitlines()
    findings: list[Finding] = []

    def opted_out(node: ast.AST) -> bool:
        first = getattr(node, "lineno", 1)
        last = getattr(node, "end_lineno", first) or first
        return any(OPT_OUT.search(lines[i - 1]) for i in range(first, last + 1) if i <= len(lines))

    def add(node: ast.AST, rule: str, msg: str) -> None:
        if not opted_out(node):
            findings.append(Finding(path, node.lineno, rule, msg))

    reported: set[int] = set()

    def visit(node: ast.AST, scope: _Scope) -> None:
        # each node is checked against its innermost function scope
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            scope = _Scope(node)
        _check_node(node, scope, add, reported)
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    visit(tree, _Scope(tree))
    return findings


def _check_node(node: ast.AST, scope: _Scope, add, reported: set[int]) -> None:
    key = id(node)
    if key in reported:
        return
    if isinstance(node, ast.Call):
        q = _query_arg(node)
        if q is not None and _unsafe_query(q, scope):
            reported.add(key)
            add(
                node,
                "execute-arg",
                "query built by string formatting; use parameters / psycopg.sql",
            )
            return
        if _call_name(node) == "SQL" and node.args and _unsafe_query(node, scope):
            reported.add(key)
            add(node, "sql-ctor", "sql.SQL() must wrap a constant string")
            return
    if _is_formatting(node):
        text = _const_text(node)
        if SQL_SHAPE.search(text):
            reported.add(key)
            add(node, "sql-shaped", f"SQL text built by formatting: {text.strip()[:60]!r}")
        elif _quoted_placeholder(node):
            reported.add(key)
            add(node, "quoted-placeholder", "value interpolated between quotes (hand-made literal)")


_PLPGSQL_EXECUTE = re.compile(r"\bEXECUTE\s+(?!FUNCTION\b|PROCEDURE\b)([\s\S]*?);", re.IGNORECASE)


def lint_sql(source: str, path: str = "<string>") -> list[Finding]:
    """Lint dynamic SQL inside PL/pgSQL bodies of a ``.sql`` file.

    Parameters
    ----------
    source : str
        SQL text.
    path : str
        Name used in findings.

    Returns
    -------
    list of Finding
    """
    findings = []
    for m in _PLPGSQL_EXECUTE.finditer(source):
        stmt = m.group(1)
        line = source.count("\n", 0, m.start()) + 1
        if OPT_OUT.search(source.splitlines()[line - 1].replace("--", "#")):
            continue
        if "||" in stmt or re.search(r"%s", stmt):
            findings.append(
                Finding(
                    path, line, "plpgsql-concat", "dynamic EXECUTE must use format(%I/%L) or USING"
                )
            )
    return findings


def iter_files(root: Path, suffix: str) -> list[Path]:
    """Files of the repository with ``suffix``, skipping virtualenvs and build output."""
    out = []
    for p in sorted(root.rglob(f"*{suffix}")):
        rel = p.relative_to(root)
        if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        out.append(p)
    return out


def lint_repo(root: Path) -> list[Finding]:
    """Lint every Python and SQL file under ``root``.

    Parameters
    ----------
    root : pathlib.Path
        Repository root.

    Returns
    -------
    list of Finding
    """
    findings: list[Finding] = []
    for p in iter_files(root, ".py"):
        findings += lint_python(p.read_text(encoding="utf-8"), str(p.relative_to(root)))
    for p in iter_files(root, ".sql"):
        findings += lint_sql(p.read_text(encoding="utf-8"), str(p.relative_to(root)))
    return findings


if __name__ == "__main__":  # pragma: no cover - manual use: python tests/reliability/sql_lint.py
    import sys

    root = Path(__file__).resolve().parents[2]
    found = [
        f
        for f in lint_repo(root)
        if not any(
            f.path == p
            and f.rule == r
            and s in (root / f.path).read_text().splitlines()[f.line - 1]
            for p, r, s in ALLOWED
        )
    ]
    for f in found:
        print(f)
    sys.exit(1 if found else 0)
