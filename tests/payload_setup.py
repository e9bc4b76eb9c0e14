"""A scored and placed base whose staff- and contact-written text is hostile, loaded the public way.

The texts go in through the command line as a user would: a survey definition whose construct labels,
item texts, option and scale labels are payloads (``vocapp surveys load``), a canvas definition whose
zone names are payloads (``vocapp canvas place --definition``), and contacts, transactions and
historical responses files whose names, organisations, CRM ids, e-mails, free attributes, transaction
descriptions and free-text answers are payloads (``vocapp contacts|transactions|responses import``).
"""
from __future__ import annotations

import itertools
from pathlib import Path

import yaml

from vocapp import PROJECT_ROOT
from vocapp.core.surveys import likert_key, load_definition_file as read_definition
from vocapp.core.synthetic.base import generate_base

DEFINITION = PROJECT_ROOT / "survey_definitions" / "b2b_relationship.yaml"
CANVAS = PROJECT_ROOT / "vocapp" / "core" / "canvas" / "default_canvas.yaml"
#: text a spreadsheet would run: a formula, DDE-style commands, arithmetic, a function, leading tab and CR
FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\tcmd", "\rcmd"]
#: a formula after a CR inside a value: a spreadsheet that ends the row at a bare CR starts a new row with it
EMBEDDED_FORMULA = 'Acme\r=HYPERLINK("http://x","y")'
#: e-mail addresses that are valid and still start like a formula
FORMULA_EMAILS = ["+sales@example.org", "-2+3@example.org", "=1+2@example.org"]


def invoke(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, f"vocapp {' '.join(args)}: {result.output} {result.exception!r}"
    return result.output


def _survey_file(folder: Path, texts: list[str]) -> Path:
    definition = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    cycle = itertools.cycle(texts)
    for construct in definition["constructs"]:
        construct["label"] = f"{next(cycle)} construct"
    for scale in definition.get("scales", []):
        scale["labels"] = {key: f"{next(cycle)} {key}" for key in scale.get("labels", {})}
    for page in definition["pages"]:
        for item in page["items"]:
            item["text"] = f"{next(cycle)} item"
            for option in item.get("options", []):
                option["label"] = f"{next(cycle)} option"
    path = folder / "payload_survey.yaml"
    path.write_text(yaml.safe_dump(definition, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _canvas_file(folder: Path, texts: list[str]) -> Path:
    canvas = yaml.safe_load(CANVAS.read_text(encoding="utf-8"))
    for zone, text in zip(canvas["zones"], itertools.cycle(texts[::-1])):  # the last payloads too
        zone["name"] = f"{text} {zone['id']}"[:40]
    path = folder / "payload_canvas.yaml"
    path.write_text(yaml.safe_dump(canvas, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_payload_base(runner, folder: Path, texts: list[str], emails: list[str] = (), n_accounts: int = 30,
                      seed: int = 5) -> dict[str, object]:
    """Load, score and place a generated base with ``texts`` in every written field; returns the files."""
    definition, _ = read_definition(DEFINITION)
    base = generate_base(likert_key(definition), n_accounts=n_accounts, seed=seed)
    contacts = base.contacts.merge(base.accounts[["account_id", "employees"]], on="account_id")
    transactions, responses = base.transactions.copy(), base.responses.copy()
    cycle = itertools.cycle(texts)
    renamed = {old: f"{text}{n}" for n, (old, text) in enumerate(zip(base.accounts["account_id"], texts))}
    for frame in (contacts, transactions):
        frame["account_id"] = frame["account_id"].replace(renamed)
    names = {old: f"{next(cycle)} Ltd" for old in contacts["account_name"].unique()}
    contacts["account_name"] = contacts["account_name"].map(names)
    for column in ("first_name", "last_name"):  # (roles and relationships are fixed codes, checked on import)
        contacts[column] = [next(cycle) for _ in range(len(contacts))]
    new_emails = dict(zip(responses["email"], emails))  # contacts who answered, so they appear in every export
    contacts["email"] = contacts["email"].replace(new_emails)
    responses["email"] = responses["email"].replace(new_emails)
    contacts["notes"] = [next(cycle) for _ in range(len(contacts))]
    transactions["description"] = [next(cycle) for _ in range(len(transactions))]
    responses["comment"] = [next(cycle) for _ in range(len(responses))]
    paths = {"contacts": folder / "contacts.csv", "transactions": folder / "transactions.csv",
             "responses": folder / "responses.csv"}
    for name, frame in (("contacts", contacts), ("transactions", transactions), ("responses", responses)):
        frame.to_csv(paths[name], index=False, lineterminator="\r\n")  # CRLF lines: a CR in a value is quoted
    invoke(runner, "surveys", "load", str(_survey_file(folder, texts)))
    invoke(runner, "contacts", "import", str(paths["contacts"]))
    invoke(runner, "transactions", "import", str(paths["transactions"]), "--create-accounts")
    invoke(runner, "responses", "import", str(paths["responses"]), "--survey", "b2b_relationship")
    invoke(runner, "score", "--survey", "b2b_relationship")
    invoke(runner, "canvas", "place", "--definition", str(_canvas_file(folder, texts)))
    return paths
