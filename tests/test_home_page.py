"""The home page: figures that link to their pages, and getting-started steps on a new installation."""
from __future__ import annotations

import re

from canvas_setup import load_generated_base
from vocapp.services.canvas import place


def test_empty_installation_shows_the_first_steps_with_links(client_as):
    page = client_as("admin").get("/").get_data(as_text=True)
    assert "Getting started" in page
    steps = re.findall(r'<li class="(done|todo)">', page)
    assert steps == ["todo"] * 6
    assert 'href="/surveys/"' in page and 'href="/imports/"' in page and 'href="/scoring/"' in page


def test_steps_are_ticked_off_and_the_panel_goes_once_placed(app, client_as, tmp_path):
    load_generated_base(tmp_path, n_accounts=20, seed=2)
    client = client_as("admin")
    page = client.get("/").get_data(as_text=True)
    assert re.findall(r'<li class="(done|todo)">', page)[:3] == ["done", "done", "done"]
    place()
    page = client.get("/").get_data(as_text=True)
    assert "Getting started" not in page
    figures = dict(re.findall(r'<dt>([^<]+)</dt><dd><a href="([^"]+)">\d+</a>', page))
    assert figures["Canvas placements"] == "/canvas/" and figures["Contacts"] == "/contacts/people"


def test_figures_link_only_to_pages_the_role_may_open(client_as):
    page = client_as("designer").get("/").get_data(as_text=True)
    assert re.search(r'<dt>Surveys</dt><dd><a href="/surveys/">', page)
    assert re.search(r"<dt>Scoring runs</dt><dd>\d+</dd>", page)  # analysts' page: no link for a designer
