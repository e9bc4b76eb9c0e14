"""Survey versions: stored by content hash, immutable, never deleted once answered; CLI commands."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from vocapp.core.surveys import content_hash, load_definition_file as read_definition
from vocapp.models import Response, SurveyVersion
from vocapp.models.surveys import ImmutableVersionError
from vocapp.services import surveys as survey_service

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "survey_definitions" / "b2b_relationship.yaml"
BROKEN = ROOT / "tests" / "data" / "definitions_broken"


def _edited_copy(tmp_path: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_loading_stores_a_version_once_per_content(db, tmp_path: Path) -> None:
    version, created = survey_service.load_definition_file(DEFAULT)
    assert (created, version.number, version.survey.slug) == (True, 1, "b2b_relationship")
    assert version.content_hash == content_hash(read_definition(DEFAULT)[0])
    # Same content with different layout and comments: nothing new.
    reformatted = tmp_path / "same.json"
    reformatted.write_text(json.dumps(read_definition(DEFAULT)[0], indent=1), encoding="utf-8")
    again, created_again = survey_service.load_definition_file(reformatted)
    assert (created_again, again.id) == (False, version.id)
    # Changed wording: version 2, and version 1 is still there unchanged.
    edited = _edited_copy(tmp_path, "We do what we say we will do.", "We keep our promises.")
    second, created_second = survey_service.load_definition_file(edited)
    assert (created_second, second.number) == (True, 2)
    first = db.session.get(SurveyVersion, version.id)
    assert first.definition["pages"][1]["items"][0]["text"] == "We do what we say we will do."
    assert db.session.scalar(select(SurveyVersion).where(SurveyVersion.number == 3)) is None


def test_invalid_definition_is_refused_with_located_problems(db) -> None:
    with pytest.raises(survey_service.DefinitionInvalid) as caught:
        survey_service.load_definition_file(BROKEN / "unknown_scale.yaml")
    assert [(p.line, p.path) for p in caught.value.problems if p.is_error] == [(16, "pages[0].items[2].scale")]
    assert db.session.scalars(select(SurveyVersion)).all() == []


def test_stored_versions_cannot_be_changed(db) -> None:
    version, _ = survey_service.load_definition_file(DEFAULT)
    changed = dict(version.definition, title="Something else")
    version.definition = changed
    with pytest.raises(ImmutableVersionError, match="immutable"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(SurveyVersion, version.id).definition["title"] == "Your relationship with us"


def test_answered_version_cannot_be_deleted_but_unanswered_can(db, tmp_path: Path) -> None:
    answered, _ = survey_service.load_definition_file(DEFAULT)
    unanswered, _ = survey_service.load_definition_file(
        _edited_copy(tmp_path, "title: Your relationship with us", "title: Working with us"))
    db.session.add(Response(survey_version_id=answered.id, answers={"trust_1": 4}, source="import"))
    db.session.commit()
    with pytest.raises(ImmutableVersionError, match="1 response"):
        survey_service.delete_version(answered)
    assert db.session.get(SurveyVersion, answered.id) is not None
    survey_service.delete_version(unanswered)
    assert db.session.get(SurveyVersion, unanswered.id) is None


def test_export_round_trips_through_load(db, tmp_path: Path) -> None:
    version, _ = survey_service.load_definition_file(DEFAULT)
    for fmt in ("yaml", "json"):
        path = tmp_path / f"export.{fmt}"
        path.write_text(survey_service.export_version("b2b_relationship", None, fmt), encoding="utf-8")
        again, created = survey_service.load_definition_file(path)
        assert (created, again.id) == (False, version.id)
    assert yaml.safe_load(survey_service.export_version("b2b_relationship", 1))["id"] == "b2b_relationship"
    with pytest.raises(survey_service.SurveyNotFound, match="no version 7"):
        survey_service.export_version("b2b_relationship", 7)


def test_cli_check_prints_located_problems_and_sets_exit_code(runner) -> None:
    result = runner.invoke(args=["surveys", "check", str(BROKEN / "show_if_later_item.yaml")])
    assert result.exit_code == 1
    assert f"error: {BROKEN / 'show_if_later_item.yaml'}:10: pages[0].items[0].show_if.item: show_if refers to item " \
           "'left', which comes later" in result.output
    warned = runner.invoke(args=["surveys", "check", str(BROKEN / "construct_too_few_items.yaml")])
    assert warned.exit_code == 0
    assert "warning:" in warned.output and "0 error(s), 1 warning(s)" in warned.output
    clean = runner.invoke(args=["surveys", "check", str(DEFAULT)])
    assert (clean.exit_code, clean.output.strip()) == (0, f"{DEFAULT}: no problems")


def test_cli_load_list_export_round_trip(runner, tmp_path: Path) -> None:
    first = runner.invoke(args=["surveys", "load", str(DEFAULT)])
    assert (first.exit_code, first.output.strip()) == (0, "b2b_relationship version 1")
    second = runner.invoke(args=["surveys", "load", str(DEFAULT)])
    assert second.exit_code == 0 and "b2b_relationship version 1 unchanged" in second.output
    out = tmp_path / "exported.json"
    exported = runner.invoke(args=["surveys", "export", "b2b_relationship", "--format", "json", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "b2b_relationship"
    reloaded = runner.invoke(args=["surveys", "load", str(out)])
    assert "unchanged" in reloaded.output
    edited = _edited_copy(tmp_path, "title: Your relationship with us", "title: Working with us")
    assert runner.invoke(args=["surveys", "load", str(edited)]).output.strip() == "b2b_relationship version 2"
    listing = runner.invoke(args=["surveys", "list"])
    assert "b2b_relationship: Working with us" in listing.output
    assert "version 1" in listing.output and "version 2" in listing.output
    yaml_v1 = runner.invoke(args=["surveys", "export", "b2b_relationship", "--version", "1", "--format", "yaml"])
    assert yaml.safe_load(yaml_v1.output)["title"] == "Your relationship with us"
    missing = runner.invoke(args=["surveys", "export", "nope"])
    assert missing.exit_code == 1 and "no survey with id 'nope'" in missing.output


def test_cli_load_refuses_broken_file(runner) -> None:
    result = runner.invoke(args=["surveys", "load", str(BROKEN / "duplicate_item_id.yaml")])
    assert result.exit_code == 1
    assert "pages[1].items[1].id: duplicate item id 'comment'" in result.output
    assert "was not loaded" in result.output
    assert "no surveys yet" in runner.invoke(args=["surveys", "list"]).output


def test_demo_step_loads_the_default_questionnaire(app, db, tmp_path: Path) -> None:
    from vocapp.demo import DemoContext
    from vocapp.demo.questionnaire import run

    context = DemoContext(app=app, workdir=tmp_path)
    summary = run(context)
    assert summary == "loaded b2b_relationship version 1 and b2b_pulse version 1"
    assert context.shared["survey_id"] == "b2b_relationship"
    stored = db.session.get(SurveyVersion, context.shared["survey_version_id"])
    assert stored.content_hash == content_hash(read_definition(DEFAULT)[0])
    assert run(context) == summary  # running the demo again adds nothing
    assert len(db.session.scalars(select(SurveyVersion)).all()) == 2
