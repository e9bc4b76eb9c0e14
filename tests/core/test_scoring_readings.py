"""Plain-language readings of the evidence follow the published thresholds at their boundaries."""
from __future__ import annotations

import math

import pytest

from vocapp.core.scoring import readings


@pytest.mark.parametrize(("value", "verdict"), [(0.95, "excellent"), (0.9, "excellent"), (0.89, "good"),
                                                (0.75, "middling"), (0.65, "mediocre"), (0.55, "poor"),
                                                (0.4, "unacceptable")])
def test_kmo_bands(value, verdict):
    assert readings.kmo(value)[0] == verdict
    assert f"{value:.2f}" in readings.kmo(value)[1]


@pytest.mark.parametrize(("index", "value", "verdict"), [("cfi", 0.95, "good"), ("cfi", 0.949, "acceptable"),
                                                         ("tli", 0.89, "poor"), ("rmsea", 0.06, "good"),
                                                         ("rmsea", 0.07, "acceptable"), ("rmsea", 0.09, "mediocre"),
                                                         ("rmsea", 0.11, "poor"), ("srmr", 0.08, "good"),
                                                         ("srmr", 0.081, "poor")])
def test_fit_index_cut_offs(index, value, verdict):
    assert readings.fit(index, value)[0] == verdict


def test_reliability_bands_and_missing_values():
    assert [readings.reliability(v)[0] for v in (0.93, 0.85, 0.72, 0.6)] == \
        ["excellent", "good", "acceptable", "questionable"]
    assert readings.reliability(None)[0] == readings.kmo(math.nan)[0] == "n/a"
    assert readings.bartlett(0.001)[0] == "good" and readings.bartlett(0.3)[0] == "poor"
    with pytest.raises(ValueError):
        readings.fit("gfi", 0.9)


def test_overall_names_what_to_check():
    assert readings.overall(0.9, {"cfi": 0.96, "rmsea": 0.05}, {"trust": 0.85})[0] == "trustworthy"
    verdict, sentence = readings.overall(0.55, {"cfi": 0.85, "rmsea": 0.12}, {"trust": 0.85, "appetite": 0.6})
    assert verdict == "caution"
    assert "KMO" in sentence and "declared key" in sentence and "appetite" in sentence and "trust" not in sentence


def test_overall_from_stored_diagnostics_prefers_omega():
    diagnostics = {"kmo": 0.85, "fit_indices": {"cfi": 0.97, "rmsea": 0.04},
                   "reliability": {"trust": {"alpha": 0.65, "omega": 0.75}, "appetite": {"alpha": 0.8, "omega": None}}}
    assert readings.overall_from_diagnostics(diagnostics)[0] == "trustworthy"
    diagnostics["reliability"]["trust"]["omega"] = 0.6
    assert "trust" in readings.overall_from_diagnostics(diagnostics)[1]
