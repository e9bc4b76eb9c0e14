"""Core helpers behind the respondent pages: language choice, time estimate, hidden answers, required answers."""
from __future__ import annotations

from pathlib import Path

from vocapp.core.surveys import load_definition_file
from vocapp.core.surveys.answers import missing_required, prune_hidden
from vocapp.core.surveys.form_view import page_view
from vocapp.core.surveys.model import estimated_minutes, pick_language

DEFAULT = Path(__file__).resolve().parents[2] / "survey_definitions" / "b2b_relationship.yaml"


def _default() -> dict:
    defn, _ = load_definition_file(DEFAULT)
    return defn


def test_pick_language_matches_exactly_then_by_primary_subtag_else_the_default() -> None:
    defn = {"languages": ["en", "cy", "pt-BR"]}
    assert pick_language(defn, "cy") == "cy"
    assert pick_language(defn, "CY") == "cy"
    assert pick_language(defn, "en-GB") == "en"
    assert pick_language(defn, "pt") == "pt-BR"
    assert pick_language(defn, "fr") == "en"
    assert pick_language(defn, None) == "en"
    assert pick_language({}, "cy") == "en"


def test_estimated_minutes_counts_every_item_by_type() -> None:
    assert estimated_minutes(_default()) == 7  # 18 scale + 1 NPS at 12 s, 3 single at 15, 1 multiple at 20, 2 text at 60
    one_text = {"pages": [{"id": "p", "items": [{"id": "t", "type": "text"}]}]}
    assert estimated_minutes(one_text) == 1
    assert estimated_minutes({"pages": []}) == 1


def test_prune_hidden_drops_answers_whose_condition_no_longer_holds_and_unknown_items() -> None:
    defn = _default()
    answers = {"contact_preference": "open_to_more", "contact_topics": ["events"], "nps": 4, "nps_reason": "x",
               "not_an_item": 1}
    assert prune_hidden(defn, answers) == {"contact_preference": "open_to_more", "contact_topics": ["events"],
                                           "nps": 4, "nps_reason": "x"}
    changed = {**answers, "contact_preference": "essential_only", "nps": 9}
    assert prune_hidden(defn, changed) == {"contact_preference": "essential_only", "nps": 9}


def test_missing_required_names_shown_unanswered_required_items_with_their_page() -> None:
    defn = _default()
    assert missing_required(defn, {}) == {"decision_role": 0, "contact_preference": 2, "nps": 4}
    assert missing_required(defn, {"decision_role": "user", "contact_preference": None, "nps": 0}) == {}


def test_page_view_shows_stored_scale_labels_and_where_errors_link_to() -> None:
    defn = _default()
    stored = {**defn, "scales": [{**scale, "labels": {str(k): v for k, v in scale["labels"].items()}}
                                 for scale in defn["scales"]]}  # JSON turns the label keys into strings
    view = page_view(stored, 1, {}, {"trust_1": "Please answer this question."})
    trust_1 = view["items"][0]
    assert [point["label"] for point in trust_1["points"]][:2] == ["Strongly disagree", "Disagree"]
    assert trust_1["focus_id"] == "item-trust_1-1"
    assert view["is_first"] is False and view["is_last"] is False
    comment = page_view(defn, 4, {})["items"][-1]
    assert comment["focus_id"] == "item-comment-input"
    assert page_view(defn, 4, {})["is_last"] is True and page_view(defn, 0, {})["is_first"] is True
