"""Exports end to end on a generated base: every kind in every format opened in its reader."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from canvas_setup import load_generated_base
from vocapp.core.exports import FORMATS
from vocapp.core.surveys import entries_by_id, items_by_id, localise
from vocapp.extensions import db
from vocapp.models import Account, Contact, ContactScore, Response

FORMULA = '=HYPERLINK("http://x","y")'


def invoke(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def read(path, fmt):
    """The export as a frame, through the format's own reader."""
    if fmt == "csv":
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    if fmt == "json":
        return pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "sav":
        return pyreadstat.read_sav(str(path))[0]
    sheet = openpyxl.load_workbook(path)[path.stem]
    rows = list(sheet.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.fixture
def placed(app, runner, tmp_path):
    base = load_generated_base(tmp_path, n_accounts=30, seed=3)
    account = db.session.query(Account).order_by(Account.id).first()
    account.name = FORMULA
    contact = db.session.query(Contact).filter(Contact.account_id == account.id).order_by(Contact.id).first()
    contact.first_name, contact.role = FORMULA, FORMULA
    scored = (db.session.query(Contact).join(Response, Response.contact_id == Contact.id)
              .join(ContactScore, ContactScore.response_id == Response.id).order_by(Contact.id).first())
    scored.unsubscribed_at = datetime.now(timezone.utc)  # unsubscribed: still analysed, still exported
    db.session.commit()
    invoke(runner, "canvas", "place")
    return base


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_export_opens_in_its_reader_with_types_and_neutralised_formulas(placed, runner, tmp_path, fmt):
    frames = {}
    for kind in ("accounts", "contacts", "responses", "codebook"):
        path = tmp_path / f"{kind}.{fmt}"
        output = invoke(runner, "export", kind, "--format", fmt, "--out", str(path))
        assert f"to {path}" in output
        frames[kind] = read(path, fmt)
    accounts, contacts, responses = frames["accounts"], frames["contacts"], frames["responses"]
    assert list(accounts.columns[:4]) == ["account_id", "account_name", "relationship", "n_respondents"]
    for construct in ("trust", "appetite", "innovation"):
        assert {construct, f"{construct}_low", f"{construct}_high"} <= set(accounts.columns)
        assert {construct, f"{construct}_z"} <= set(contacts.columns)
        assert pd.api.types.is_float_dtype(accounts[construct]), (fmt, accounts[construct].dtype)
    assert {"readiness", "opportunity", "zone", "leave_alone", "leave_alone_reason", "total_12m",
            "scoring_run_id", "placement_run_id"} <= set(accounts.columns)
    assert len(accounts) == 30 and accounts["account_id"].is_unique
    assert pd.api.types.is_numeric_dtype(accounts["n_respondents"])
    assert pd.api.types.is_numeric_dtype(responses["trust_1"])
    assert {"contact_topics_" + v for v in ("events", "training")} & set(responses.columns)
    topic_columns = [c for c in responses.columns if c.startswith("contact_topics_")]
    assert set(pd.concat([responses[c] for c in topic_columns]).dropna().unique()) <= {0, 1}
    unsubscribed = contacts[contacts["email"] == db.session.query(Contact).filter(
        Contact.unsubscribed_at.is_not(None)).one().email]
    assert len(unsubscribed) >= 1 and unsubscribed["trust"].notna().any()
    names = set(accounts["account_name"])
    if fmt in ("csv", "xlsx"):
        assert "'" + FORMULA in names and FORMULA not in names
    else:
        assert FORMULA in names
    assert {"dataset", "variable", "label", "type", "value_labels"} <= set(frames["codebook"].columns)


@pytest.mark.slow
def test_spss_labels_equal_the_definition(placed, runner, tmp_path, app):
    from vocapp.services.surveys import get_version, version_definition
    definition = version_definition(get_version("b2b_relationship"))
    path = tmp_path / "responses.sav"
    invoke(runner, "export", "responses", "--format", "sav", "--out", str(path))
    _, meta = pyreadstat.read_sav(str(path))
    items = items_by_id(definition)
    scale = entries_by_id(definition, "scales")["agree5"]
    labels = meta.column_names_to_labels
    assert labels["trust_1"] == " ".join(items["trust_1"].item["text"].split())
    assert meta.variable_value_labels["trust_1"] == {float(k): v for k, v in scale["labels"].items()}
    role = items["decision_role"].item
    assert meta.variable_value_labels["decision_role"] == {o["value"]: localise(o["label"]) for o in role["options"]}
    option = items["contact_topics"].item["options"][0]
    assert labels[f"contact_topics_{option['value']}"].endswith(": " + localise(option["label"]))


@pytest.mark.slow
def test_xlsx_has_frozen_header_codebook_sheet_and_number_formats(placed, runner, tmp_path):
    path = tmp_path / "accounts.xlsx"
    invoke(runner, "export", "accounts", "--format", "xlsx", "--out", str(path))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["accounts", "codebook"]
    sheet = book["accounts"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    trust = sheet.cell(row=2, column=header.index("trust") + 1)
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("trust")].value is not None)
    assert isinstance(row[header.index("trust")].value, float)
    assert row[header.index("trust")].number_format == "0.00" and trust.row == 2
    codebook = [[c.value for c in r] for r in book["codebook"].iter_rows()]
    assert ["accounts", "trust_low"] == codebook[header.index("trust_low") + 1][:2]


@pytest.mark.slow
def test_xlsx_contacts_types_every_cell_by_its_codebook_kind(placed, runner, tmp_path):
    path = tmp_path / "contacts.xlsx"
    invoke(runner, "export", "contacts", "--format", "xlsx", "--out", str(path))
    book = openpyxl.load_workbook(path)
    sheet = book["contacts"]
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("submitted_at")].value is not None)
    submitted, response_id = row[header.index("submitted_at")], row[header.index("response_id")]
    assert isinstance(submitted.value, datetime) and submitted.number_format == "yyyy-mm-dd hh:mm:ss"
    assert isinstance(response_id.value, int) and response_id.number_format == "0"
    assert isinstance(row[header.index("excluded")].value, bool)
    assert row[header.index("email")].number_format == "General"
    formula = next(r[header.index("role")].value for r in sheet.iter_rows(min_row=2)
                   if (r[header.index("role")].value or "").endswith(FORMULA))
    invoke(runner, "export", "contacts", "--format", "csv", "--out", str(tmp_path / "contacts.csv"))
    assert formula == "'" + FORMULA and sheet.max_row == 1 + len(read(tmp_path / "contacts.csv", "csv"))
    assert [c.value for c in book["codebook"][1]] == ["dataset", "variable", "label", "type", "value_labels"]


@pytest.mark.slow
def test_parquet_schema_carries_column_descriptions(placed, runner, tmp_path):
    path = tmp_path / "contacts.parquet"
    invoke(runner, "export", "contacts", "--format", "parquet", "--out", str(path))
    schema = pq.read_schema(path)
    assert schema.field("trust_z").metadata[b"description"] == b"Trust in us: standardised factor score"
    assert json.loads(schema.metadata[b"vocapp.codebook"])["email"]["label"] == "Contact e-mail"
    assert str(schema.field("submitted_at").type) == "timestamp[us, tz=UTC]"


def test_export_without_scores_says_what_is_missing(app, runner):
    result = runner.invoke(args=["export", "accounts", "--format", "csv", "--out", "x.csv"])
    assert result.exit_code == 1 and "there is no survey yet" in result.output


@pytest.mark.slow
def test_suppression_list_in_json_and_txt_carries_addresses_exactly(placed, runner, tmp_path):
    from vocapp.models import Placement
    flagged = db.session.query(Placement).filter(Placement.leave_alone.is_(True)).first()
    assert flagged is not None
    contact = db.session.query(Contact).filter(Contact.account_id == flagged.account_id).first()
    contact.email = "+sales@example.org"
    db.session.commit()
    paths = {fmt: tmp_path / f"suppress.{fmt}" for fmt in ("csv", "json", "txt")}
    for fmt, path in paths.items():
        invoke(runner, "canvas", "suppression", "--format", fmt, "--out", str(path))
    assert "+sales@example.org" in paths["txt"].read_text().splitlines()
    assert "+sales@example.org" in {r["email"] for r in json.loads(paths["json"].read_text())}
    assert "'+sales@example.org" in set(pd.read_csv(paths["csv"])["email"])
    assert len(paths["txt"].read_text().splitlines()) == len(json.loads(paths["json"].read_text()))
