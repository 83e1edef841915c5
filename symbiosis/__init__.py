"""symbiosis: industrial-symbiosis matchmaking.

Companies' waste and resource flows in, explained exchange candidates and optimised plans
out. The domain lives here; storage in :mod:`graph`, optimisation in :mod:`optimizer`, the
web front end in :mod:`web`.
"""

from .errors import ImportValidationError, RowError, SymbiosisError
from .matching import find_candidates, value_chains
from .model import Candidate, Company, Dataset, Exchange, Flow, Park, Plan, Process
from .taxonomy import Taxonomy, default_taxonomy, load_taxonomy

__all__ = [
    "Candidate",
    "Company",
    "Dataset",
    "Exchange",
    "Flow",
    "ImportValidationError",
    "Park",
    "Plan",
    "Process",
    "RowError",
    "SymbiosisError",
    "Taxonomy",
    "default_taxonomy",
    "find_candidates",
    "load_taxonomy",
    "value_chains",
]

__version__ = "0.1.0"
