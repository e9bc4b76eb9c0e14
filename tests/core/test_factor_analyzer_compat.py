"""factor_analyzer 0.5.1 must import and fit with the installed scikit-learn (1.8 broke it)."""
from __future__ import annotations

import warnings

import numpy as np
from factor_analyzer import ConfirmatoryFactorAnalyzer, FactorAnalyzer

from vocapp.core.scoring.cfa import model_specification
from vocapp.core.synthetic.responses import simulate_responses, synthetic_key


def test_factor_analyzer_fits_and_transforms():
    key = synthetic_key(("a", "b"), 4, 1, 1, 5)
    data, _ = simulate_responses(key, 0.75, 300, None, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # force_all_finite renamed (sklearn 1.6/1.7)
        warnings.simplefilter("ignore", DeprecationWarning)  # scipy's L-BFGS-B disp option
        fa = FactorAnalyzer(n_factors=2, rotation="oblimin").fit(data.to_numpy())
        scores = fa.transform(data.to_numpy())
        cfa = ConfirmatoryFactorAnalyzer(model_specification(key), disp=False).fit(data.to_numpy())
    assert fa.loadings_.shape == (8, 2) and scores.shape == (300, 2)
    assert np.isfinite(cfa.loadings_).all()
