"""Limits on what one import may read, so that no file can tie up a server.

A file beyond a limit is refused as soon as the limit is seen, before it is read whole:
an XLSX workbook's parts are measured in the zip directory, a sheet's size in its
``<dimension>`` element, and rows are counted while they are read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import ImportValidationError
from ..messages import row_error

__all__ = ["ReadLimits", "Deadline", "UPLOAD_LIMITS"]


@dataclass(frozen=True)
class ReadLimits:
    """What one import may hold.

    The defaults are for uploads to a shared server: ten times the size of the
    biggest member lists we have seen, and far below what slows a page.

    >>> ReadLimits().max_rows
    50000
    """

    #: bytes of one file as uploaded
    max_file_bytes: int = 10 * 1024 * 1024
    #: data rows of one table (one CSV or one sheet)
    max_rows: int = 50_000
    #: columns of one table
    max_columns: int = 60
    #: characters in one cell
    max_cell_chars: int = 2_000
    #: XLSX: the sum of its parts' sizes once unpacked
    max_unzipped_bytes: int = 100 * 1024 * 1024
    #: XLSX: unpacked size over packed size of a part above :attr:`ratio_from_bytes`
    #: (spreadsheet XML packs 5 to 30 times; a zip bomb, hundreds of times)
    max_zip_ratio: float = 100.0
    ratio_from_bytes: int = 1024 * 1024
    #: XLSX: sheets in one workbook
    max_sheets: int = 20
    #: wall time to read and check one upload, seconds
    max_seconds: float = 20.0


#: the limits the web front end uses unless configured otherwise
UPLOAD_LIMITS = ReadLimits()


class Deadline:
    """A wall-time budget shared by reading and checking one import; ``None`` seconds
    means no limit.

    >>> Deadline(None).check("x.csv")
    """

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def check(self, label: str) -> None:
        """Raise :class:`ImportValidationError` once the budget is spent."""
        if self.at is not None and time.monotonic() > self.at:
            raise ImportValidationError([row_error(label, 0, "file", "too_slow",
                                                   kind="too_slow", seconds_g=self.seconds)])
