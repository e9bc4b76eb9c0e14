"""Numbers in URLs too large for any database id are a 404, never a server error (the driver overflowed)."""
from __future__ import annotations

import pytest

from helpers import csrf_token

HUGE = "99999999999999999999"


@pytest.mark.parametrize("url", [
    f"/contacts/accounts/{HUGE}", f"/contacts/people/{HUGE}", f"/canvas/accounts/{HUGE}", f"/scoring/runs/{HUGE}",
    f"/scoring/runs/{HUGE}/scree.svg", f"/contacts/?page={HUGE}", f"/contacts/people?page={HUGE}",
    f"/contacts/?page=-{HUGE}",
])
def test_huge_numbers_in_urls_are_not_found(client_as, url):
    assert client_as("admin").get(url).status_code == 404


def test_huge_version_and_run_arguments_are_not_found(client_as):
    client = client_as("admin")
    token = csrf_token(client, "/surveys/new")
    created = client.post("/surveys/new", data={"slug": "odd", "title": "Odd", "csrf_token": token})
    assert created.status_code == 302
    assert client.get(f"/surveys/odd/preview?version={HUGE}").status_code == 404
    assert client.get(f"/surveys/odd/download?version={HUGE}").status_code == 404


def test_ordinary_page_numbers_still_work(client_as):
    client = client_as("analyst")
    assert client.get("/contacts/?page=2").status_code == 200
    assert client.get("/contacts/?page=abc").status_code == 200
