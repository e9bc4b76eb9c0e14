"""Column specifications: required/optional columns, per-column vectorised parsers,
and collection of every located issue."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from .header import normalise_header
from .issues import ImportIssue

# A parser receives the non-blank cells of one column (strings, index = row) and
# returns (parsed values, reasons) aligned on that index; a reason is missing
# (NaN) where the cell is fine, else the text of the problem.
Parser = Callable[[pd.Series], tuple[pd.Series, pd.Series]]


@dataclass(frozen=True)
class Column:
    """One expected column of an import file.

    A standard column (``exact=False``, name in normalised form such as ``first_name``)
    matches its header ignoring case, spaces and hyphens.  An ``exact`` column (a survey
    item id such as ``A1``) matches the header written exactly as its name; ignoring case,
    spaces and hyphens only when no other exact column then matches too.
    """

    name: str
    required: bool = True
    value_required: bool = False
    parse: Parser | None = None
    max_length: int | None = None
    exact: bool = False


@dataclass(frozen=True)
class TableSpec:
    """Expected columns of one kind of file and what to do with other columns.

    ``extra_columns`` is 'keep' (handed back as text in ``CheckedTable.extras``)
    or 'reject' (each one is an issue whose reason ``unexpected_reason`` gives).
    """

    columns: tuple[Column, ...]
    extra_columns: str = "reject"
    unexpected_reason: Callable[[str], str] | None = None
    #: longest value of a kept extra column
    extra_max_length: int | None = None

    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


@dataclass
class CheckedTable:
    """Parsed columns of a file and the issues collected so far."""

    filename: str
    values: pd.DataFrame
    extras: pd.DataFrame
    headers: dict[str, str]
    issues: list[ImportIssue] = field(default_factory=list)
    #: every header as written, in file order (including repeated ones)
    written: list[str] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)

    def column_label(self, name: str) -> str:
        """The column header as written in the file (or the expected name)."""
        return self.headers.get(name, name)

    def add(self, reasons: pd.Series, column: str | None) -> None:
        """Record one issue per non-missing reason (index = row number)."""
        reasons = reasons.dropna()
        label = self.column_label(column) if column else None
        for row, reason in reasons.items():
            self.issues.append(ImportIssue(self.filename, int(row), label, str(reason)))
        self.bad_rows.update(int(row) for row in reasons.index)

    def sorted_issues(self) -> list[ImportIssue]:
        """Issues by row, then by column as written left to right (missing columns last)."""
        order = {label: position for position, label in enumerate(self.written)}
        return sorted(self.issues, key=lambda issue: (issue.row or 0, order.get(issue.column, len(order))))

    def clean(self) -> pd.DataFrame:
        """Rows without issues."""
        return self.values.drop(index=[row for row in self.bad_rows if row in self.values.index])


def match_headers(written: list[str], spec: TableSpec) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Map each header as written to the spec column (or normalised extra-column key) it fills.

    Returns (header -> target, [(header, reason)]) where the reasons are headers that
    match several exact columns when case is ignored.
    """
    standard = {normalise_header(column.name): column.name for column in spec.columns if not column.exact}
    exact = {column.name for column in spec.columns if column.exact}
    folded: dict[str, list[str]] = {}
    for name in exact:
        folded.setdefault(normalise_header(name), []).append(name)
    targets: dict[str, str] = {}
    ambiguous: list[tuple[str, str]] = []
    for header in written:
        key = normalise_header(header)
        candidates = folded.get(key, [])
        if header in exact:
            targets[header] = header
        elif key in standard:
            targets[header] = standard[key]
        elif len(candidates) == 1:
            targets[header] = candidates[0]
        elif candidates:
            ambiguous.append((header, f"'{header}' matches {', '.join(sorted(candidates))} when case is ignored; "
                                      "write the column name exactly as defined"))
        else:
            targets[header] = key
    return targets, ambiguous


def check_table(frame: pd.DataFrame, spec: TableSpec, filename: str) -> CheckedTable:
    """Match headers to ``spec`` and run every column parser, collecting all issues."""
    header_row = int(frame.attrs.get("header_row", 1))
    letters: dict[str, str] = frame.attrs.get("column_letters", {})
    written_headers = [str(name) for name in frame.columns]
    targets, ambiguous = match_headers(written_headers, spec)
    headers: dict[str, str] = {}
    issues = [ImportIssue(filename, header_row, written, reason) for written, reason in ambiguous]
    for written, target in targets.items():
        if target in headers:
            first = headers[target]
            where = (f"column {letters[written]} repeats the header of column {letters[first]}"
                     if written in letters and first in letters else "this column repeats the header")
            issues.append(ImportIssue(filename, header_row, written,
                                      f"{where} ('{first}'); each column may appear once"))
        else:
            headers[target] = written
    checked = CheckedTable(filename, pd.DataFrame(index=frame.index), pd.DataFrame(index=frame.index), headers, issues,
                           written=written_headers)
    expected = set(spec.column_names())
    for column in spec.columns:
        if column.required and column.name not in headers:
            checked.issues.append(ImportIssue(
                filename, header_row, column.name,
                f"required column '{column.name}' is missing (expected: {', '.join(spec.column_names())})"))
    for name, written in headers.items():
        if name in expected:
            continue
        if spec.extra_columns == "keep":
            checked.extras[name] = frame[written]
            if spec.extra_max_length is not None:
                lengths = frame[written].dropna().str.len()
                checked.add(pd.Series(f"the value is longer than {spec.extra_max_length:,} characters",
                                      index=lengths.index[(lengths > spec.extra_max_length).to_numpy(dtype=bool)]), name)
        else:
            reason = spec.unexpected_reason(written) if spec.unexpected_reason else (
                f"unexpected column; expected: {', '.join(spec.column_names())}")
            checked.issues.append(ImportIssue(filename, header_row, written, reason))
    for column in spec.columns:
        if column.name in headers:
            checked.values[column.name] = _parse_column(checked, frame[headers[column.name]], column)
    return checked


def _parse_column(checked: CheckedTable, cells: pd.Series, column: Column) -> pd.Series:
    blank = cells.isna()
    if column.value_required:
        checked.add(pd.Series("a value is required", index=cells.index[blank]), column.name)
    present = cells[~blank]
    if column.max_length is not None:
        too_long = present.str.len() > column.max_length
        checked.add(pd.Series(f"the value is longer than {column.max_length} characters",
                              index=present.index[too_long.to_numpy(dtype=bool)]), column.name)
        present = present[~too_long.to_numpy(dtype=bool)]
    if column.parse is None:
        return cells.where(cells.index.isin(present.index) | blank)
    parsed, reasons = column.parse(present)
    checked.add(reasons, column.name)
    return parsed.reindex(cells.index)
