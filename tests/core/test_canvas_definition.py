"""Canvas definition file: the shipped default, custom files, and located problems."""
import pytest

from vocapp.core.canvas import (DEFAULT_CANVAS_PATH, CanvasDefinitionError, load_canvas_definition,
                                parse_canvas_definition)

DEFAULT_TEXT = DEFAULT_CANVAS_PATH.read_text()


def line_of(text, fragment):
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_default_definition_has_the_five_zones_and_documented_parts():
    d = load_canvas_definition()
    assert [z.name for z in d.zones] == ["Partner", "Build trust", "Engage", "Serve efficiently", "Not yet heard"]
    assert all(z.service_model for z in d.zones)
    assert d.zone_for("high", "low").name == "Build trust" and d.unheard_zone.name == "Not yet heard"
    assert d.readiness_weights == {"trust": 0.5, "appetite": 0.5}
    assert d.leave_alone_construct == "appetite" and d.leave_alone_essential_only
    assert d.categories["membership_fee"] == "membership_fee"


def test_custom_file_is_loaded(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(DEFAULT_TEXT.replace("margin: 5", "margin: 8").replace("  training: commercial_service",
                                                                          "  Training Days: commercial_service"))
    d = load_canvas_definition(path)
    assert d.hysteresis_margin == 8 and d.categories["training days"] == "commercial_service"


def test_problems_are_located_by_file_line_and_path():
    text = DEFAULT_TEXT.replace("margin: 5", "margin: -3").replace("donation: ignore", "donation: gift")
    with pytest.raises(CanvasDefinitionError) as info:
        parse_canvas_definition(text, "bad.yaml")
    found = {p.path: p for p in info.value.problems}
    assert found["hysteresis.margin"].line == line_of(text, "margin: -3")
    assert found["categories.donation"].line == line_of(text, "donation: gift")
    assert str(found["hysteresis.margin"]).startswith(f"bad.yaml:{line_of(text, 'margin: -3')}: hysteresis.margin:")


def test_zone_grid_must_be_complete_and_unambiguous():
    start = DEFAULT_TEXT.index("  - id: serve_efficiently")
    text = DEFAULT_TEXT[:start] + DEFAULT_TEXT[start:].replace("readiness: low", "readiness: high", 1)
    with pytest.raises(CanvasDefinitionError) as info:
        parse_canvas_definition(text, "grid.yaml")
    messages = [p.message for p in info.value.problems]
    assert "no zone for opportunity=low, readiness=low" in messages
    assert any("already zone 'engage'" in m for m in messages)


def test_unreadable_inputs_give_clear_errors(tmp_path):
    with pytest.raises(CanvasDefinitionError, match="syntax"):
        parse_canvas_definition("axes: [1,", "broken.yaml")
    with pytest.raises(CanvasDefinitionError, match="cannot read the file"):
        load_canvas_definition(tmp_path / "missing.yaml")
    with pytest.raises(CanvasDefinitionError, match="'zones' is a required property"):
        parse_canvas_definition(DEFAULT_TEXT.replace("zones:", "zonez:"), "typo.yaml")


def test_categories_that_differ_only_in_case_are_an_error():
    text = DEFAULT_TEXT.replace("  donation: ignore", "  donation: ignore\n  Donation: commercial_service")
    with pytest.raises(CanvasDefinitionError) as info:
        parse_canvas_definition(text, "dup.yaml")
    [problem] = info.value.problems
    assert problem.path == "categories.Donation" and problem.line == line_of(text, "Donation: commercial")


def test_leave_alone_probability_is_optional_and_checked():
    assert load_canvas_definition().leave_alone_probability == 0.8
    without = parse_canvas_definition(DEFAULT_TEXT.replace("  probability: 0.8\n", ""), "old.yaml")
    assert without.leave_alone_probability == 0.8
    assert parse_canvas_definition(DEFAULT_TEXT.replace("probability: 0.8", "probability: 0.95"),
                                   "strict.yaml").leave_alone_probability == 0.95
    with pytest.raises(CanvasDefinitionError) as info:
        parse_canvas_definition(DEFAULT_TEXT.replace("probability: 0.8", "probability: 1.2"), "bad.yaml")
    assert "leave_alone.probability" in {p.path for p in info.value.problems}
