"""Dependencies: factor_analyzer 0.5.1 works with the installed scikit-learn (1.8 removed
check_array(force_all_finite=...)); constraints.txt, the versions CI tested, agrees with setup.cfg and
with the environment the tests run in."""
import warnings

import numpy as np
from factor_analyzer import FactorAnalyzer

from vocapp import PROJECT_ROOT


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


def _requirements() -> list:
    """install_requires and the dev extra of setup.cfg, as packaging Requirements."""
    import configparser

    from packaging.requirements import Requirement

    config = configparser.ConfigParser()
    config.read(PROJECT_ROOT / "setup.cfg")
    lines = config["options"]["install_requires"].splitlines() + config["options.extras_require"]["dev"].splitlines()
    return [Requirement(line.split("#")[0].strip()) for line in lines if line.split("#")[0].strip()]


def _constraints() -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (PROJECT_ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_the_tested_versions_satisfy_every_declared_bound():
    """constraints.txt (what `make install` installs) pins every requirement at a version setup.cfg allows:
    a raised lower bound or a new dependency without a regenerated constraints file fails here."""
    from packaging.utils import canonicalize_name

    pins = _constraints()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in constraints.txt; run `make constraints`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (str(requirement), pins[name])


def test_this_environment_has_the_tested_versions():
    """The running environment is the one constraints.txt describes (so CI runs on the tested versions)."""
    from importlib.metadata import PackageNotFoundError, version

    different = {}
    for name, pinned in _constraints().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            different[name] = (pinned, installed)
    assert different == {}, "installed versions differ from constraints.txt (pinned, installed): " \
                            f"{different}; run `make install` or `make constraints`"
