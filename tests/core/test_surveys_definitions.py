"""Shipped definitions validate; parsing, hashing, export and helpers behave as documented."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from vocapp.core.surveys import (content_hash, definition_schema, dump_definition, has_errors, iter_items,
                                     likert_key, load_definition_file, localise, order_definition, parse_definition,
                                     validate_definition)

DEFINITIONS = Path(__file__).resolve().parents[2] / "survey_definitions"
DEFAULT = DEFINITIONS / "b2b_relationship.yaml"
SHIPPED = sorted(DEFINITIONS.glob("*.yaml"))


def test_there_are_shipped_definitions() -> None:
    assert {path.name for path in SHIPPED} >= {"b2b_relationship.yaml", "b2b_pulse.yaml"}


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_shipped_definition_has_no_errors(path: Path) -> None:
    defn, problems = load_definition_file(path)
    assert defn is not None
    assert not has_errors(problems), "\n".join(map(str, problems))
    jsonschema.validate(defn, definition_schema(), cls=jsonschema.Draft202012Validator)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads((DEFINITIONS / "schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_default_questionnaire_measures_three_balanced_constructs() -> None:
    defn, _ = load_definition_file(DEFAULT)
    assert defn["id"] == "b2b_relationship"
    assert [c["id"] for c in defn["constructs"]] == ["trust", "appetite", "innovation"]
    scale = next(s for s in defn["scales"] if s["id"] == "agree5")
    assert (scale["min"], scale["max"], sorted(scale["labels"])) == (1, 5, [1, 2, 3, 4, 5])
    assert scale["not_applicable"]
    key = likert_key(defn)
    for construct in ("trust", "appetite", "innovation"):
        entries = [entry for entry in key if entry["construct"] == construct]
        assert len(entries) == 6
        assert sum(entry["reverse"] for entry in entries) >= 2
        assert all((entry["min"], entry["max"]) == (1, 5) for entry in entries)
    items = {ref.item["id"]: ref.item for ref in iter_items(defn)}
    assert items["nps"]["type"] == "nps"
    assert items["comment"]["type"] == "text"
    assert [o["value"] for o in items["decision_role"]["options"]] == ["decision_maker", "influencer", "user"]
    assert items["relationship_length"]["type"] == "single_choice"
    contact = items["contact_preference"]
    assert contact["type"] == "single_choice"
    assert "essential_only" in [o["value"] for o in contact["options"]]
    assert any("show_if" in item for item in items.values())


def test_pulse_has_two_items_per_construct_and_contact_preference() -> None:
    defn, problems = load_definition_file(DEFINITIONS / "b2b_pulse.yaml")
    assert defn["id"] == "b2b_pulse"
    key = likert_key(defn)
    assert sorted(entry["construct"] for entry in key) == sorted(["trust", "appetite", "innovation"] * 2)
    assert "contact_preference" in {ref.item["id"] for ref in iter_items(defn)}
    # Two items per construct is below the reliability minimum, which is a warning, not an error.
    assert {p.path for p in problems} == {"constructs[0]", "constructs[1]", "constructs[2]"}
    assert all(p.severity == "warning" for p in problems)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_default_questionnaire_round_trips_through_export(fmt: str) -> None:
    defn, _ = load_definition_file(DEFAULT)
    exported = dump_definition(defn, fmt)
    again, problems = parse_definition(exported, f"export.{fmt}")
    assert again == defn
    assert content_hash(again) == content_hash(defn)
    assert not has_errors(problems)
    # A second round trip is byte-for-byte stable.
    assert dump_definition(again, fmt) == exported


def test_yaml_export_is_readable() -> None:
    defn, _ = load_definition_file(DEFAULT)
    defn["title"] = "Votre relation avec nous — 2025"
    exported = dump_definition(defn, "yaml")
    assert exported.startswith("id: b2b_relationship\ntitle: Votre relation avec nous — 2025\n")
    assert "\\u" not in exported and "{" not in exported.split("pages:")[0]
    assert list(yaml.safe_load(exported)) == list(defn)


def test_hash_ignores_formatting_but_not_content() -> None:
    defn, _ = load_definition_file(DEFAULT)
    reformatted = json.dumps(dict(reversed(list(defn.items()))), indent=7, ensure_ascii=True)
    same, _ = parse_definition(reformatted, "reformatted.json")
    assert content_hash(same) == content_hash(defn)
    changed, _ = parse_definition(DEFAULT.read_text(encoding="utf-8").replace(
        "We do what we say we will do.", "We do what we say we'll do."), "changed.yaml")
    assert content_hash(changed) != content_hash(defn)
    assert len(content_hash(defn)) == 64


def test_problem_in_default_questionnaire_is_located_on_its_line() -> None:
    text = DEFAULT.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index("      - id: innovation_4")
    target = next(n for n in range(start, len(lines)) if lines[n].strip() == "construct: innovation")
    lines[target] = lines[target].replace("innovation", "innovaton")
    _, problems = parse_definition("\n".join(lines), "edited.yaml")
    errors = [p for p in problems if p.is_error]
    assert len(errors) == 1
    assert errors[0].path == "pages[3].items[3].construct"
    assert errors[0].line == target + 1
    assert str(errors[0]).startswith(f"edited.yaml:{target + 1}: pages[3].items[3].construct: unknown construct")


def test_validating_a_dict_without_source_gives_paths_but_no_lines() -> None:
    defn, _ = load_definition_file(DEFAULT)
    defn["pages"][1]["items"][0]["scale"] = "agree7"
    problems = [p for p in validate_definition(defn, "designer") if p.is_error]
    assert [(p.file, p.line, p.path) for p in problems] == [("designer", None, "pages[1].items[0].scale")]
    assert str(problems[0]) == "designer: pages[1].items[0].scale: unknown scale 'agree7' (defined scales: agree5)"


def test_likert_key_follows_questionnaire_order() -> None:
    text = """
id: s
title: S
scales: [{id: five, min: 1, max: 5}, {id: seven, min: 1, max: 7}]
constructs: [{id: a, label: A}, {id: b, label: B}]
pages:
  - id: p1
    title: One
    items:
      - {id: b1, type: likert, text: x, scale: seven, construct: b, reverse: true}
      - {id: note, type: text, text: y}
  - id: p2
    title: Two
    items:
      - {id: a1, type: likert, text: z, scale: five, construct: a}
"""
    defn, _ = parse_definition(text, "s.yaml")
    assert likert_key(defn) == [
        {"item_id": "b1", "construct": "b", "reverse": True, "min": 1, "max": 7},
        {"item_id": "a1", "construct": "a", "reverse": False, "min": 1, "max": 5},
    ]


def test_localise_falls_back_to_default_language() -> None:
    assert localise("Plain", "cy") == "Plain"
    assert localise({"en": "Hello", "cy": "Helo"}, "cy") == "Helo"
    assert localise({"en": "Hello", "cy": "Helo"}, "fr", ["en"]) == "Hello"
    assert localise({"cy": "Helo"}, "en") == "Helo"
    assert localise(None) == ""


def test_translations_are_checked_for_each_declared_language() -> None:
    text = """
id: welsh
title: {en: Survey, cy: Arolwg}
languages: [en, cy]
pages:
  - id: p1
    title: {en: Page, cy: Tudalen}
    items:
      - id: q1
        type: single_choice
        text: {en: Role, cy: Rôl}
        options:
          - {value: a, label: {en: A, cy: A}}
          - {value: b, label: {en: B, cy: B}, }
      - {id: q2, type: text, text: {en: Why, cy: Pam}, help: Plain help}
      - {id: q3, type: text, text: {en: More, cy: Mwy, fr: Plus}}
"""
    _, problems = parse_definition(text, "welsh.yaml")
    assert [(p.line, p.path) for p in problems] == [(15, "pages[0].items[1].help"), (16, "pages[0].items[2].text.fr")]
    assert "missing translation for language 'cy'" in problems[0].message
    assert "language 'fr' is not declared" in problems[1].message


def test_order_definition_restores_documented_key_order_after_shuffling() -> None:
    defn, _ = load_definition_file(DEFAULT)

    def shuffled(value):
        if isinstance(value, dict):
            return {str(key): shuffled(value[key]) for key in sorted(value, key=lambda k: str(k)[::-1])}
        if isinstance(value, list):
            return [shuffled(item) for item in value]
        return value

    scrambled = shuffled(defn)  # as a JSONB column might hand it back: keys reordered, label keys as text
    assert list(scrambled) != list(defn)
    restored = order_definition(scrambled)
    assert restored == defn
    assert dump_definition(restored, "yaml") == dump_definition(defn, "yaml")


def test_yaml_booleans_in_scale_labels_are_located_with_a_hint() -> None:
    text = "id: s\ntitle: S\nscales:\n  - id: yn\n    min: 1\n    max: 2\n    labels:\n      1: No\n      2: Yes\n" \
           "pages:\n  - {id: p, title: P, items: [{id: q, type: text, text: Q}]}\n"
    _, problems = parse_definition(text, "yn.yaml")
    assert [(p.line, p.path) for p in problems] == [(8, "scales[0].labels.1"), (9, "scales[0].labels.2")]
    assert problems[0].message == ("expected string or mapping, got true/false "
                                   "(in YAML, quote words such as yes, no, on and off)")
