"""Canvas core: transaction metrics, opportunity, canvas definition, placement, leave-alone, clusters.

Pure analysis code (pandas/numpy/scikit-learn/yaml/jsonschema); no Flask or SQLAlchemy here.
See docs/canvas.md. Names load on first use (lazy_loader), so reading a definition or counting
movements does not import scikit-learn.
"""
import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(__name__, submod_attrs={
    "categories": ["UNMAPPED", "classify_categories", "unmapped_categories"],
    "clusters": ["ExploratoryClusters", "cluster_features"],
    "definition": ["DEFAULT_CANVAS_PATH", "CanvasDefinition", "CanvasDefinitionError", "Zone",
                   "load_canvas_definition", "parse_canvas_definition", "validate_canvas_definition"],
    "metrics": ["METRIC_COLUMNS", "account_metrics"],
    "opportunity": ["opportunity_scores"],
    "placement": ["NO_ZONE", "essential_only_counts", "movement_table", "movements", "place_accounts",
                  "wide_scores", "zone_counts"],
    "unheard": ["ReadinessEstimator", "UnheardEstimates", "estimate_unheard"],
})
