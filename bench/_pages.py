"""Shared by the staff-page benchmarks (``from _pages import ...``): their analyst, timing and arguments."""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Callable

ANALYST, PASSWORD = "bench-analyst@example.org", "bench-password-123"


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """Median wall seconds of ``repeat`` calls of ``action``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def size_arguments(doc: str, sizes: str, default_sizes: list[int], folder: str, repeat: int,
                   database_help: str) -> argparse.Namespace:
    """Parse the command line of a page benchmark: the sizes (option ``sizes``), --folder (created),
    --repeat and --database-url."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(sizes, type=int, nargs="+", default=default_sizes)
    parser.add_argument("--folder", type=Path, default=Path(folder))
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--database-url", help=database_help)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    return args
