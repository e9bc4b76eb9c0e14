"""factor_analyzer 0.5.1 calls scikit-learn's check_array(force_all_finite=...), which 1.8 removed."""
import warnings

import numpy as np
from factor_analyzer import FactorAnalyzer


def test_factor_analyzer_imports_and_fits_with_the_installed_scikit_learn():
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(300, 2))
    loadings = np.array([[0.8, 0], [0.7, 0], [0.75, 0], [0, 0.8], [0, 0.7], [0, 0.75]])
    data = latent @ loadings.T + rng.normal(scale=0.5, size=(300, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = FactorAnalyzer(n_factors=2, rotation="varimax").fit(data)
        scores = model.transform(data)
    assert model.loadings_.shape == (6, 2)
    assert scores.shape == (300, 2)
    # each block of three items loads mainly on one factor, different for the two blocks
    main_factor = np.abs(model.loadings_).argmax(axis=1)
    assert len(set(main_factor[:3])) == 1 and len(set(main_factor[3:])) == 1 and main_factor[0] != main_factor[3]
