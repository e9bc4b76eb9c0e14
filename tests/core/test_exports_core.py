"""The pure export core: neutralising, typing, multiple choice as 0/1, report statistics and suppression."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from vocapp.core.exports import FORMULA_PREFIXES, Variable, conform, neutralise, neutralise_frame, shape_responses
from vocapp.core.exports.codebook import option_columns, response_variables
from vocapp.core.exports.report import build_report, histogram, reason_kinds, report_rows
from vocapp.core.exports.writers import iter_csv, iter_json, spss_names

DEFINITION = {
    "id": "s", "scales": [{"id": "agree5", "min": 1, "max": 5, "labels": {1: "No", 5: "Yes"}}],
    "constructs": [{"id": "trust", "label": "Trust"}],
    "pages": [{"id": "p", "items": [
        {"id": "t1", "type": "likert", "text": "Trusted?", "scale": "agree5", "construct": "trust"},
        {"id": "topics", "type": "multi_choice", "text": "Topics", "options": [
            {"value": "events", "label": "Events"}, {"value": "news", "label": "News"}]},
        {"id": "why", "type": "text", "text": "Why?"},
    ]}],
}


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_every_formula_prefix_is_neutralised_and_numbers_are_not(prefix):
    assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"
    frame = neutralise_frame(pd.DataFrame({"text": [prefix + "cmd", "plain", None], "n": [-1.5, 2.0, np.nan]}))
    assert frame["text"].tolist()[:2] == ["'" + prefix + "cmd", "plain"] and frame["text"].isna().iloc[2]
    assert frame["n"].dtype == float and frame["n"].iloc[0] == -1.5


def test_conform_types_every_kind_and_fills_missing_columns():
    variables = [Variable("s", "s", "string"), Variable("i", "i", "integer"), Variable("f", "f", "float"),
                 Variable("b", "b", "boolean"), Variable("t", "t", "datetime"), Variable("absent", "a", "float")]
    raw = pd.DataFrame({"s": pd.Series([1, None], dtype=object), "i": [3, "x"], "f": ["2.5", None], "b": [1, None],
                        "t": [dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc), None]})
    out = conform(raw, variables)
    assert out["s"].tolist() == ["1", None] and str(out["i"].dtype) == "Int64" and out["i"].isna().iloc[1]
    assert out["f"].tolist()[0] == 2.5 and str(out["b"].dtype) == "boolean"
    assert str(out["t"].dt.tz) == "UTC" and out["absent"].isna().all()


def test_responses_one_column_per_option_as_zero_one():
    variables = response_variables([DEFINITION])
    raw = pd.DataFrame({"response_id": [1, 2, 3], "external_id": ["A", "B", None], "version": [1, 1, 1],
                        "source": "web", "status": "complete", "submitted_at": None, "duration_seconds": 60.0,
                        "answers": [{"t1": 4, "topics": ["news"], "why": "=1+1"}, {"t1": None, "topics": []}, {}]})
    out = shape_responses(raw, variables, option_columns([DEFINITION]))
    assert [v.name for v in variables][-4:] == ["t1", "topics_events", "topics_news", "why"]
    assert out["topics_news"].tolist()[:2] == [1, 0] and out["topics_events"].tolist()[:2] == [0, 0]
    assert out["topics_news"].isna().iloc[2] and out["t1"].tolist()[0] == 4 and out["t1"].isna().iloc[1]
    csv = b"".join(iter_csv(variables, [out])).decode()
    assert ",'=1+1" in csv
    records = json.loads(b"".join(iter_json(variables, [out])))
    assert records[0]["why"] == "=1+1" and records[0]["topics_news"] == 1 and records[2]["t1"] is None


def test_json_floats_round_trip_exactly():
    variables = [Variable("x", "x", "float")]
    value = 0.1 + 0.2
    text = b"".join(iter_json(variables, [conform(pd.DataFrame({"x": [value, np.nan]}), variables)]))
    assert pd.read_json(pd.io.common.StringIO(text.decode()))["x"].iloc[0] == value


def test_report_counts_means_and_suppresses_small_groups():
    answers = pd.DataFrame({
        "t1": [5, 5, 4, 4, 1, 2, 3],
        "topics": [["news"], ["news", "events"], [], ["news"], ["events"], ["news"], None],
        "why": ["a", "b", "c", "d", "e", None, ""],
        "relationship": ["member"] * 5 + ["customer"] * 2,
    })
    items = [(item, DEFINITION) for item in DEFINITION["pages"][0]["items"]]
    report = {r.item_id: r for r in build_report(answers, items, ["relationship"], min_group=5)}
    t1 = report["t1"]
    assert t1.overall.n == 7 and t1.overall.mean == pytest.approx(24 / 7)
    assert t1.overall.sd == pytest.approx(pd.Series([5, 5, 4, 4, 1, 2, 3]).std())
    assert [(v, c) for v, _, c, _ in t1.overall.counts] == [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2)]
    groups = {g.name: g for g in t1.groups["relationship"]}
    assert groups["customer"].suppressed and groups["customer"].counts == [] and groups["customer"].mean is None
    assert not groups["member"].suppressed and groups["member"].n == 5
    topics = report["topics"].overall
    assert topics.n == 6 and [(v, c) for v, _, c, _ in topics.counts] == [("events", 2), ("news", 4)]
    assert report["why"].texts == ["a", "b", "c", "d", "e"]
    assert build_report(answers, items, [], min_group=6)[2].texts == []
    rows = report_rows([t1])
    assert rows.loc[rows["group"] == "customer", "answer"].tolist() == ["(suppressed)"]


def test_histogram_and_reason_kinds():
    assert histogram(pd.Series([0, 9.9, 10, 100, None]))[:2] == [(0.0, 2), (10.0, 1)]
    assert histogram(pd.Series([0, 9.9, 10, 100]))[-1] == (90.0, 1)
    kinds = reason_kinds(pd.Series(["appetite 23 [12-30] from 3 respondents",
                                    "appetite 20 [10-29] from 1 respondent; asked for essential contact only",
                                    "asked for essential contact only (2 respondents)"]))
    assert kinds == [("appetite clearly low", 2), ("asked for essential contact only", 2)]


def test_spss_names_are_valid_and_unique():
    names = spss_names(["trust", "1st", "a-b", "a_b", "BY", "x" * 80])
    assert names["1st"] == "v_1st" and names["a-b"] == "a_b" and names["a_b"] == "a_b_2"
    assert names["BY"] == "v_BY" and len(names["x" * 80]) == 64


def test_an_export_without_rows_is_written_in_every_format(tmp_path):
    """A survey nobody has answered yet still exports (an empty chunk's time column has no times: it
    ended in HTTP 500 for .sav before)."""
    import pyreadstat

    from vocapp.core.exports import FORMATS, write_file

    variables = [Variable("response_id", "Response id", "integer"), Variable("submitted_at", "When", "datetime"),
                 Variable("comment", "Comment", "string")]
    empty = pd.DataFrame({"response_id": pd.Series([], dtype=object), "submitted_at": pd.Series([], dtype=object),
                          "comment": pd.Series([], dtype=object)})
    for fmt in FORMATS:
        path = tmp_path / f"empty.{fmt}"
        assert write_file(fmt, variables, [empty], path) == 0, fmt
        assert path.stat().st_size > 0
    assert pyreadstat.read_sav(str(tmp_path / "empty.sav"))[0].empty
