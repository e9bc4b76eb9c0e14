"""Display logic and typed answers from posted form data (shared by preview and respondent pages)."""
from __future__ import annotations

from pathlib import Path

from werkzeug.datastructures import MultiDict

from vocapp.core.surveys import load_definition_file, parse_definition
from vocapp.core.surveys.answers import (condition_met, next_page_index, parse_page_answers,
                                             visible_item_ids)
from vocapp.core.surveys.form_view import page_view

DEFAULT = Path(__file__).resolve().parents[2] / "survey_definitions" / "b2b_relationship.yaml"
TEXT = """
id: t
title: T
scales: [{id: five, min: 1, max: 5, labels: {1: "No", 5: "Yes"}, not_applicable: N/A}]
constructs: [{id: c, label: C}]
pages:
  - id: one
    title: One
    items:
      - {id: role, type: single_choice, text: Role, required: true,
         options: [{value: buyer, label: Buyer}, {value: user, label: User}]}
      - {id: sectors, type: multi_choice, text: Sectors, options: [{value: a, label: A}, {value: b, label: B}]}
      - {id: l1, type: likert, text: L1, scale: five, construct: c, required: true}
      - {id: spend, type: number, text: Spend, min: 0, max: 1000, show_if: {item: role, in: [buyer]}}
      - {id: why, type: text, text: Why, required: true, show_if: {item: l1, op: "<=", value: 2}}
  - id: two
    title: Two
    items:
      - {id: more, type: text, text: More, show_if: {item: spend, op: ">", value: 500}}
"""


def _defn() -> dict:
    defn, problems = parse_definition(TEXT, "t.yaml")
    assert not [p for p in problems if p.is_error], problems
    return defn


def test_conditions() -> None:
    assert condition_met(None, {})
    assert condition_met({"item": "role", "in": ["buyer"]}, {"role": "buyer"})
    assert not condition_met({"item": "role", "in": ["buyer"]}, {"role": "user"})
    assert condition_met({"item": "sectors", "in": ["b"]}, {"sectors": ["a", "b"]})
    assert not condition_met({"item": "l1", "op": "<=", "value": 2}, {})
    assert not condition_met({"item": "l1", "op": "<=", "value": 2}, {"l1": None})  # not applicable
    assert condition_met({"item": "l1", "op": "<=", "value": 2}, {"l1": 2})


def test_typed_answers_and_errors() -> None:
    defn = _defn()
    form = MultiDict([("answer-role", "buyer"), ("answer-sectors", "b"), ("answer-sectors", "a"),
                      ("answer-l1", "2"), ("answer-spend", "1,000"), ("answer-why", "  Because  ")])
    result = parse_page_answers(defn, defn["pages"][0], form)
    assert result.errors == {}
    assert result.answers == {"role": "buyer", "sectors": ["a", "b"], "l1": 2, "spend": 1000, "why": "Because"}


def test_hidden_items_are_dropped_and_not_required() -> None:
    defn = _defn()
    form = MultiDict([("answer-role", "user"), ("answer-l1", "na"), ("answer-spend", "99")])
    result = parse_page_answers(defn, defn["pages"][0], form)
    assert result.errors == {}
    assert result.answers == {"role": "user", "l1": None}


def test_invalid_and_missing_answers_get_messages() -> None:
    defn = _defn()
    form = MultiDict([("answer-sectors", "zzz"), ("answer-l1", "6")])
    result = parse_page_answers(defn, defn["pages"][0], form)
    assert result.errors == {"role": "Please answer this question.",
                             "sectors": "Please choose from the answers shown.",
                             "l1": "Please choose one of the answers shown."}
    over = parse_page_answers(defn, defn["pages"][0], MultiDict([("answer-role", "buyer"), ("answer-l1", "1"),
                                                                 ("answer-spend", "2000")]))
    assert over.errors == {"spend": "Please enter a number between 0 and 1000.", "why": "Please answer this question."}


def test_visibility_follows_chains_and_pages() -> None:
    defn = _defn()
    assert "more" not in visible_item_ids(defn, {"role": "user", "spend": 900})  # spend is hidden
    assert "more" in visible_item_ids(defn, {"role": "buyer", "spend": 900})
    assert next_page_index(defn, 0, {"role": "user"}, 1) is None
    assert next_page_index(defn, 0, {"role": "buyer", "spend": 900}, 1) == 1


def test_page_view_of_default_questionnaire() -> None:
    defn, _ = load_definition_file(DEFAULT)
    view = page_view(defn, 1, {"trust_1": 4, "trust_2": None})
    trust_1, trust_2 = view["items"][0], view["items"][1]
    assert [point["label"] for point in trust_1["points"]] == [
        "Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    assert [point["checked"] for point in trust_1["points"]] == [False, False, False, True, False]
    assert trust_1["not_applicable"]["checked"] is False and trust_2["not_applicable"]["checked"] is True
    topics = next(item for item in page_view(defn, 2)["items"] if item["id"] == "contact_topics")
    assert topics["show_if"] == {"field": "answer-contact_preference", "in": ["open_to_more"], "op": None,
                                 "value": None, "met": False}
    assert "“More contact would be welcome”" in topics["condition_hint"]
