"""Each file in tests/data/definitions_broken/ has one fault; check its located message."""
from __future__ import annotations

from pathlib import Path

import pytest

from vocapp.core.surveys import Problem, load_definition_file

BROKEN = Path(__file__).resolve().parent.parent / "data" / "definitions_broken"

# (file, severity, line, path, words the message must contain)
CASES = [
    ("yaml_syntax.yaml", "error", 9, "", "YAML syntax error"),
    ("json_syntax.json", "error", 4, "", "JSON syntax error"),
    ("unknown_scale.yaml", "error", 16, "pages[0].items[2].scale", "unknown scale 'agree7'"),
    ("unknown_construct.yaml", "error", 21, "pages[1].items[0].construct", "unknown construct 'trsut'"),
    ("duplicate_item_id.yaml", "error", 12, "pages[1].items[1].id",
     "duplicate item id 'comment' (first used at pages[0].items[0], line 7)"),
    ("duplicate_page_id.yaml", "error", 8, "pages[1].id", "duplicate page id 'intro'"),
    ("duplicate_construct_id.yaml", "error", 8, "constructs[1].id", "duplicate construct id 'trust'"),
    ("duplicate_scale_id.yaml", "error", 5, "scales[1].id", "duplicate scale id 'agree5'"),
    ("duplicate_option_value.yaml", "error", 13, "pages[0].items[0].options[2].value",
     "duplicate option value 'buyer'"),
    ("show_if_later_item.yaml", "error", 10, "pages[0].items[0].show_if.item",
     "show_if refers to item 'left', which comes later"),
    ("show_if_unknown_item.yaml", "error", 12, "pages[0].items[1].show_if.item", "unknown item 'q9'"),
    ("show_if_not_an_option.yaml", "error", 20, "pages[0].items[1].show_if.in[1]",
     "'influencer' is not an option of item 'role'"),
    ("show_if_value_out_of_range.json", "error", 21, "pages[0].items[3].show_if.value",
     "7 is outside the answers to item 'q1' (1 to 5)"),
    ("reverse_on_nps.yaml", "error", 10, "pages[0].items[0].reverse", "'reverse' only applies to likert items"),
    ("likert_without_scale.yaml", "error", 13, "pages[0].items[2]", "missing required key 'scale'"),
    ("choice_without_options.yaml", "error", 8, "pages[0].items[1]", "missing required key 'options'"),
    ("scale_min_not_below_max.yaml", "error", 6, "scales[0].max", "max (1) must be greater than min (5)"),
    ("scale_label_out_of_range.yaml", "error", 10, "scales[0].labels.6", "outside the scale's range 1 to 5"),
    ("construct_too_few_items.yaml", "warning", 6, "constructs[0]", "has only 2 item(s)"),
    ("construct_no_reverse_item.yaml", "warning", 7, "constructs[1]", "'appetite' has no reverse-keyed item"),
    ("missing_translation.yaml", "error", 13, "pages[0].items[1].text", "missing translation for language 'cy'"),
    ("unknown_key.yaml", "error", 10, "pages[0].items[0].requird", "unknown key 'requird' (did you mean 'required'?)"),
    ("duplicate_yaml_key.yaml", "error", 10, "pages[0].items[0].text", "duplicate key 'text' (first on line 9)"),
    ("wrong_type.json", "error", 14, "pages[0].items[1].required", "expected boolean, got string"),
]


def test_every_corpus_file_has_a_case() -> None:
    assert sorted(path.name for path in BROKEN.iterdir()) == sorted(case[0] for case in CASES)


@pytest.mark.parametrize(("name", "severity", "line", "path", "message"), CASES, ids=[case[0] for case in CASES])
def test_broken_definition_is_reported_where_the_fault_is(name: str, severity: str, line: int, path: str,
                                                          message: str) -> None:
    filename = str(BROKEN / name)
    _, problems = load_definition_file(filename)
    matching = [p for p in problems if p.path == path and message in p.message]
    assert matching, "\n".join(map(str, problems))
    problem = matching[0]
    assert (problem.severity, problem.file, problem.line) == (severity, filename, line)
    assert str(problem).startswith(f"{filename}:{line}: ")
    errors = [p for p in problems if p.is_error]
    if severity == "error":
        # The fault is reported once, and nothing else in the file is blamed.
        assert errors == [problem], "\n".join(map(str, problems))
    else:
        assert errors == []


def test_unreadable_documents_return_no_definition() -> None:
    for name in ("yaml_syntax.yaml", "json_syntax.json"):
        defn, problems = load_definition_file(BROKEN / name)
        assert defn is None and len(problems) == 1


def test_missing_file_is_a_located_error(tmp_path: Path) -> None:
    defn, problems = load_definition_file(tmp_path / "nope.yaml")
    assert defn is None
    assert problems[0] == Problem("error", str(tmp_path / "nope.yaml"), None, "", problems[0].message)
    assert "cannot read file" in problems[0].message
