"""The vectorised wide-panel parser equals the row-by-row parser (issue 21, item 6).

Reference: the row-by-row parser of ``policylink.etl.panels`` (the path every panel with a
problem still takes, so that each problem keeps its row and column), run on the same frame.
Values are SYNTHETIC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policylink.etl import panels
from policylink.etl.panels import VariableInfo, _key, parse_panel

CODES = [f"{110101 + i:06d}" for i in range(40)]


class _Units:
    """The resolver interface parse_panel uses for code columns: the known codes."""

    units = {c: ("unit", "county", None) for c in CODES}


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = len(CODES) * 6
    df = pd.DataFrame(
        {
            "code": np.repeat(CODES, 6),
            "year": np.tile([str(y) for y in range(2010, 2016)], len(CODES)),
        }
    )
    for k in range(4):
        v = rng.lognormal(size=n)
        df[f"v{k}"] = [f"{x:.6g}" for x in v]
    # cells that are not plain ASCII numbers: missing tokens, thousands, full width, spaces
    df.loc[3, "v0"] = ""
    df.loc[7, "v1"] = "NA"
    df.loc[11, "v2"] = "1,234.5"
    df.loc[13, "v3"] = "１２.５"
    df.loc[17, "v0"] = " 3.25 "
    df.loc[19, "v1"] = "-"
    df.loc[23, "v2"] = "7e-3"
    return df.astype(str)


def _parse(frame: pd.DataFrame, slow: bool, monkeypatch: pytest.MonkeyPatch) -> tuple:
    names = [c for c in frame.columns if c.startswith("v")]
    mapping = {_key(c): c for c in names}
    info = {c: VariableInfo(c, None, 0.0, None, False, True) for c in names}
    with monkeypatch.context() as m:
        if slow:
            m.setattr(panels, "_parse_wide_clean", lambda *a: None)
        return parse_panel(frame, "p.csv", mapping, info, _Units())


def test_vectorised_equals_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _frame()
    fast, c_fast, p_fast = _parse(frame, False, monkeypatch)
    slow, c_slow, p_slow = _parse(frame, True, monkeypatch)
    assert not p_fast and not p_slow
    assert c_fast == c_slow and c_fast["missing"] == 3
    assert [vars(o) for o in fast] == [vars(o) for o in slow]
    assert all(type(o.value) is float and type(o.year) is int for o in fast)


@pytest.mark.parametrize(
    ("row", "col", "value", "message"),
    [
        (4, "v0", "-2", "must be >= 0"),
        (5, "v1", "12%", "percent signs"),
        (6, "v2", "1e999", "number too large"),
        (8, "year", "2010.5", "not a year"),
        (9, "code", "999999", "unit not in admin_unit"),
        (10, "year", "2010", "duplicate"),
    ],
)
def test_problems_keep_row_and_column(
    monkeypatch: pytest.MonkeyPatch, row: int, col: str, value: str, message: str
) -> None:
    frame = _frame()
    frame.loc[row, col] = value
    _, _, probs = _parse(frame, False, monkeypatch)
    _, _, ref = _parse(frame, True, monkeypatch)
    got = [str(p) for p in probs.problems]
    assert got == [str(p) for p in ref.problems]
    assert any(message in g for g in got)
