"""The import commands: counts on success; every located error, exit 1 and an unchanged database otherwise."""
from __future__ import annotations

from pathlib import Path

import pytest

from imports_corpus import BAD_CASES, BAD_FILES, build_corpus, data_snapshot, load_test_survey


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


def test_contacts_import_prints_counts_and_dry_run(runner, db, corpus):
    dry = runner.invoke(args=["contacts", "import", str(corpus / "contacts" / "valid.csv"), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.strip() == ("contacts import of valid.csv (dry run): would create 4, updated 0, unchanged 0, "
                                  "skipped 0, accounts created 3, accounts renamed 0")
    assert data_snapshot(db)["contacts"] == []
    result = runner.invoke(args=["contacts", "import", str(corpus / "contacts" / "valid.csv")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("contacts import of valid.csv: created 4, updated 0")
    assert len(data_snapshot(db)["contacts"]) == 4


def test_contacts_bad_file_lists_every_error_and_exits_1(runner, db, corpus):
    result = runner.invoke(args=["contacts", "import", str(corpus / "contacts" / "bad_values.csv")])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "contacts import of bad_values.csv: 6 error(s), nothing imported"
    assert lines[1:] == [
        "  bad_values.csv: row 3, column email: 'not-an-email' is not a valid email address: "
        "An email address must have an @-sign.",
        "  bad_values.csv: row 4, column account_id: a value is required",
        "  bad_values.csv: row 5, column relationship: 'partner' is not a valid relationship "
        "(allowed: member, customer, both)",
        "  bad_values.csv: row 6, column email: email ann.lee@acme.example also appears on row 2 "
        "(emails must be unique, ignoring case)",
        "  bad_values.csv: row 7, column account_name: account ACME is named 'Acme Ltd' on row 2 but 'ACME Limited' here",
        "  bad_values.csv: row 7, column role: 'chief' is not a valid role (allowed: decision_maker, influencer, user)",
    ]
    assert data_snapshot(db)["accounts"] == []


def test_error_list_is_capped_with_a_count(runner, db, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("email,first_name,last_name,account_id,account_name,relationship,role\n"
                    + "".join(f"bad{i},A,B,X,Y,member,user\n" for i in range(70)))
    result = runner.invoke(args=["contacts", "import", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "contacts import of many.csv: 70 error(s), nothing imported"
    assert len(lines) == 52
    assert lines[50].startswith("  many.csv: row 51, column email: 'bad49' is not a valid email address")
    assert lines[51] == "  ... and 20 more errors"


@pytest.mark.parametrize("kind, name", BAD_CASES)
def test_bad_corpus_files_through_the_cli(runner, db, corpus, kind, name):
    load_test_survey(corpus)
    runner.invoke(args=["contacts", "import", str(corpus / "contacts" / "valid.csv")])
    before = data_snapshot(db)
    extra = ["--survey", "import_test"] if kind == "responses" else []
    result = runner.invoke(args=[kind, "import", str(corpus / kind / name), *extra])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{kind} import of {name}: ") and lines[0].endswith(" error(s), nothing imported")
    assert lines[1] == f"  {BAD_FILES[kind][name]}"
    assert data_snapshot(db) == before


def test_responses_and_transactions_commands(runner, db, corpus, tmp_path):
    load_test_survey(corpus)
    runner.invoke(args=["contacts", "import", str(corpus / "contacts" / "valid.csv")])
    result = runner.invoke(args=["responses", "import", str(corpus / "responses" / "valid.csv"),
                                 "--survey", "import_test", "--version", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("responses import of valid.csv: created 3,")
    unknown = runner.invoke(args=["responses", "import", str(corpus / "responses" / "valid.csv"), "--survey", "nope"])
    assert unknown.exit_code == 1 and "no survey with id 'nope'" in unknown.output
    new_account = tmp_path / "new_account.csv"
    new_account.write_text("account_id,date,amount,category\nZZZ,2024-01-01,10,fee\n")
    refused = runner.invoke(args=["transactions", "import", str(new_account)])
    assert refused.exit_code == 1
    assert "new_account.csv: row 2, column account_id: no account has the id ZZZ" in refused.stderr
    created = runner.invoke(args=["transactions", "import", str(new_account), "--create-accounts"])
    assert created.exit_code == 0, created.output
    assert "accounts created 1" in created.stdout
    parquet = str(corpus / "transactions" / "valid.parquet")
    result = runner.invoke(args=["transactions", "import", parquet])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("transactions import of valid.parquet: created 3,")
    again = runner.invoke(args=["transactions", "import", parquet])
    assert again.exit_code == 0
    assert "created 1, updated 0, unchanged 0, skipped 2" in again.stdout
    assert "  skipped: valid.parquet: row 2, column reference: reference P-1 was imported before" in again.stdout
