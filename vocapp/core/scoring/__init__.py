"""Scoring core: response matrix, quality flags, diagnostics, factor model, reliability, accounts.

Pure analysis code (pandas/numpy/scipy/factor_analyzer); no Flask or SQLAlchemy here. Names load on
first use (lazy_loader): importing one part does not load every library the others use.
"""
import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(__name__, submod_attrs={
    "accounts": ["DEFAULT_ROLE_WEIGHTS", "aggregate_accounts"],
    "errors": ["ConstantItemError", "InsufficientDataError", "KeyMismatchError", "ScoringDataError",
               "SingularMatrixError"],
    "frozen": ["FrozenModel"],
    "key": ["ItemKey", "build_item_key", "common_item_key"],
    "matrix": ["raw_item_matrix", "response_matrix", "scale_mean_scores", "weighted_scale_scores"],
    "model": ["ConstructScorer"],
    "pipeline": ["ScoringOutcome", "score_responses"],
    "quality": ["quality_flags"],
})
