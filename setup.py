"""Build hook: a regular (non-editable) install carries the top-level folders the running code needs.

templates/, static/, survey_definitions/ and migrations/ live at the project root (the layout is
fixed), outside the ``vocapp`` package, so setuptools would leave them out of a wheel. This copies them
into the built package as ``vocapp/_bundled/<name>``, where ``vocapp.core.resources.resource_dir``
finds them. Editable installs read the checkout's folders and copy nothing. Metadata: setup.cfg.
"""
import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# the list the running code resolves (the module imports only pathlib, so it runs before vocapp installs)
RUNTIME_FOLDERS = runpy.run_path(str(ROOT / "vocapp" / "core" / "resources.py"))["RUNTIME_FOLDERS"]


class BuildWithRuntimeFolders(build_py):
    """build_py, then copy the runtime folders into the build's vocapp/_bundled/."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "vocapp" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)  # no file deleted from the checkout survives a rebuild
        for name in RUNTIME_FOLDERS:
            shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithRuntimeFolders})
