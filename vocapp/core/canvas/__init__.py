"""Canvas core: transaction metrics, opportunity, canvas definition, placement, leave-alone, clusters.

Pure analysis code (pandas/numpy/scikit-learn/yaml/jsonschema); no Flask or SQLAlchemy here.
See docs/canvas.md.
"""
from .categories import UNMAPPED, classify_categories, unmapped_categories
from .clusters import ExploratoryClusters, cluster_features
from .definition import (DEFAULT_CANVAS_PATH, CanvasDefinition, CanvasDefinitionError, Zone,
                         load_canvas_definition, parse_canvas_definition, validate_canvas_definition)
from .metrics import METRIC_COLUMNS, account_metrics
from .opportunity import opportunity_scores
from .placement import (NO_ZONE, essential_only_counts, movement_table, movements, place_accounts, wide_scores,
                        zone_counts)
from .unheard import ReadinessEstimator, UnheardEstimates, estimate_unheard

__all__ = [
    "UNMAPPED", "classify_categories", "unmapped_categories", "ExploratoryClusters", "cluster_features",
    "DEFAULT_CANVAS_PATH", "CanvasDefinition", "CanvasDefinitionError", "Zone", "load_canvas_definition",
    "parse_canvas_definition", "validate_canvas_definition", "METRIC_COLUMNS", "account_metrics",
    "opportunity_scores", "essential_only_counts", "movements", "movement_table", "NO_ZONE", "place_accounts", "wide_scores",
    "zone_counts", "ReadinessEstimator", "UnheardEstimates", "estimate_unheard",
]
