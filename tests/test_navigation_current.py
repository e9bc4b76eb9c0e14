"""The main navigation marks exactly one link as the current page (Home and Staff both were on /)."""
from __future__ import annotations

import re

import pytest

CURRENT = re.compile(r'<a href="([^"]+)" aria-current="page">')


@pytest.mark.parametrize("path, expected", [("/", "/"), ("/staff", "/staff"), ("/contacts/people", "/contacts/"),
                                            ("/surveys/new", "/surveys/"), ("/scoring/", "/scoring/")])
def test_exactly_one_current_link(client_as, path, expected):
    page = client_as("admin").get(path).get_data(as_text=True)
    main_nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S).group(1)
    assert CURRENT.findall(main_nav) == [expected]
