"""Optimisation of exchanges with OR-Tools (MathOpt, HiGHS): a :class:`Plan` from a problem."""

from ortools.util.python.solve_interrupter import SolveInterrupter

from .conditional import Conditional, conditional_analysis
from .greedy import greedy_value
from .park import ParkPlan, plan_park
from .plans import optimise, problem_for
from .problem import FACTS, Problem, build_problem, validate
from .solve import OBJECTIVES, VALUE_SCALE, build_model, components, frontier, propose_exchanges

__all__ = [
    "FACTS",
    "OBJECTIVES",
    "Conditional",
    "ParkPlan",
    "SolveInterrupter",
    "Problem",
    "VALUE_SCALE",
    "build_model",
    "build_problem",
    "components",
    "conditional_analysis",
    "frontier",
    "greedy_value",
    "optimise",
    "plan_park",
    "problem_for",
    "propose_exchanges",
    "validate",
]
