"""Shared helper: build the import test corpus (text files + generated binaries) in a temp dir."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

BUILDER = Path(__file__).resolve().parent / "data" / "imports" / "build_binary_corpus.py"


def build_corpus(target: Path) -> Path:
    spec = importlib.util.spec_from_file_location("build_binary_corpus", BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_corpus(target)


def survey_definition(corpus: Path) -> dict:
    return json.loads((corpus / "responses" / "survey.json").read_text(encoding="utf-8"))
