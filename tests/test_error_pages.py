"""Every error a staff user can meet gets the site's own page with a specific explanation."""
from __future__ import annotations

from helpers import csrf_token


def test_get_on_a_form_only_address_explains_itself(client_as):
    response = client_as("analyst").get("/canvas/place")
    assert response.status_code == 405
    page = response.get_data(as_text=True)
    assert "only accepts a form submission" in page and 'class="skip-link"' in page


def test_confirming_an_upload_that_is_gone_explains_itself(client_as):
    client = client_as("designer")
    token = csrf_token(client, "/imports/")
    response = client.post("/imports/contacts/confirm",
                           data={"csrf_token": token, "token": "0" * 32, "suffix": ".csv"})
    assert response.status_code == 410
    assert "already imported or has expired" in response.get_data(as_text=True)
