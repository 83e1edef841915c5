"""Optimisation of exchanges with OR-Tools (MathOpt, HiGHS): a :class:`Plan` from a problem."""

from .greedy import greedy_value
from .problem import Problem, build_problem, validate
from .solve import OBJECTIVES, VALUE_SCALE, build_model, components, frontier, propose_exchanges

__all__ = [
    "OBJECTIVES",
    "Problem",
    "VALUE_SCALE",
    "build_model",
    "build_problem",
    "components",
    "frontier",
    "greedy_value",
    "propose_exchanges",
    "validate",
]
