"""Exceptions of the symbiosis packages, all under :class:`SymbiosisError`."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Reason

__all__ = [
    "SymbiosisError",
    "DataFileError",
    "RowError",
    "ImportValidationError",
    "SHOWN_ERRORS",
    "StoreError",
    "StoreConflictError",
    "StoreUnavailableError",
    "NotFoundError",
    "OptimizationError",
    "InfeasibleError",
]


class SymbiosisError(Exception):
    """Base of every error the project raises on purpose.

    ``reason``, when given, is the error as a message code with its parameters: the edges
    say it in the reader's language (:func:`symbiosis.messages.render`); the text of the
    exception is its English."""

    reason: Reason | None = None


class DataFileError(SymbiosisError):
    """A reference data file (taxonomy, factors, overrides) is malformed."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell of an input file.

    ``row`` is the 1-based line in the file as a spreadsheet shows it (the header is row 1).
    """

    file: str
    row: int
    field: str
    message: str
    value: str = ""
    #: for a resource that was not recognised with confidence: the best (key, confidence)
    suggestions: tuple[tuple[str, float], ...] = ()
    #: what kind of problem, for callers that act on it (``unrecognised``: a resource cell
    #: to confirm)
    code: str = ""
    #: the message as a code with its parameters, for the edges to say in the reader's
    #: language; ``message`` is its English
    reason: Reason | None = None

    def __str__(self) -> str:
        shown = f" (got {self.value!r})" if self.value != "" else ""
        return f"{self.file}, row {self.row}, field '{self.field}': {self.message}{shown}"


#: how many errors a report lists before it only counts the rest
SHOWN_ERRORS = 50


class ImportValidationError(SymbiosisError):
    """An import found bad rows; nothing was written. ``errors`` lists every one; its text
    lists the first :data:`SHOWN_ERRORS` and counts the rest."""

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        lines = "\n".join(f"  - {e}" for e in self.errors[:SHOWN_ERRORS])
        more = len(self.errors) - SHOWN_ERRORS
        rest = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.errors)} error(s) in the input; nothing was stored:\n"
                         f"{lines}{rest}")

    @property
    def shown(self) -> list[RowError]:
        """The errors a report lists (the first :data:`SHOWN_ERRORS`)."""
        return self.errors[:SHOWN_ERRORS]


class StoreError(SymbiosisError):
    """The graph store failed."""


class StoreConflictError(StoreError):
    """A write broke a uniqueness rule or referred to a missing node."""


class StoreUnavailableError(StoreError):
    """The store could not be reached or opened."""


class NotFoundError(StoreError):
    """The requested node does not exist."""


class OptimizationError(SymbiosisError):
    """The exchange model could not be built or solved."""


class InfeasibleError(OptimizationError):
    """Raised only when a caller asks for an optimal plan and none exists."""
