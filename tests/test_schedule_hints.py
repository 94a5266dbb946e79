"""The scheduling hints of tests/conftest.py name modules that exist."""

from __future__ import annotations

from tests.conftest import LONGEST_FIRST, ROOT, SCHEDULE_GROUPS


def test_scheduling_hints_name_existing_test_modules():
    named = [*LONGEST_FIRST, *SCHEDULE_GROUPS]
    missing = [m for m in named if not (ROOT / m).is_file()]
    assert not missing, f"stale module names in tests/conftest.py: {missing}"
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
