"""``policylink db reader --create NAME``: an analyst login that reads everything and writes
nothing (issue 16).

The login is created through the CLI on the session's bundled database, then every example
query of ``sql/README.md`` (each statement of each ``sql`` block, read from the file) runs
connected as that login, and every kind of write is refused. The password never appears in
the output and reaches the server only as a SCRAM-SHA-256 verifier.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from policylink.cli import main

README = Path(__file__).resolve().parents[1] / "sql" / "README.md"


def _examples() -> list[str]:
    """Every statement of every ```sql block of sql/README.md."""
    text = README.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```sql\n(.*?)```", text, flags=re.S):
        body = "\n".join(line.split("--")[0] for line in block.splitlines())
        out.extend(s.strip() for s in body.split(";") if s.strip())
    return out


@pytest.fixture
def login(bundled_url: str, tmp_path: Path, monkeypatch, capsys):
    """A reader login created by the CLI (dropped afterwards): (name, password, CLI output)."""
    name = f"analyst_{uuid.uuid4().hex[:8]}"
    password = f"pw-{uuid.uuid4().hex}"
    secret = tmp_path / "pw.txt"
    secret.write_text(password + "\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", bundled_url)
    capsys.readouterr()
    rc = main(["db", "reader", "--create", name, "--password-file", str(secret)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    yield name, password, out.out + out.err
    with psycopg.connect(bundled_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def _as(url: str, name: str) -> str:
    return make_conninfo(url, user=name)


def test_reader_login_runs_every_readme_example_and_writes_nothing(bundled_url, login):
    name, password, output = login
    examples = _examples()
    assert len(examples) >= 25
    with psycopg.connect(_as(bundled_url, name)) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == name
        for stmt in examples:
            conn.execute(stmt).fetchall()
        for stmt in (
            "INSERT INTO policy_event (id, event_date, title_zh, level, kind, source) "
            "VALUES ('x', '2020-01-01', 'x', 'national', 'plan', 'x')",
            "UPDATE admin_unit SET name_en = 'x'",
            "DELETE FROM observation",
            "UPDATE programme SET label_en = 'x'",
            "TRUNCATE event_participant",
            "CREATE TABLE probe (x int)",
            "CREATE VIEW probe AS SELECT 1",
            "REFRESH MATERIALIZED VIEW w_contiguity_queen_county",
            "DROP VIEW coordination_link",
            "CREATE ROLE probe",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                with conn.transaction():
                    conn.execute(stmt)
    # the CLI printed the psql / QGIS connection line, never the password
    info = conninfo_to_dict(bundled_url)
    assert f"postgresql://{name}@" in output and info["dbname"] in output
    assert "QGIS" in output and password not in output
    with psycopg.connect(bundled_url) as conn:
        stored, member, attrs = conn.execute(
            "SELECT a.rolpassword, pg_has_role(a.rolname, 'policylink_reader', 'MEMBER'), "
            "a.rolsuper OR a.rolcreaterole OR a.rolcreatedb OR NOT a.rolcanlogin "
            "FROM pg_authid a WHERE a.rolname = %s",
            (name,),
        ).fetchone()
    assert stored.startswith("SCRAM-SHA-256$") and password not in stored
    assert member and not attrs


def test_reader_login_refuses_existing_names_and_resets(bundled_url, login, tmp_path, capsys):
    name, _, _ = login
    secret = tmp_path / "pw2.txt"
    secret.write_text("another-secret\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["db", "reader", "--create", name, "--password-file", str(secret)]) != 0
    assert "exists" in capsys.readouterr().err
    assert main(["db", "reader", "--create", name, "--password-file", str(secret), "--reset"]) == 0
    assert "another-secret" not in capsys.readouterr().out
    assert main(["db", "reader", "--create", "Bad Name", "--password-file", str(secret)]) != 0
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert main(["db", "reader", "--create", "nobody_x", "--password-file", str(empty)]) != 0
