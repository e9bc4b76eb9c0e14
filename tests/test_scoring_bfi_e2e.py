"""bfi end to end through the services the CLI uses: load the definition, import contacts and
responses from files, score; then check the acceptance figures on what was stored."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from vocapp.services.imports import import_contacts, import_responses
from vocapp.services.scoring import run_scoring
from vocapp.services.surveys import load_definition_file

BFI = Path(__file__).resolve().parent / "data" / "bfi"
LETTER = {"A": "agreeableness", "C": "conscientiousness", "E": "extraversion", "N": "neuroticism",
          "O": "openness"}


def readme_alphas() -> dict[str, float]:
    text = (BFI / "README.md").read_text().split("Cronbach's alpha", 1)[1]
    return {LETTER[k]: float("0." + v) for k, v in re.findall(r"\b([ACENO]) \.(\d\d)\b", text)}


def write_import_files(tmp_path: Path) -> tuple[Path, Path, pd.DataFrame]:
    bfi = pd.read_csv(BFI / "bfi.csv")
    items = [c for c in bfi.columns if re.fullmatch(r"[ACENO]\d", c)]
    emails = "p" + bfi["id"].astype(str) + "@example.org"
    contacts = pd.DataFrame({"email": emails, "first_name": "", "last_name": "",
                             "account_id": "ACC" + (bfi["id"] % 400).astype(str),
                             "account_name": "Org " + (bfi["id"] % 400).astype(str),
                             "relationship": "member", "role": "user"})
    responses = bfi[items].astype("Int64").astype(str).replace("<NA>", "")
    responses.insert(0, "submitted_at", "2026-03-01T10:00:00")
    responses.insert(0, "email", emails)
    contacts_file, responses_file = tmp_path / "contacts.csv", tmp_path / "responses.csv"
    contacts.to_csv(contacts_file, index=False)
    responses.to_csv(responses_file, index=False)
    return contacts_file, responses_file, bfi


@pytest.mark.slow
def test_bfi_through_definition_import_and_scoring_services(app, tmp_path):
    version, created = load_definition_file(BFI / "bfi.yaml")
    assert created
    contacts_file, responses_file, bfi = write_import_files(tmp_path)
    contacts_report = import_contacts(contacts_file)
    assert contacts_report.ok, contacts_report.errors
    responses_report = import_responses(responses_file, "bfi")
    assert responses_report.ok, responses_report.errors
    assert responses_report.created == len(bfi)

    run = run_scoring("bfi")
    d = run.diagnostics
    assert run.n_responses == len(bfi) and run.method == "efa"
    assert d["declared_constructs"] == 5 and d["n_factors"] == 5
    assert d["suggested_factors"] == 6 and d["suggested_components"] == 5  # factor- and component-based
    assigned = d["item_assignment"]
    assert sorted(assigned) == sorted(c for c in bfi.columns if re.fullmatch(r"[ACENO]\d", c))  # ids as defined: A1..O5
    assert all(assigned[item] == LETTER[item[0]] for item in assigned) and len(assigned) == 25
    for construct, expected in readme_alphas().items():
        assert d["reliability"][construct]["alpha"] == pytest.approx(expected, abs=0.01)
    assert d["kmo"] == pytest.approx(0.85, abs=0.01)
    assert d["fit_indices"]["converged"]
