"""Put a generated synthetic base into the database through the real import and scoring services."""
from __future__ import annotations

from pathlib import Path

from vocapp import PROJECT_ROOT
from vocapp.core.surveys import likert_key, load_definition_file as read_definition
from vocapp.core.synthetic.base import SyntheticBase, generate_base
from vocapp.services.imports import import_contacts, import_responses, import_transactions
from vocapp.services.scoring import run_scoring
from vocapp.services.surveys import load_definition_file

DEFINITION = PROJECT_ROOT / "survey_definitions" / "b2b_relationship.yaml"


def load_generated_base(folder: Path, n_accounts: int = 40, seed: int = 1, score: bool = True) -> SyntheticBase:
    """Generate a base, write it as import files, import contacts, transactions, responses, score."""
    definition, _ = read_definition(DEFINITION)
    base = generate_base(likert_key(definition), n_accounts=n_accounts, seed=seed)
    load_definition_file(DEFINITION)
    contacts = base.contacts.merge(base.accounts[["account_id", "employees"]], on="account_id")
    contacts.to_csv(folder / "contacts.csv", index=False)
    base.transactions.to_csv(folder / "transactions.csv", index=False)
    base.responses.to_csv(folder / "responses.csv", index=False)
    for report in (import_contacts(folder / "contacts.csv"),
                   import_transactions(folder / "transactions.csv", create_accounts=True),
                   import_responses(folder / "responses.csv", "b2b_relationship")):
        assert report.ok, [str(e) for e in report.errors[:5]]
    if score:
        run_scoring("b2b_relationship")
    return base
