"""Security: no SQL built by string formatting anywhere in the repository.

The lint (``sql_lint.py`` beside this file) is itself tested on snippets that must and must not
be flagged, then run over every ``.py`` and ``.sql`` file of the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sql_lint import ALLOWED, lint_python, lint_repo, lint_sql

ROOT = Path(__file__).resolve().parents[2]


BAD = {
    "fstring": 'conn.execute(f"SELECT * FROM admin_unit WHERE code = {code}")',
    "percent": "cur.execute(\"DELETE FROM observation WHERE variable = '%s'\" % name)",
    "format": 'conn.execute("SELECT {} FROM t".format(col))',
    "concat": 'conn.execute("SELECT * FROM " + table)',
    "flow": 'q = f"SELECT * FROM {t}"\nconn.execute(q)',
    "augassign": 'q = "SELECT * FROM t WHERE 1=1"\nq += " AND code = " + code\nconn.execute(q)',
    "sql_ctor": 'conn.execute(sql.SQL(f"SELECT * FROM {t}"))',
    "sql_ctor_flow": 'text = "SELECT " + col\nconn.execute(sql.SQL(text))',
    "prebuilt": 'def build(t):\n    return f"INSERT INTO {t} VALUES (1)"',
    "executemany_kw": 'cur.executemany(query=f"UPDATE t SET v = {v}", params_seq=[])',
    "pandas": 'pd.read_sql(f"SELECT * FROM {view}", engine)',
    "sqlalchemy_text": 'conn.execute(text("SELECT * FROM x WHERE a = " + a))',
    "qgis_filter": 'uri.setDataSource("public", "admin_unit", "geom", f"level = \'{level}\'")',
    "join": 'conn.execute(", ".join(cols))',
    "copy": 'cur.copy(f"COPY {table} FROM STDIN")',
    "in_function": 'def f(conn, name):\n    conn.execute("DROP TABLE %s" % name)',
    "percent_quoted": "flt = \"name_zh = '%s'\" % name",
    "format_quoted": "flt = \"code IN ('{}')\".format(code)",
    "loop_formatted": 'for s in (f"SELECT {a}", "SELECT 2"):\n    conn.execute(sql.SQL(s))',
}

GOOD = {
    "params": 'conn.execute("SELECT * FROM admin_unit WHERE code = %s", (code,))',
    "named_params": 'conn.execute("SELECT %(a)s", {"a": a})',
    "identifier": 'conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(t)))',
    "join_ids": (
        'q = sql.SQL("SELECT {} FROM t").format(sql.SQL(", ").join(map(sql.Identifier, cols)))\n'
        "conn.execute(q)"
    ),
    "constant_concat": 'conn.execute("SELECT 1 " "FROM t")',
    "constant_names": 'A = "SELECT 1"\nB = " FROM t"\nconn.execute(A + B)',
    "composed_add": 'conn.execute(sql.SQL("SELECT 1") + sql.SQL(" FROM t"))',
    "message": 'raise ValueError(f"row {i}: code {code!r} is not six digits")',
    "file_text": "conn.execute(f.text)",
    "copy_identifier": 'cur.copy(sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(t)))',
    "ifexp_constants": 'q = "SELECT 1" if a else "SELECT 2"\nconn.execute(q)',
    "html_attribute": "parts.append(f\"<img alt='{alt}' src='{src}'>\")",
    "formula_quote": "term = f\"Q('{col}')\"",
    "loop_constants": 'for s in ("SELECT 1", "SELECT 2"):\n    conn.execute(sql.SQL(s))',
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_lint_flags_formatted_sql(name):
    findings = lint_python(BAD[name], f"<{name}>")
    assert findings, f"{name} was not flagged: {BAD[name]}"


@pytest.mark.parametrize("name", sorted(GOOD))
def test_lint_accepts_safe_sql(name):
    assert lint_python(GOOD[name], f"<{name}>") == []


def test_opt_out_needs_a_reason():
    code = 'conn.execute(f"SELECT * FROM {t}")'
    assert lint_python(code + "  # sql-ok: t comes from a fixed list above") == []
    assert lint_python(code + "  # sql-ok:") != []


def test_plpgsql_dynamic_sql():
    bad = "DO $$ BEGIN EXECUTE 'DROP TABLE ' || tbl; END $$;"
    good = "DO $$ BEGIN EXECUTE format('DROP TABLE %I', tbl); END $$;"
    trigger = "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION f();"
    assert lint_sql(bad) and lint_sql(good) == [] and lint_sql(trigger) == []


def test_repository_has_no_formatted_sql():
    findings = [
        f
        for f in lint_repo(ROOT)
        if not any(
            f.path == p and f.rule == r and s in _line(f.path, f.line) for p, r, s in ALLOWED
        )
    ]
    assert not findings, "SQL built by string formatting:\n" + "\n".join(map(str, findings))


def _line(path: str, line: int) -> str:
    return (ROOT / path).read_text(encoding="utf-8").splitlines()[line - 1]
