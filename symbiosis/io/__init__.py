"""Import of companies, flows, processes and parks from CSV and XLSX.

Every bad row is reported with file, row and field; an import with any error writes nothing.
"""

from .checks import DEFAULT_COUNTRY
from .limits import UPLOAD_LIMITS, Deadline, ReadLimits
from .parse import ImportResult, Interpretation, parse_tables
from .tables import KINDS, Table, read_tables

__all__ = ["ImportResult", "Interpretation", "KINDS", "Table", "parse_tables", "read_tables",
           "load_files", "ReadLimits", "Deadline", "UPLOAD_LIMITS", "DEFAULT_COUNTRY"]


def load_files(paths, *, taxonomy=None, known_companies=(), known_flows=None, mapping=None):
    """Read and validate files in one step (see :func:`read_tables`, :func:`parse_tables`)."""
    return parse_tables(read_tables(paths), taxonomy=taxonomy,
                        known_companies=known_companies, known_flows=known_flows,
                        mapping=mapping)
