"""The bad-input catalogue: every case of ``catalogue.yaml`` through the real command line.

For each case a fresh database is cloned from a base template (conftest ``catalogue_base``: the
synthetic units of ``catalogue/base``), ``policylink load ...`` runs, and the test asserts the
outcome documented in ``catalogue.yaml``: exit code, an error naming file / row / column, and an
unchanged database (``dbsnapshot.py``) — or, for legal input, success and the stated query
results. All cases run in-process through :func:`policylink.cli.main`; a subset also runs as a
separate ``policylink`` process, exactly as a user would call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from dbsnapshot import Snapshot, failed_batches, snapshot
from harness import run_cli

HERE = Path(__file__).resolve().parent
CAT = HERE / "catalogue"
CASES: list[dict] = yaml.safe_load((HERE / "catalogue.yaml").read_text(encoding="utf-8"))
# case id -> reason: known gaps in the loaders (listed in docs/reliability.md). strict: when a
# gap is fixed the case passes, the xfail fails, and the entry must be removed.
XFAIL: dict[str, str] = {}

_PROBLEM = re.compile(
    r"^\s+- (?P<file>.+?)(?:, row (?P<row>\d+))?(?:, column (?P<col>'[^']*'|\"[^\"]*\"))?: "
    r"(?P<msg>.*)$"
)


def command(case: dict) -> list[str]:
    """The ``policylink`` arguments of a case."""
    path = str(CAT / case["file"])
    kind = case["kind"]
    if kind == "boundaries":
        base = ["load", "boundaries", path, "--level", case.get("level", "county")]
        base += ["--code-field", "code", "--name-field", "name"]
    elif kind == "panel":
        base = ["load", "panel", path]
    elif kind == "events":
        base = ["load", "events", path]
    elif kind == "catalogue":
        base = ["load", "catalogue", path]
    else:  # pragma: no cover - catalogue typo
        raise ValueError(kind)
    return base + [str(a) for a in case.get("args", [])]


def parse_problems(stderr: str) -> list[dict]:
    """Problems printed by the CLI (``  - file, row N, column 'c': message``)."""
    out = []
    for line in stderr.splitlines():
        m = _PROBLEM.match(line)
        if m:
            col = m["col"][1:-1] if m["col"] else None
            row = int(m["row"]) if m["row"] else None
            out.append({"file": m["file"], "row": row, "column": col, "message": m["msg"]})
    return out


@pytest.fixture(scope="module")
def shared_url(database_copies, catalogue_base) -> Iterator[str]:
    """One copy of the base shared by the error cases: a refused load must not change it, and
    each case compares its own before/after snapshots, so they cannot hide each other."""
    name, url = database_copies.clone(catalogue_base, "cat_")
    yield url
    database_copies.drop(name)


@pytest.fixture
def case_url(request, database_copies, catalogue_base) -> Iterator[str]:
    """Database for one case: a fresh copy of the base for legal input (which changes the
    database), the shared copy for input that must be refused."""
    case = request.node.callspec.params["case"]
    if case["expect"] == "error":
        yield request.getfixturevalue("shared_url")
        return
    name, url = database_copies.clone(catalogue_base, "cat_")
    yield url
    database_copies.drop(name)


def _params(cases: list[dict]) -> list:
    out = []
    for c in cases:
        marks = []
        if c["id"] in XFAIL:
            marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[c["id"]]))
        out.append(pytest.param(c, id=c["id"], marks=marks))
    return out


#: url -> snapshot of the shared copy taken after the last refused case that left it unchanged.
#: The refused cases run one after another on that copy (one module, one worker), so the next
#: case's "before" is that snapshot: one snapshot per case instead of two.
_LAST_SNAPSHOT: dict[str, Snapshot] = {}


def before_state(url: str) -> tuple[Snapshot, int]:
    """Snapshot and failed-batch count of ``url`` before a case's command."""
    before = _LAST_SNAPSHOT.pop(url, None) or snapshot(url)
    return before, failed_batches(url)


def check_outcome(case: dict, url: str, rc: int, stderr: str, before, failed_before: int) -> None:
    """Assert the documented outcome of ``case`` (see ``catalogue.yaml``).

    ``failed_before`` is the number of ``failed`` load_batch rows before the command: a
    refused load leaves exactly one more (the record of the attempt), a legal one none.
    """
    failed_now = failed_batches(url)
    if case["expect"] == "ok":
        assert rc == 0, f"legal input was refused:\n{stderr}"
        assert failed_now == failed_before
        with psycopg.connect(url) as conn:
            for chk in case.get("checks", []):
                got = conn.execute(chk["sql"]).fetchone()
                assert got is not None and got[0] == chk["equals"], (chk["sql"], got)
        return
    assert rc == 2, f"exit code {rc}, stderr:\n{stderr}"
    problems = parse_problems(stderr)
    assert problems, f"no problem lines in:\n{stderr}"
    file_name = Path(case["file"]).name
    want = (file_name, case["row"], case["column"])
    matching = [
        p
        for p in problems
        if (p["file"], p["row"], p["column"]) == want
        and re.search(case["message"], p["message"], re.IGNORECASE)
    ]
    assert matching, f"expected {want} /{case['message']}/, got:\n{stderr}"
    after = snapshot(url)
    diff = before.diff(after)
    assert not diff, "the database changed:\n" + "\n".join(diff)
    assert failed_now == failed_before + 1, "the failed attempt was not recorded in load_batch"
    _LAST_SNAPSHOT[url] = after


@pytest.mark.parametrize("case", _params(CASES))
def test_catalogue_case(case, case_url, monkeypatch, capsys):
    from policylink.cli import main

    before, failed = before_state(case_url)
    monkeypatch.setenv("DATABASE_URL", case_url)
    rc = main(command(case))
    err = capsys.readouterr().err
    check_outcome(case, case_url, rc, err, before, failed)


# a fifth of the catalogue (and every injection case) again as a separate process
SUBPROCESS = [c for i, c in enumerate(CASES) if i % 5 == 0 or "injection" in c["id"]]


@pytest.mark.slow
@pytest.mark.parametrize("case", _params(SUBPROCESS))
def test_catalogue_case_as_process(case, case_url):
    before, failed = before_state(case_url)
    res = run_cli(command(case), case_url)
    check_outcome(case, case_url, res.returncode, res.stderr, before, failed)


def test_catalogue_is_complete():
    # the issue asks for at least 40 cases, files present, ids unique
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    for c in CASES:
        assert (CAT / c["file"]).exists(), c["file"]
        assert c["expect"] in ("ok", "error")
        if c["expect"] == "error":
            assert {"row", "column", "message"} <= set(c), c["id"]
