"""Acceptance on real data: the bfi questionnaire (25 items, 2800 people, see tests/data/bfi/README.md)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vocapp.core.surveys import load_definition_file
from vocapp.core.scoring import ConstructScorer, build_item_key, score_responses

BFI = Path(__file__).resolve().parents[1] / "data" / "bfi"
LETTER = {"A": "agreeableness", "C": "conscientiousness", "E": "extraversion", "N": "neuroticism",
          "O": "openness"}


def readme_reference_alphas() -> dict[str, float]:
    """The README's 'Cronbach's alpha ... about A .70, C .73, ...' figures, read from the README."""
    text = (BFI / "README.md").read_text()
    found = dict(re.findall(r"\b([ACENO]) \.(\d\d)\b", text.split("Cronbach's alpha", 1)[1]))
    return {LETTER[k]: float("0." + v) for k, v in found.items()}


def readme_reverse_items() -> set[str]:
    line = next(l for l in (BFI / "README.md").read_text().splitlines() if l.startswith("Reverse-keyed"))
    return set(re.findall(r"\b[ACENO]\d\b", line))


@pytest.fixture(scope="module")
def bfi():
    defn, problems = load_definition_file(BFI / "bfi.yaml")
    assert not [p for p in problems if p.severity == "error"], problems
    key = build_item_key(defn)
    answers = pd.read_csv(BFI / "bfi.csv").set_index("id")
    return key, answers, score_responses(answers, key)


def test_definition_matches_readme_keying(bfi):
    key, _, _ = bfi
    assert len(key.items) == 25 and len(key.constructs) == 5
    assert {i for i in key.items if key.reverse[i]} == readme_reverse_items()
    assert all(key.construct[i] == LETTER[i[0]] for i in key.items)
    assert all(key.scale_min[i] == 1 and key.scale_max[i] == 6 for i in key.items)


def test_five_factors_every_item_on_its_keyed_factor(bfi):
    key, _, outcome = bfi
    scorer = outcome.scorer
    assert list(scorer.loadings_.columns) == key.constructs
    assigned = scorer.loadings_.abs().idxmax(axis=1)
    wrong = {i: assigned[i] for i in key.items if assigned[i] != key.construct[i]}
    assert wrong == {}
    # keyed items load positively on their own construct after reverse-keying and sign alignment
    own = np.array([scorer.loadings_.at[i, key.construct[i]] for i in key.items])
    assert (own > 0).all()


def test_alphas_match_readme_reference(bfi):
    _, _, outcome = bfi
    reference = readme_reference_alphas()
    assert set(reference) == set(LETTER.values())
    for construct, expected in reference.items():
        assert outcome.scorer.reliability_.at[construct, "alpha"] == pytest.approx(expected, abs=0.01)
        assert 0.5 < outcome.scorer.reliability_.at[construct, "omega"] < 1


def test_diagnostics_match_readme(bfi):
    key, answers, outcome = bfi
    diag = outcome.scorer.diagnostics_
    assert diag["kmo"] == pytest.approx(0.85, abs=0.01)
    # factor-based parallel analysis (psych's fa.parallel fa="fa") suggests 6, component-based 5
    assert diag["suggested_factors"] == 6 and diag["suggested_components"] == 5
    assert diag["declared_constructs"] == 5
    assert diag["bartlett"]["p_value"] < 1e-10
    # pairwise-complete correlations: n is the sparsest item pair, between complete cases and all valid
    assert diag["n_complete"] <= diag["n_pairwise_min"] <= diag["n_rows"] == diag["n"] <= len(answers)
    # the README's reference figures are for complete cases: fitted on those, they must match
    complete = outcome.matrix.dropna()
    assert len(complete) == 2436
    on_complete = ConstructScorer().fit(complete, key).diagnostics_
    assert on_complete["n"] == on_complete["n_complete"] == 2436
    assert on_complete["kmo"] == pytest.approx(0.85, abs=0.005)
    assert on_complete["eigenvalues"][:6] == pytest.approx([5.13, 2.75, 2.14, 1.85, 1.55, 1.07], abs=0.006)
    assert on_complete["suggested_components"] == 5 and on_complete["suggested_factors"] == 6


def test_weak_items_named_from_readme_list(bfi):
    _, _, outcome = bfi
    named = {m["item"] for m in outcome.scorer.misfit_items_}
    assert named and named <= {"A1", "E3", "E5", "N4", "O4"}


def test_cfa_of_declared_key_reports_fit(bfi):
    fit = outcome_fit = bfi[2].scorer.fit_indices_
    assert fit["converged"], fit["message"]
    assert fit["df"] == 25 * 26 // 2 - (25 + 25 + 10)
    # the five-factor simple structure is known to fit bfi only moderately
    assert 0.03 < fit["rmsea"] < 0.12 and 0.6 < fit["cfi"] < 0.95 and fit["tli"] < outcome_fit["cfi"]


def test_scores_follow_the_raw_answers(bfi):
    key, answers, outcome = bfi
    scores = outcome.scores
    assert len(scores) == len(answers)
    for construct in key.constructs:
        items = key.items_of(construct)
        mean_keyed = outcome.matrix[items].mean(axis=1)
        ok = scores[construct].notna() & mean_keyed.notna()
        assert np.corrcoef(scores.loc[ok, construct], mean_keyed[ok])[0, 1] > 0.95
        assert scores[construct].dropna().between(0, 100).all()
