"""Match extracted factors to declared constructs by Tucker congruence with the item key."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from .key import ItemKey


def key_matrix(key: ItemKey) -> np.ndarray:
    """Items x constructs target matrix: 1 where an item is keyed to the construct, else 0."""
    constructs = key.constructs
    target = np.zeros((len(key.items), len(constructs)))
    for row, item in enumerate(key.items):
        target[row, constructs.index(key.construct[item])] = 1.0
    return target


def tucker_congruence(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Congruence coefficients between the columns of ``a`` (p x k) and ``b`` (p x m): k x m."""
    num = a.T @ b
    norms = np.outer(np.sqrt((a * a).sum(axis=0)), np.sqrt((b * b).sum(axis=0)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, num / np.where(norms > 0, norms, 1.0), 0.0)


@dataclass
class Alignment:
    """``factor_of[c]`` = factor index for construct c (or None); ``sign`` per factor; ``extra`` factors."""

    factor_of: dict[str, int | None]
    sign: np.ndarray
    congruence: dict[str, float]
    extra: list[int]

    def order(self, constructs: list[str]) -> list[int]:
        """Factor indices in construct order followed by the unassigned factors."""
        return [self.factor_of[c] for c in constructs if self.factor_of[c] is not None] + self.extra


def align_factors(loadings: np.ndarray, key: ItemKey) -> Alignment:
    """Optimal one-to-one assignment of factors to constructs maximising |congruence|; signs are
    chosen so the construct's keyed (already reverse-scored) items load positively."""
    constructs = key.constructs
    congruence = tucker_congruence(loadings, key_matrix(key))
    rows, cols = linear_sum_assignment(-np.abs(congruence))
    factor_of: dict[str, int | None] = {c: None for c in constructs}
    sign = np.ones(loadings.shape[1])
    phi_c: dict[str, float] = {}
    for f, c in zip(rows, cols):
        factor_of[constructs[c]] = int(f)
        sign[f] = -1.0 if congruence[f, c] < 0 else 1.0
        phi_c[constructs[c]] = float(abs(congruence[f, c]))
    extra = [f for f in range(loadings.shape[1]) if f not in set(rows.tolist())]
    for f in extra:
        sign[f] = -1.0 if loadings[:, f].sum() < 0 else 1.0
    return Alignment(factor_of, sign, phi_c, extra)
