"""The pure analysis core: pandas/numpy/scipy/scikit-learn/factor_analyzer only, no Flask or SQLAlchemy."""
