"""End to end through the CLI on a generated base: import, score, place, show, suppression, movements."""
import csv
import io

import pandas as pd
import pytest

from canvas_setup import load_generated_base
from vocapp.core.canvas import DEFAULT_CANVAS_PATH, load_canvas_definition

DEFN = load_canvas_definition()


def invoke(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.mark.slow
def test_place_show_and_suppression_on_a_generated_base(app, runner, tmp_path):
    with app.app_context():
        base = load_generated_base(tmp_path, n_accounts=40, seed=2)
    output = invoke(runner, "canvas", "place")
    for zone in DEFN.zones:
        assert zone.name in output

    table_path = tmp_path / "canvas.csv"
    invoke(runner, "canvas", "show", "--format", "csv", "--out", str(table_path))
    table = pd.read_csv(table_path, keep_default_na=False)
    assert list(table.columns[:4]) == ["account_id", "account_name", "relationship", "n_respondents"]
    assert list(table.columns[4:]) == ["trust", "appetite", "innovation", "trust_observed", "appetite_observed",
                                       "innovation_observed", "readiness", "opportunity", "zone",
                                       "leave_alone", "leave_alone_reason"]
    heard = table[table["n_respondents"] > 0]
    assert (heard["appetite_observed"] != "").all()  # the observed mean beside the estimate
    assert sorted(table["account_id"]) == sorted(base.accounts["account_id"])
    counts = table["zone"].value_counts()
    for zone in DEFN.zones:
        assert f"{zone.name}" in output
        line = next(line for line in output.splitlines() if line.strip().startswith(zone.name))
        assert int(line.split()[len(zone.name.split())]) == counts.get(zone.name, 0)
    flagged = table[table["leave_alone"].astype(str) == "True"]
    assert f"Leave alone: {len(flagged)} accounts flagged" in output
    assert len(flagged) > 0 and (flagged["leave_alone_reason"] != "").all()
    assert flagged["leave_alone_reason"].str.contains(
        r"^(?:appetite \d+ \[\d+-\d+\] \(observed \d+\) from \d+ respondents?: P\(below \d+\) \d+% "
        r"\(flagged above \d+%\)|asked for essential contact only)").all()
    unheard = table[table["zone"] == "Not yet heard"]
    assert (unheard["n_respondents"] == 0).all() and (table.loc[table["n_respondents"] == 0, "zone"]
                                                      == "Not yet heard").all()

    suppression_path = tmp_path / "suppress.csv"
    out = invoke(runner, "canvas", "suppression", "--out", str(suppression_path))
    suppressed = pd.read_csv(suppression_path, keep_default_na=False)
    expected = base.contacts[base.contacts["account_id"].isin(flagged["account_id"])]
    assert sorted(suppressed["email"]) == sorted(expected["email"].str.lower())
    reasons = dict(zip(flagged["account_id"], flagged["leave_alone_reason"]))
    assert all(reasons[a] == r for a, r in zip(suppressed["account_id"], suppressed["reason"]))
    assert f"Wrote {len(expected)} contacts of {len(flagged)} flagged accounts" in out

    text = invoke(runner, "canvas", "show")
    assert "leave_alone_reason" in text.splitlines()[0]

    invoke(runner, "canvas", "place")
    moves = invoke(runner, "canvas", "movements")
    assert "Movements from placement run 1 to run 2" in moves and "Moved: 0 accounts" in moves


def test_errors_are_one_line_and_specific(app, runner, tmp_path):
    result = runner.invoke(args=["canvas", "show"])
    assert result.exit_code != 0 and "no placement run yet" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT_CANVAS_PATH.read_text().replace("margin: 5", "margin: -1"))
    result = runner.invoke(args=["canvas", "place", "--definition", str(bad)])
    assert result.exit_code != 0 and f"{bad}:" in result.output and "hysteresis.margin" in result.output


def test_csv_cells_cannot_run_as_formulas(app, runner, tmp_path):
    from vocapp.extensions import db
    from vocapp.models import Account
    with app.app_context():
        db.session.add(Account(external_id="=HYPERLINK(\"x\")", name="+cmd|' /C calc'!A0"))
        db.session.commit()
    invoke(runner, "canvas", "place")
    out = tmp_path / "t.csv"
    invoke(runner, "canvas", "show", "--format", "csv", "--out", str(out))
    row = next(csv.DictReader(io.StringIO(out.read_text())))
    assert row["account_id"].startswith("'=") and row["account_name"].startswith("'+")


def test_as_of_sets_the_transaction_window(app, runner, tmp_path):
    with app.app_context():
        load_generated_base(tmp_path, n_accounts=20, seed=5, score=False)
    output = invoke(runner, "canvas", "place", "--as-of", "2026-06-30")
    assert "as of 2026-06-30" in output and "Not yet heard" in output
    from vocapp.services.canvas import placement_table
    with app.app_context():
        _, table = placement_table()
    assert (table["zone"] == "Not yet heard").all() and table["opportunity"].max() > 50
