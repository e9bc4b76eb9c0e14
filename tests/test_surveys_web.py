"""The survey designer over HTTP: access, CSRF, editing, validation, publishing, preview, escaping."""
from __future__ import annotations

import io
import re
from html import unescape as html_unescape
from pathlib import Path

import yaml
from sqlalchemy import select

from helpers import csrf_token
from vocapp.models import Response, Survey, SurveyVersion
from vocapp.services import surveys as survey_service

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "survey_definitions" / "b2b_relationship.yaml"
SCRIPT = "<script>alert('x')</script>"


def _post(client, url: str, data: dict | None = None, token_from: str | None = None, **kwargs):
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from or url)
    return client.post(url, data=data, **kwargs)


def _item_form(client, url: str) -> dict:
    """The item form's current values, as a browser would submit them."""
    html = client.get(url).get_data(as_text=True)
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if "name" not in attributes or attributes["name"] == "csrf_token":
            continue
        if attributes.get("type") in ("checkbox", "radio") and " checked" not in tag:
            continue
        values[attributes["name"]] = attributes.get("value", "")
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = html_unescape(body.strip())
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = [tag for tag in re.findall(r"<option[^>]*>", options) if " selected" in tag]
        values[name] = re.search(r'value="([^"]*)"', chosen[0]).group(1) if chosen else ""
    return {name: html_unescape(value) for name, value in values.items()}


def test_designer_pages_need_the_designer_role(client_as, client) -> None:
    assert client.get("/surveys/").status_code == 302  # to the login page
    analyst = client_as("analyst")
    assert analyst.get("/surveys/").status_code == 403
    assert analyst.post("/surveys/new", data={"slug": "x", "title": "y"}).status_code in (400, 403)


def test_designer_and_admin_can_list_surveys(client_as, db) -> None:
    survey_service.load_definition_file(DEFAULT)
    client = client_as("designer")
    page = client.get("/surveys/").get_data(as_text=True)
    assert "b2b_relationship" in page and "Your relationship with us" in page
    detail = client.get("/surveys/b2b_relationship").get_data(as_text=True)
    assert "Published versions" in detail and ">1<" in detail


def test_forms_refuse_posts_without_csrf_token(client_as, db) -> None:
    client = client_as("designer")
    response = client.post("/surveys/new", data={"slug": "member_check", "title": "Check"})
    assert response.status_code == 400
    assert db.session.scalars(select(Survey)).all() == []


def test_create_survey_add_construct_and_items_then_publish(client_as, db) -> None:
    client = client_as("designer")
    created = _post(client, "/surveys/new", {"slug": "member_check", "title": "Member check"})
    assert created.status_code == 302 and created.location.endswith("/surveys/member_check/draft")
    _post(client, "/surveys/member_check/draft/constructs",
          {"construct_id": "trust", "label": "Trust"}, token_from="/surveys/member_check/draft")
    for _ in range(2):
        added = _post(client, "/surveys/member_check/draft/pages/0/items/add", {"type": "likert"},
                      token_from="/surveys/member_check/draft")
        assert added.status_code == 302
    draft = client.get("/surveys/member_check/draft").get_data(as_text=True)
    # The same validator reports, inline, that two items are too few and none is reverse-keyed.
    assert "construct &#39;trust&#39; has only 2 item(s)" in draft
    assert "has no reverse-keyed item" in draft
    # Edit the second item: new id and text, reverse-keyed.
    url = "/surveys/member_check/draft/pages/0/items/1"
    values = _item_form(client, url)
    assert values["item_id"] == "q_2" and values["construct"] == "trust" and values["scale"] == "agree5"
    values.update(item_id="trust_2", text="We put ourselves first.", reverse="y")
    saved = _post(client, url, values)
    assert saved.status_code == 302
    stored = db.session.scalar(select(Survey).where(Survey.slug == "member_check")).draft_definition
    assert stored["pages"][0]["items"][1] == {"id": "trust_2", "type": "likert", "text": "We put ourselves first.",
                                              "scale": "agree5", "construct": "trust", "reverse": True}
    published = _post(client, "/surveys/member_check/publish", token_from="/surveys/member_check/draft")
    assert published.status_code == 302
    version = db.session.scalar(select(SurveyVersion))
    assert (version.number, version.source) == (1, "designer")
    assert [item["id"] for item in version.definition["pages"][0]["items"]] == ["q_1", "trust_2"]


def test_inline_errors_from_the_validator_on_the_item_page(client_as, db) -> None:
    survey_service.load_definition_file(DEFAULT)
    client = client_as("designer")
    url = "/surveys/b2b_relationship/draft/pages/4/items/1"  # nps_reason, shown if nps <= 6
    values = _item_form(client, url)
    assert (values["show_if_item"], values["show_if_op"], values["show_if_value"]) == ("nps", "<=", "6")
    values.update(show_if_value="11")
    assert _post(client, url, values).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "error: 11 is outside the answers to item &#39;nps&#39; (0 to 10)" in page
    # Publishing is refused while the draft has errors; nothing new is stored.
    refused = _post(client, "/surveys/b2b_relationship/publish", token_from="/surveys/b2b_relationship/draft")
    assert refused.location.endswith("/surveys/b2b_relationship/draft")
    assert len(db.session.scalars(select(SurveyVersion)).all()) == 1


def test_editing_a_published_survey_creates_a_new_version_and_leaves_answers_alone(client_as, db) -> None:
    old, _ = survey_service.load_definition_file(DEFAULT)
    old_definition = survey_service.version_definition(old)
    response = Response(survey_version_id=old.id, answers={"trust_1": 4, "nps": 9}, source="import")
    db.session.add(response)
    db.session.commit()
    client = client_as("designer")
    url = "/surveys/b2b_relationship/draft/pages/1/items/0"
    values = _item_form(client, url)
    assert values["text"] == "We do what we say we will do."
    values["text"] = "We keep our promises to you."
    assert _post(client, url, values).status_code == 302
    assert _post(client, "/surveys/b2b_relationship/publish",
                 token_from="/surveys/b2b_relationship/draft").status_code == 302
    versions = db.session.scalars(select(SurveyVersion).order_by(SurveyVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].definition["pages"][1]["items"][0]["text"] == "We keep our promises to you."
    db.session.expire_all()
    assert survey_service.version_definition(db.session.get(SurveyVersion, old.id)) == old_definition
    kept = db.session.get(Response, response.id)
    assert (kept.survey_version_id, kept.answers) == (old.id, {"trust_1": 4, "nps": 9})


def test_reorder_and_remove_items(client_as, db) -> None:
    survey_service.load_definition_file(DEFAULT)
    client = client_as("designer")
    draft_url = "/surveys/b2b_relationship/draft"
    _post(client, "/surveys/b2b_relationship/draft/pages/1/items/0/move", {"direction": "down"}, token_from=draft_url)
    _post(client, "/surveys/b2b_relationship/draft/pages/1/items/5/remove", token_from=draft_url)
    _post(client, "/surveys/b2b_relationship/draft/pages/1/items/0/move", {"direction": "up"}, token_from=draft_url)
    draft = db.session.scalar(select(Survey)).draft_definition
    assert [item["id"] for item in draft["pages"][1]["items"]] == ["trust_2", "trust_1", "trust_3", "trust_4",
                                                                   "trust_5"]


def test_upload_and_download_yaml(client_as, db) -> None:
    client = client_as("designer")
    text = DEFAULT.read_text(encoding="utf-8").replace("title: Your relationship with us", f'title: "Us {SCRIPT}"')
    uploaded = _post(client, "/surveys/upload", {"file": (io.BytesIO(text.encode()), "mine.yaml")},
                     token_from="/surveys/", content_type="multipart/form-data")
    assert uploaded.status_code == 302
    downloaded = client.get("/surveys/b2b_relationship/download")
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="b2b_relationship-draft.yaml"'
    assert yaml.safe_load(downloaded.get_data(as_text=True))["title"] == f"Us {SCRIPT}"
    broken = _post(client, "/surveys/upload", {"file": (io.BytesIO(b"id: [unclosed"), "bad.yaml")},
                   token_from="/surveys/", content_type="multipart/form-data")
    assert broken.status_code == 400
    assert "line 1" in broken.get_data(as_text=True) and "YAML syntax error" in broken.get_data(as_text=True)


def test_staff_text_is_escaped_in_designer_and_preview(client_as, db) -> None:
    defn, _ = survey_service.read_upload(DEFAULT.read_bytes(), "b2b.yaml")
    defn["title"] = f"Title {SCRIPT}"
    defn["pages"][0]["title"] = f"Page {SCRIPT}"
    defn["pages"][0]["items"][0]["text"] = f"Role {SCRIPT}"
    defn["pages"][0]["items"][0]["options"][0]["label"] = f"Option {SCRIPT}"
    defn["pages"][0]["items"][0]["help"] = f"Help {SCRIPT}"
    survey_service.store_definition(defn)
    client = client_as("designer")
    pages = ["/surveys/", "/surveys/b2b_relationship", "/surveys/b2b_relationship/draft",
             "/surveys/b2b_relationship/draft/pages/0/items/0", "/surveys/b2b_relationship/preview",
             "/surveys/b2b_relationship/preview?version=1"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
    preview = client.get("/surveys/b2b_relationship/preview").get_data(as_text=True)
    for text in ("Page", "Role", "Option", "Help"):
        assert f"{text} &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in preview


def test_preview_renders_accessible_items_and_checks_answers(client_as, db) -> None:
    survey_service.load_definition_file(DEFAULT)
    client = client_as("designer")
    url = "/surveys/b2b_relationship/preview"
    first = client.get(url).get_data(as_text=True)
    assert '<fieldset class="question question-single_choice" id="item-decision_role"' in first
    assert "<legend>When your organisation decides" in first
    # Required item left blank: error shown, tied to the question.
    response = _post(client, url, {"page": "0", "nav": "next", "preview_state": "{}"})
    html = response.get_data(as_text=True)
    assert re.search(r'id="item-decision_role" aria-describedby="item-decision_role-error" aria-invalid="true"', html)
    assert '<p class="error" id="item-decision_role-error">Please answer this question.</p>' in html
    # Answered: the next page shows the trust statements with their scale, one fieldset each.
    response = _post(client, url, {"page": "0", "nav": "next", "preview_state": "{}",
                                   "answer-decision_role": "influencer"})
    html = response.get_data(as_text=True)
    assert html.count('<fieldset class="question question-likert"') == 6
    assert '<label for="item-trust_1-na"><input type="radio" id="item-trust_1-na" name="answer-trust_1" value="na">' \
           in html
    state = re.search(r'name="preview_state" value="([^"]*)"', html).group(1).replace("&#34;", '"')
    assert '"decision_role": "influencer"' in state


SMALL = """
id: small
title: Small
pages:
  - id: one
    title: One
    items:
      - id: role
        type: single_choice
        text: Your role
        required: true
        options: [{value: buyer, label: I buy}, {value: user, label: I use}]
  - id: two
    title: Two
    items:
      - {id: budget, type: number, text: Your budget, min: 0, show_if: {item: role, in: [buyer]}}
      - {id: comment, type: text, text: "Anything else?"}
      - {id: why, type: text, text: "Why that?"}
"""


def test_preview_applies_display_logic_across_pages(client_as, db) -> None:
    survey_service.load_definition_text(SMALL, "small.yaml")
    client = client_as("designer")
    url = "/surveys/small/preview"
    as_user = _post(client, url, {"page": "0", "nav": "next", "preview_state": "{}", "answer-role": "user"})
    assert "Your budget" not in as_user.get_data(as_text=True) and "Anything else?" in as_user.get_data(as_text=True)
    as_buyer = _post(client, url, {"page": "0", "nav": "next", "preview_state": "{}", "answer-role": "buyer"})
    html = as_buyer.get_data(as_text=True)
    assert 'id="item-budget-input" name="answer-budget"' in html
    bad_budget = _post(client, url, {"page": "1", "nav": "next", "preview_state": '{"role": "buyer"}',
                                     "answer-budget": "-5"})
    assert "Please enter a number of at least 0." in bad_budget.get_data(as_text=True)
    done = _post(client, url, {"page": "1", "nav": "next", "preview_state": '{"role": "buyer"}',
                               "answer-budget": "1,250", "answer-comment": "Fine"})
    finished = done.get_data(as_text=True)
    assert "Preview finished" in finished
    assert re.search(r"<code>budget</code></td><td>1250</td>", finished)


def test_broken_uploads_are_shown_with_their_problems_never_a_server_error(client_as, db) -> None:
    client = client_as("designer")
    weird = [b"id: odd\ntitle: 5\npages: nope\n", b"id: odd2\ntitle: T\npages:\n  - 3\n  - {id: p, title: 7, items: [5]}\n",
             b"id: odd3\ntitle: T\npages:\n  - {id: p, title: P, items: [{id: q, type: likert, text: {en: 1}}]}\n"]
    corpus = sorted((ROOT / "tests" / "data" / "definitions_broken").iterdir())
    uploads = [(path.read_bytes(), path.name) for path in corpus] + [(data, f"weird{n}.yaml")
                                                                     for n, data in enumerate(weird)]
    for data, name in uploads:
        response = _post(client, "/surveys/upload", {"file": (io.BytesIO(data), name)}, token_from="/surveys/",
                         content_type="multipart/form-data")
        assert response.status_code in (302, 400), name
        if response.status_code == 302:
            slug = response.location.rstrip("/").split("/")[-2]
            assert client.get(f"/surveys/{slug}/draft").status_code == 200, name
            assert client.get(f"/surveys/{slug}").status_code == 200, name
            for url in (f"/surveys/{slug}/draft", f"/surveys/{slug}", f"/surveys/{slug}/preview",
                        f"/surveys/{slug}/draft/pages/0/items/0", f"/surveys/{slug}/draft/pages/0"):
                assert client.get(url).status_code in (200, 302, 404), (name, url)
