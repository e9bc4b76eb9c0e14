"""Old URLs of moved areas redirect to their new homes, keeping the method, for the same roles."""
from __future__ import annotations

import pytest

from helpers import csrf_token


@pytest.mark.parametrize(("old", "new"), [("/designer/", "/surveys/"), ("/designer/b2b/draft", "/surveys/b2b/draft"),
                                          ("/contacts/import", "/imports/"),
                                          ("/contacts/import/contacts/confirm", "/imports/contacts/confirm")])
def test_old_urls_redirect_with_308(client_as, old, new):
    client = client_as("admin")
    token = csrf_token(client, "/")
    for response in (client.get(old), client.post(old, data={"csrf_token": token})):
        assert response.status_code == 308, (old, response.status_code)
        assert response.headers["Location"] == new


def test_old_urls_ask_for_the_new_homes_roles(client, client_as):
    assert client.get("/designer/").status_code == 302  # anonymous: to the login page
    analyst = client_as("analyst")
    assert analyst.get("/designer/").status_code == 403
    assert analyst.get("/contacts/import").status_code == 308
