"""A NUL character in a definition (YAML "\\0", JSON "\\u0000") is a located error and makes the file unusable.

PostgreSQL cannot store it: the designer upload ended in a 500 and `surveys load` in a traceback there.
"""
from __future__ import annotations

import pytest

from vocapp.core.surveys import parse_definition


@pytest.mark.parametrize("filename, text, expected", [
    ("nul.yaml", 'id: s\ntitle: "a\\0b"\npages: []\n', "nul.yaml:2: title: text contains a NUL character"),
    ("nul.json", '{"id": "s",\n "pages": [{"id": "p", "title": "x\\u0000"}]}',
     "nul.json:2: pages[0].title: text contains a NUL character"),
])
def test_nul_in_text_is_one_located_error(filename, text, expected):
    defn, problems = parse_definition(text, filename)
    assert defn is None
    assert [str(p) for p in problems] == [expected]
