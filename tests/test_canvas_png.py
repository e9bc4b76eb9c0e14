"""The canvas PNG renders staff-written text as written: a zone name or axis label with dollar signs is
not typeset as mathtext (an unbalanced one would fail the download), control characters become spaces."""
from __future__ import annotations

import dataclasses
import io
import warnings

import pandas as pd
from PIL import Image

from vocapp.core.canvas.definition import load_canvas_definition
from vocapp.web.canvas_png import canvas_png


def _frame(zones: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"heard": [True, True, False], "readiness": [70.0, 20.0, None],
                         "opportunity": [80.0, 30.0, 60.0], "value": [1000.0, 50.0, 0.0], "zone": zones,
                         "co_creation": [True, False, False], "leave_alone": [False, True, False]})


def test_dollar_signs_and_control_characters_in_staff_text_draw_as_plain_text() -> None:
    definition = load_canvas_definition()
    first = definition.zones[0]
    hostile = dataclasses.replace(first, name="Over $5k\tnet $\\frac{a\r\nb")  # unbalanced mathtext, tab, CR/LF
    raw = {**definition.raw, "axes": {"x": {"label": "Value $\\unknowncommand"}, "y": {"label": "Ready\x00ness"}}}
    definition = dataclasses.replace(definition, zones=(hostile, *definition.zones[1:]), raw=raw)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (a tab or CR drawn as text) is a UserWarning
        png = canvas_png(_frame([hostile.name, definition.zones[1].name, definition.unheard_zone.name]),
                         definition, caption="Filter: zone = $x^2$\t<script>")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 2000
