"""The method documentation is served by the app (staff only), linked from the pages that need it."""
from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_doc_is_a_page_with_links_between_them(client_as):
    client = client_as("analyst")
    index = client.get("/docs/").get_data(as_text=True)
    for path in DOCS.glob("*.md"):
        assert f'href="/docs/{path.stem}"' in index
        page = client.get(f"/docs/{path.stem}")
        assert page.status_code == 200, path
    scoring = client.get("/docs/scoring").get_data(as_text=True)
    assert "<h1>" in scoring and "<table>" in scoring
    architecture = client.get("/docs/architecture").get_data(as_text=True)
    assert 'href="/docs/' in architecture or ".md" not in architecture


def test_docs_need_a_login_and_only_known_names(client, client_as):
    assert client.get("/docs/scoring").status_code == 302
    staff = client_as("designer")
    for name in ("nope", "..%2fREADME", "scoring.md", "SCORING"):
        assert staff.get(f"/docs/{name}").status_code == 404, name


def test_run_and_import_pages_link_the_method(client_as):
    client = client_as("admin")
    assert 'href="/docs/imports"' in client.get("/imports/").get_data(as_text=True)
    assert 'href="/docs/survey-definitions"' in client.get("/surveys/").get_data(as_text=True)
