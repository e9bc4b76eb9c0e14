"""The import page says to load a survey first instead of offering a responses form with an empty survey list."""
from __future__ import annotations

from vocapp import PROJECT_ROOT
from vocapp.services.surveys import load_definition_file


def test_responses_import_needs_a_survey_first(client_as):
    client = client_as("designer")
    page = client.get("/imports/").get_data(as_text=True)
    assert "No surveys yet" in page and 'action="/imports/responses"' not in page
    assert 'action="/imports/contacts"' in page
    load_definition_file(PROJECT_ROOT / "survey_definitions" / "b2b_relationship.yaml")
    page = client.get("/imports/").get_data(as_text=True)
    assert "No surveys yet" not in page and 'action="/imports/responses"' in page
