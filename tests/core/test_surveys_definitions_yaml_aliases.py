"""YAML anchors and aliases cannot crash or stall the definition reader (the designer upload, `surveys check`)."""
from __future__ import annotations

import time

from vocapp.core.surveys import parse_definition


def _errors(text: str) -> list[str]:
    _, problems = parse_definition(text, "aliases.yaml")
    return [str(p) for p in problems if p.severity == "error"]


def test_a_recursive_alias_is_one_located_error():
    assert _errors("id: x\npages: &a [*a]\n") == [
        "aliases.yaml:2: recursive YAML alias: an anchored value contains itself"]


def test_aliases_that_expand_exponentially_are_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    started = time.perf_counter()
    errors = _errors("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 5
    assert errors == ["aliases.yaml: the YAML expands to more than 100,000 values (anchors and aliases?)"]


def test_ordinary_anchors_still_work():
    text = ("id: s\ntitle: T\nlanguages: [en]\nconstructs: []\nscales:\n"
            "  - {id: s5, min: 1, max: 5, labels: &labels {1: Disagree, 5: Agree}}\n"
            "  - {id: s5b, min: 1, max: 5, labels: *labels}\npages: []\n")
    defn, problems = parse_definition(text, "ok.yaml")
    assert defn["scales"][1]["labels"] == {1: "Disagree", 5: "Agree"}
    assert not any("alias" in str(p) or "expands" in str(p) for p in problems)
