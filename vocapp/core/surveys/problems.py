"""Located problems reported when reading or validating a survey definition."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem found in a definition, located by file, line and path.

    ``path`` uses dotted keys and 0-based list indexes, e.g.
    ``pages[2].items[3].scale``; it is empty for problems about the whole
    document (such as a YAML syntax error).
    """

    severity: Severity
    file: str
    line: int | None
    path: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        location = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.path:
            return f"{location}: {self.path}: {self.message}"
        return f"{location}: {self.message}"

    def describe(self) -> str:
        """Return ``str(self)`` with the severity in front, as the CLI prints it."""
        return f"{self.severity}: {self}"


def has_errors(problems: Iterable[Problem]) -> bool:
    """True if any problem is an error (warnings alone do not block loading)."""
    return any(problem.is_error for problem in problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Order problems by line (unlocated last), then path; drop exact duplicates."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line is None, p.line or 0, p.path, p.message))


def key_path(parent: str, key: object) -> str:
    """Extend a location path by a mapping key: ``pages[0]`` + ``id`` -> ``pages[0].id``."""
    return f"{parent}.{key}" if parent else str(key)


def index_path(parent: str, index: int) -> str:
    """Extend a location path by a list index: ``pages`` + 2 -> ``pages[2]``."""
    return f"{parent}[{index}]"
