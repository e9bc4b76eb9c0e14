"""Designer pages beyond items: problems in plain words, scales, translations, delete and archive."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from helpers import csrf_token
from vocapp.core.surveys.translations import translation_problems
from vocapp.models import AuditEntry, Response, Survey
from vocapp.services import surveys as survey_service

ROOT = Path(__file__).resolve().parent.parent
PULSE = ROOT / "survey_definitions" / "b2b_pulse.yaml"


def _post(client, url: str, data: dict | None = None, **kwargs):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, "/surveys/")}, **kwargs)


def _new_survey(client, slug: str = "check") -> None:
    assert _post(client, "/surveys/new", {"slug": slug, "title": "Check"}).status_code == 302


def test_problems_are_said_in_the_designers_words_with_the_path_as_detail(client_as, db):
    client = client_as("designer")
    _new_survey(client)
    page = client.get("/surveys/check/draft").get_data(as_text=True)
    assert "Page 1 “Page 1”: has no questions yet: add one" in page
    assert "<code>pages[0].items</code>" in page  # the YAML path is still there, as a detail
    assert "needs at least 1 entry" not in page


def test_a_likert_item_takes_the_only_scale_and_construct_when_none_is_picked(client_as, db):
    client = client_as("designer")
    _new_survey(client)
    _post(client, "/surveys/check/draft/constructs", {"construct_id": "trust", "label": "Trust"})
    _post(client, "/surveys/check/draft/pages/0/items/add", {"type": "likert"})
    saved = _post(client, "/surveys/check/draft/pages/0/items/0",
                  {"item_id": "q_1", "type": "likert", "text": "We keep promises.", "scale": "", "construct": "",
                   "show_if_item": "", "show_if_op": ""})
    assert saved.status_code == 302
    item = survey_service.draft_definition(survey_service.get_survey("check"))["pages"][0]["items"][0]
    assert (item["scale"], item["construct"]) == ("agree5", "trust")


def test_an_invalid_upload_of_a_new_survey_stores_nothing(client_as, db):
    client = client_as("designer")
    broken = b"id: broken_new\ntitle: Broken\npages: []\n"
    response = _post(client, "/surveys/upload", {"file": (io.BytesIO(broken), "broken.yaml")},
                     content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Nothing was stored" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_scales_are_added_edited_and_removed_only_when_unused(client_as, db):
    client = client_as("designer")
    _new_survey(client)
    added = _post(client, "/surveys/check/draft/scales",
                  {"scale_id": "often4", "minimum": "1", "maximum": "4", "labels": "1 | Never\n4 | Always",
                   "not_applicable": ""})
    assert added.status_code == 302
    _post(client, "/surveys/check/draft/constructs", {"construct_id": "trust", "label": "Trust"})
    _post(client, "/surveys/check/draft/pages/0/items/add", {"type": "likert"})
    defn = survey_service.draft_definition(survey_service.get_survey("check"))
    assert defn["scales"][1] == {"id": "often4", "min": 1, "max": 4, "labels": {1: "Never", 4: "Always"}}
    # renaming the scale the item uses follows it to the item
    _post(client, "/surveys/check/draft/scales/0", {"scale_id": "agree", "minimum": "1", "maximum": "5",
                                                    "labels": "1 | No\n5 | Yes", "not_applicable": "Not sure"})
    defn = survey_service.draft_definition(survey_service.get_survey("check"))
    assert defn["pages"][0]["items"][0]["scale"] == "agree" and defn["scales"][0]["not_applicable"] == "Not sure"
    refused = _post(client, "/surveys/check/draft/scales/0/remove", follow_redirects=True)
    assert "is used by q_1" in refused.get_data(as_text=True)
    bad = _post(client, "/surveys/check/draft/scales", {"scale_id": "x", "minimum": "one", "maximum": "5",
                                                       "labels": "high | Top"})
    assert bad.status_code == 200 and "is not a whole number" in bad.get_data(as_text=True)
    _post(client, "/surveys/check/draft/scales/1/remove")
    assert len(survey_service.draft_definition(survey_service.get_survey("check"))["scales"]) == 1


def test_translations_are_edited_in_the_browser_and_checked(client_as, db):
    survey_service.load_definition_file(PULSE)
    client = client_as("designer")
    slug = survey_service.list_surveys()[0].slug
    added = _post(client, f"/surveys/{slug}/draft/languages", {"code": "fr"})
    assert added.status_code == 302 and "language=fr" in added.location
    page = client.get(f"/surveys/{slug}/draft/translations?language=fr").get_data(as_text=True)
    assert "A quick check-in" in page and 'lang="fr"' in page
    defn = survey_service.draft_definition(survey_service.get_survey(slug))
    missing = len(list(translation_problems(defn)))
    assert missing > 10
    fields = {f"text-{n}": f"FR {n} <b>" for n in range(missing)}
    assert _post(client, f"/surveys/{slug}/draft/translations", {"language": "fr", **fields}).status_code == 302
    defn = survey_service.draft_definition(survey_service.get_survey(slug))
    assert list(translation_problems(defn)) == []
    assert defn["title"] == {"en": "A quick check-in", "fr": "FR 0 <b>"}
    shown = client.get(f"/surveys/{slug}/draft/translations?language=fr").get_data(as_text=True)
    assert "FR 0 &lt;b&gt;" in shown and "FR 0 <b>" not in shown
    assert _post(client, f"/surveys/{slug}/draft/languages", {"code": "<x>"}).status_code == 302
    assert survey_service.draft_definition(survey_service.get_survey(slug))["languages"] == ["en", "fr"]
    assert client.get(f"/surveys/{slug}/draft/translations?language=de").status_code == 404


def test_delete_a_survey_nobody_answered_archive_one_with_responses(client_as, db):
    client = client_as("designer")
    _new_survey(client, "empty_one")
    assert _post(client, "/surveys/empty_one/delete").status_code == 302  # no confirmation: nothing happens
    assert survey_service.get_survey("empty_one")
    assert _post(client, "/surveys/empty_one/delete", {"confirm": "yes"}).location.endswith("/surveys/")
    assert db.session.scalar(select(func.count(Survey.id))) == 0

    version, _ = survey_service.load_definition_file(PULSE)
    db.session.add(Response(survey_version_id=version.id, answers={}, source="import"))
    db.session.commit()
    slug = version.survey.slug
    refused = _post(client, f"/surveys/{slug}/delete", {"confirm": "yes"}, follow_redirects=True)
    assert "archive it instead" in refused.get_data(as_text=True)
    assert survey_service.get_survey(slug)
    _post(client, f"/surveys/{slug}/archive", {"archived": "1"})
    assert survey_service.get_survey(slug).archived_at is not None
    assert "archived" in client.get("/surveys/").get_data(as_text=True)
    _post(client, f"/surveys/{slug}/archive", {"archived": "0"})
    assert survey_service.get_survey(slug).archived_at is None
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"survey.delete", "survey.archive", "survey.unarchive"} <= actions
