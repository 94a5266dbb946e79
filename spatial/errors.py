"""Error types of PolicyLink, defined at the bottom layer (numerics) so that every layer can raise them.

The statistics in :mod:`policylink.spatial` import nothing above themselves; they raise these
types, and every front-end (CLI, report, QGIS) turns them into one clear message and an exit
code. :mod:`policylink.errors` re-exports them for the layers above and adds their own kinds.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class PolicyLinkError(Exception):
    """Base class for errors meant for the user (no traceback is shown).

    Attributes
    ----------
    exit_code : int
        Process exit code used by the CLI (2 = bad input, 1 = runtime failure).
    """

    exit_code: int = 1


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes
    ----------
    file : str
        File name as given by the user.
    row : int or None
        1-based data row (header excluded) or feature number; None for file-level problems.
    column : str or None
        Column or field name; None when the problem is not about one column.
    value : object
        The offending value (shown with ``repr``), or None.
    message : str
        What is wrong and, where possible, what would be accepted.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        val = "" if self.value is None else f" (value {self.value!r})"
        return f"{', '.join(where)}: {self.message}{val}"


@dataclass
class InputError(PolicyLinkError):
    """One or more problems in an input file; nothing was written to the database.

    Parameters
    ----------
    problems : list of Problem
        Every problem found, up to a cap.
    truncated : int
        How many further problems were found but not listed.
    """

    problems: list[Problem] = field(default_factory=list)
    truncated: int = 0
    exit_code: int = 2

    def __str__(self) -> str:
        n = len(self.problems) + self.truncated
        lines = [f"{n} problem(s) found; nothing was written:"]
        lines += [f"  - {p}" for p in self.problems]
        if self.truncated:
            lines.append(f"  ... and {self.truncated} more")
        return "\n".join(lines)
