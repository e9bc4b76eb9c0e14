"""Formula payloads in every staff- and contact-written field never run in a spreadsheet export.

The base is loaded the public way with formula payloads in every written field (tests/payload_setup.py).
Then every spreadsheet vocapp writes is found by walking, not listed: every GET route of the URL map as
an admin (each ``any()`` choice, so every export kind in every format), and every command of the CLI
with a ``--format`` and an ``--out`` (each format it offers). In every CSV and XLSX, no text cell starts
with ``= + - @``, tab or CR unless it is a number, no XLSX cell is a formula, the payloads are there
with a leading apostrophe, and number columns stay numbers; Parquet, JSON and SPSS files carry the
payloads exactly.
"""
from __future__ import annotations

import csv
import io
import json

import click
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
from sqlalchemy import select

from conftest import STAFF_PASSWORD
from helpers import login
from payload_setup import EMBEDDED_FORMULA, FORMULA_EMAILS, FORMULAS, load_payload_base
from url_walk import fetch, get_urls
from vocapp.core.exports.safety import FORMULA_PREFIXES
from vocapp.extensions import db
from vocapp.models import Account, Contact, ScoringRun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPREADSHEETS = {"text/csv": "csv", XLSX: "xlsx"}
EXACT = {"application/json": "json", "application/vnd.apache.parquet": "parquet", "application/x-spss-sav": "sav"}
#: what each payload is after import (leading and trailing white space is trimmed from imported cells;
#: the tab and CR payloads survive as they were written in the canvas definition's zone names)
STORED = sorted({text.strip() for text in FORMULAS if text.strip()[:1] in FORMULA_PREFIXES} | {"\tcmd", "\rcmd"}
                | set(FORMULA_EMAILS))
TEXTS = FORMULAS + [EMBEDDED_FORMULA]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_cells(data: bytes) -> list[tuple[str, object]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    # a CR or LF written unquoted inside a value splits its row: what follows starts a row of its own
    assert {len(row) for row in rows} == {len(rows[0])}, f"rows of {sorted({len(row) for row in rows})} cells"
    return [(f"{rows[0][j] if j < len(rows[0]) else j}", cell) for row in rows for j, cell in enumerate(row)]


def _xlsx_cells(data: bytes) -> list[tuple[str, object]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                cells.append((f"{sheet.title}!{cell.column_letter}", cell.value))
    return cells


def check_spreadsheet(name: str, data: bytes, fmt: str) -> set[str]:
    """Assert no cell of the CSV/XLSX ``data`` can run; return the payloads found neutralised in it."""
    try:
        cells = _csv_cells(data) if fmt == "csv" else _xlsx_cells(data)
    except AssertionError as error:
        raise AssertionError(f"{name}: {error}") from None
    risky = [(where, value) for where, value in cells if isinstance(value, str) and value[:1] in FORMULA_PREFIXES
             and not (fmt == "csv" and _number(value))]
    assert not risky, f"{name}: cells a spreadsheet would run: {risky[:5]}"
    texts = [value for _, value in cells if isinstance(value, str)]
    # XML reads a CR back as LF (XML line-end handling): compare XLSX text with CRs as LFs
    same = (lambda text: text) if fmt == "csv" else (lambda text: text.replace("\r", "\n"))
    found = {payload for payload in STORED if any(text.startswith(same("'" + payload)) for text in texts)}
    if any(same(EMBEDDED_FORMULA) in text for text in texts):
        found.add(EMBEDDED_FORMULA)  # kept whole, in one cell
    assert not any(text.startswith("''") for text in texts), f"{name}: a cell was neutralised twice"
    return found


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in list(value.keys()) + list(value.values()) for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def check_exact(name: str, data: bytes, fmt: str, tmp_path) -> set[str]:
    """Assert the Parquet/JSON/SPSS ``data`` carries the payloads unchanged; return those found."""
    if fmt == "json":
        texts = _strings(json.loads(data))
    elif fmt == "parquet":
        table = pq.read_table(io.BytesIO(data))
        texts = _strings(table.to_pylist()) + _strings({k.decode(): v.decode() for k, v in table.schema.metadata.items()})
    else:
        path = tmp_path / "check.sav"
        path.write_bytes(data)
        frame, meta = pyreadstat.read_sav(str(path))
        texts = _strings(frame.astype(object).values.tolist()) + _strings(meta.column_labels) + _strings(
            meta.variable_value_labels)
    assert not any(text.startswith("'" + payload) for text in texts for payload in STORED), f"{name}: altered text"
    return {payload for payload in STORED + [EMBEDDED_FORMULA]
            if any(text.startswith(payload) or f" {payload}" in text for text in texts)}


def _ids() -> dict[str, object]:
    return {"account": db.session.scalar(select(Account.id)), "contact": db.session.scalar(select(Contact.id)),
            "run": db.session.scalar(select(ScoringRun.id))}


def test_every_spreadsheet_download_neutralises_formulas_and_other_formats_keep_them(
        app, client, runner, make_staff, tmp_path):
    load_payload_base(runner, tmp_path, TEXTS, FORMULA_EMAILS)
    login(client, make_staff("admin").email, STAFF_PASSWORD)
    found: dict[str, set[str]] = {}
    exact: dict[str, set[str]] = {}
    for url in get_urls(app, _ids(), skip={"auth.set_password"}):
        response, data = fetch(client, url)
        assert response.status_code < 500, url
        if response.mimetype in SPREADSHEETS:
            found[url] = check_spreadsheet(url, data, SPREADSHEETS[response.mimetype])
        elif response.mimetype in EXACT and response.headers.get("Content-Disposition", "").startswith("attachment"):
            exact[url] = check_exact(url, data, EXACT[response.mimetype], tmp_path)
    expected = {f"/exports/{kind}.{fmt}" for kind in ("accounts", "contacts", "responses", "codebook")
                for fmt in ("csv", "xlsx")} | {"/exports/report.csv"}
    assert expected <= set(found), expected - set(found)
    assert all(found.values()), {url: payloads for url, payloads in found.items() if not payloads}
    for fmt in ("csv", "xlsx"):
        seen = set().union(*(payloads for url, payloads in found.items() if url.endswith(fmt)))
        assert seen == set(STORED) | {EMBEDDED_FORMULA}, (fmt, (set(STORED) | {EMBEDDED_FORMULA}) - seen)
    assert {f"/exports/accounts.{fmt}" for fmt in ("json", "parquet", "sav")} <= set(exact)
    assert all(exact.values()), exact
    _numbers_stay_numbers(client)


def _numbers_stay_numbers(client) -> None:
    """Negative numbers (growth: -2 is "no spend this year") are numbers in CSV and XLSX, not text."""
    frame = pd.read_csv(io.BytesIO(fetch(client, "/exports/accounts.csv")[1]))
    assert pd.api.types.is_float_dtype(frame["growth"]) and (frame["growth"] < 0).any()
    assert pd.api.types.is_float_dtype(frame["trust"]) and pd.api.types.is_integer_dtype(frame["n_respondents"])
    book = openpyxl.load_workbook(io.BytesIO(fetch(client, "/exports/accounts.xlsx")[1]))["accounts"]
    header = [cell.value for cell in book[1]]
    values = [row[header.index("growth")] for row in book.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, (int, float)) for v in values if v is not None) and min(v for v in values if v is not None) < 0


def _file_commands(app):
    """Every CLI command with a --format choice and an --out file, and its formats (found by walking)."""
    def walk(command, path):
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, path + [name])
            return
        params = {param.name: param for param in command.params}
        fmt, out = params.get("fmt"), params.get("out")
        others = [p for p in command.params if p.required and p.name not in ("fmt", "out")]
        if fmt is not None and out is not None and not others and isinstance(fmt.type, click.Choice):
            yield path, fmt.opts[0], out.opts[0], list(fmt.type.choices)

    for name, command in app.cli.commands.items():
        yield from walk(command, [name])


def test_every_spreadsheet_the_command_line_writes_neutralises_formulas(app, runner, tmp_path):
    load_payload_base(runner, tmp_path, TEXTS, FORMULA_EMAILS)
    found: dict[str, set[str]] = {}
    exact: dict[str, set[str]] = {}
    for path, fmt_option, out_option, formats in _file_commands(app):
        for fmt in formats:
            out = tmp_path / f"{'-'.join(path)}.{fmt}"
            result = runner.invoke(args=[*path, fmt_option, fmt, out_option, str(out)])
            assert result.exit_code == 0, (path, fmt, result.output)
            name = f"vocapp {' '.join(path)} {fmt_option} {fmt}"
            if fmt in ("csv", "xlsx"):
                found[name] = check_spreadsheet(name, out.read_bytes(), fmt)
            elif fmt in ("json", "parquet", "sav"):
                exact[name] = check_exact(name, out.read_bytes(), fmt, tmp_path)
    expected = {f"vocapp export {kind} --format {fmt}" for kind in ("accounts", "contacts", "responses", "codebook")
                for fmt in ("csv", "xlsx")} | {"vocapp canvas show --format csv", "vocapp canvas suppression --format csv"}
    assert expected <= set(found), expected - set(found)
    assert all(found.values()), {name: payloads for name, payloads in found.items() if not payloads}
    assert set().union(*found.values()) == set(STORED) | {EMBEDDED_FORMULA}
    assert {f"vocapp export accounts --format {fmt}" for fmt in ("json", "parquet", "sav")} <= set(exact)
    assert all(exact.values()), exact
