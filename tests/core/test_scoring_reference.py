"""vocapp's scoring figures against R's psych 2.2.9 and lavaan 0.6-14 (tests/data/reference, made by
make_reference.R; R is not needed to run these tests)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vocapp.core.surveys import load_definition_file
from vocapp.core.scoring import ItemKey, build_item_key, score_responses
from vocapp.core.scoring.cfa import fit_cfa
from vocapp.core.scoring.diagnostics import bartlett, pairwise_correlations
from vocapp.core.scoring.parallel import parallel_analysis, random_eigenvalues
from vocapp.core.scoring.reliability import construct_reliability

DATA = Path(__file__).resolve().parents[1] / "data"
REFERENCE = json.loads((DATA / "reference" / "reference.json").read_text())
HS_SETS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


def hs_key() -> ItemKey:
    return ItemKey.from_records([{"item_id": i, "construct": c, "reverse": False, "min": 0, "max": 12}
                                 for c, items in HS_SETS.items() for i in items], list(HS_SETS))


@pytest.fixture(scope="module")
def bfi():
    defn, _ = load_definition_file(DATA / "bfi" / "bfi.yaml")
    key = build_item_key(defn)
    outcome = score_responses(pd.read_csv(DATA / "bfi" / "bfi.csv").set_index("id"), key)
    return key, outcome


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATA / "holzinger_swineford" / "HolzingerSwineford1939.csv")


def test_bfi_counts_are_the_rows_r_was_given(bfi):
    _, outcome = bfi
    d = outcome.scorer.diagnostics_
    assert d["n_rows"] == REFERENCE["bfi"]["n_rows"] == 2790
    assert d["n_complete"] == REFERENCE["bfi"]["n_complete"] == 2432
    assert d["n_complete"] < d["n_pairwise_min"] < d["n_rows"]
    assert d["bartlett"]["chi2"] == pytest.approx(REFERENCE["bfi"]["bartlett"]["chisq"], rel=1e-6)


@pytest.mark.parametrize("construct", ["agreeableness", "conscientiousness", "extraversion", "neuroticism",
                                       "openness"])
def test_bfi_reliability_matches_psych(bfi, construct):
    _, outcome = bfi
    ours = outcome.scorer.reliability_.loc[construct]
    ref = REFERENCE["bfi"]["reliability"][construct]
    assert ours["omega"] == pytest.approx(ref["omega_total"], abs=0.001)
    assert ours["alpha"] == pytest.approx(ref["raw_alpha"], abs=0.001)
    assert ours["alpha_standardised"] == pytest.approx(ref["std_alpha"], abs=0.001)
    assert ours["omega"] >= ours["alpha"] - 0.001  # omega total is not below alpha on these data


@pytest.mark.parametrize("construct", list(HS_SETS))
def test_holzinger_swineford_reliability_matches_psych(hs, construct):
    items = hs[HS_SETS[construct]]
    ours = construct_reliability(items, items.corr())
    ref = REFERENCE["holzinger_swineford"]["reliability"][construct]
    assert ours["omega"] == pytest.approx(ref["omega_total"], abs=0.001)
    assert ours["alpha"] == pytest.approx(ref["raw_alpha"], abs=0.001)
    assert ours["alpha_standardised"] == pytest.approx(ref["std_alpha"], abs=0.001)


def test_cfa_chi_square_uses_n_as_lavaan(hs):
    items = [i for v in HS_SETS.values() for i in v]
    fit = fit_cfa(hs[items].corr(), len(hs), hs_key())
    ref = REFERENCE["holzinger_swineford"]["cfa"]
    assert fit["converged"] and fit["df"] == ref["df"] == 24
    assert fit["chi2"] == pytest.approx(ref["chi2"], rel=1e-4)  # 85.31, not (N - 1) F = 85.02
    for index in ("cfi", "tli", "rmsea", "srmr"):
        assert fit[index] == pytest.approx(ref[index], abs=1e-4), index


def test_bfi_cfa_on_complete_rows_matches_lavaan_ml(bfi):
    key, outcome = bfi
    complete = outcome.matrix[~outcome.flags["excluded"]].dropna()
    fit = fit_cfa(complete.corr(), len(complete), key)
    ref = REFERENCE["bfi"]["cfa_ml"]
    assert len(complete) == ref["n"] and fit["df"] == ref["df"]
    assert fit["chi2"] == pytest.approx(ref["chi2"], rel=1e-3)
    for index in ("cfi", "rmsea", "srmr"):
        assert fit[index] == pytest.approx(ref[index], abs=1e-3), index


def _noise_rule(ours_runs: np.ndarray, psych_mean: np.ndarray, psych_iter: int) -> np.ndarray:
    """|our mean - psych's mean| / its standard error, with the SD of one run estimated from ours."""
    se = ours_runs.std(axis=0, ddof=1) * np.sqrt(1 / len(ours_runs) + 1 / psych_iter)
    return np.abs(ours_runs.mean(axis=0) - psych_mean) / se


@pytest.mark.parametrize("data_set", ["bfi", "holzinger_swineford"])
def test_parallel_analysis_matches_psych(bfi, hs, data_set):
    """Rule: observed factor and component eigenvalues equal psych's to 1e-4; over our seeds 0-19 the
    most frequent suggested numbers equal psych's (the same on all five of its seeds: bfi 6 factors and
    5 components, HS 3 and 3); the factor count is the same for every seed; the mean random
    eigenvalues differ from psych's by at most 4 standard errors at every rank (ours from 200 data
    sets, psych's from 20). bfi's sixth component (1.091) sits on its random line (95th percentile
    about 1.097 +- 0.005), so single seeds may differ there, in R as here."""
    if data_set == "bfi":
        _, outcome = bfi
        data = outcome.matrix[~outcome.flags["excluded"]]
        corr = pairwise_correlations(data)[0].to_numpy()
    else:
        data = hs[[f"x{k}" for k in range(1, 10)]]
        corr = data.corr().to_numpy()
    runs = REFERENCE[data_set]["parallel"]
    assert len({r["nfact"] for r in runs}) == 1 and len({r["ncomp"] for r in runs}) == 1
    ref = runs[0]
    results = [parallel_analysis(corr, len(data), n_iter=20, random_state=seed) for seed in range(20)]
    assert {r["suggested_factors"] for r in results} == {ref["nfact"]}
    components = [r["suggested_components"] for r in results]
    assert max(set(components), key=components.count) == ref["ncomp"]
    ours = results[0]
    assert ours["factor_eigenvalues"] == pytest.approx(runs[0]["fa_values"], abs=1e-4)
    assert np.sort(np.linalg.eigvalsh(corr))[::-1] == pytest.approx(runs[0]["pc_values"], abs=1e-4)
    simulated = random_eigenvalues(len(data), corr.shape[0], n_iter=200, random_state=7)
    for kind, name in (("factors", "fa_sim_mean"), ("components", "pc_sim_mean")):
        assert _noise_rule(simulated[kind], np.array(runs[0][name]), 20).max() < 4, kind
    if data_set == "bfi":
        assert (ref["nfact"], ref["ncomp"]) == (6, 5)


def test_invariance_by_school_matches_lavaan(hs):
    """Configural 115.85 / 48 (CFI .923), metric 124.04 / 54 (.921), scalar 164.10 / 60 (.883)."""
    from vocapp.core.scoring.invariance import measurement_invariance
    result = measurement_invariance(hs, hs["school"], hs_key(), "school")
    assert result["checked"] and result["groups"] == ["Grant-White", "Pasteur"]
    ref = REFERENCE["holzinger_swineford"]["invariance_by_school"]
    for fit in result["levels"]:
        expected = ref[fit["level"]]
        assert fit["converged"] and fit["df"] == expected["df"]
        assert fit["chi2"] == pytest.approx(expected["chi2"], rel=0.001)  # issue: within 1%
        assert fit["cfi"] == pytest.approx(expected["cfi"], abs=0.001)  # issue: within 0.005
        assert fit["rmsea"] == pytest.approx(expected["rmsea"], abs=0.001)
        assert fit["srmr"] == pytest.approx(expected["srmr"], abs=0.001)
    configural, metric, scalar = result["levels"]
    assert metric["holds"] and metric["delta_cfi"] == pytest.approx(-0.0025, abs=0.0005)
    assert not scalar["holds"] and not result["scalar_holds"]  # CFI drops .038: intercepts differ


def test_invariance_needs_two_groups_of_100(hs):
    from vocapp.core.scoring.invariance import measurement_invariance
    result = measurement_invariance(hs, hs["school"], hs_key(), "school", min_group_size=150)
    assert not result["checked"] and "fewer than two school groups" in result["message"]
    assert result["group_sizes"] == {"Grant-White": 145, "Pasteur": 156}
