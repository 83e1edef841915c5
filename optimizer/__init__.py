"""Optimisation of exchanges with OR-Tools (MathOpt, HiGHS): a :class:`Plan` from a problem."""

from ortools.util.python.solve_interrupter import SolveInterrupter

from .greedy import greedy_value
from .park import ParkPlan, plan_park
from .plans import optimise, problem_for
from .problem import Problem, build_problem, validate
from .solve import OBJECTIVES, VALUE_SCALE, build_model, components, frontier, propose_exchanges

__all__ = [
    "OBJECTIVES",
    "ParkPlan",
    "SolveInterrupter",
    "Problem",
    "VALUE_SCALE",
    "build_model",
    "build_problem",
    "components",
    "frontier",
    "greedy_value",
    "optimise",
    "plan_park",
    "problem_for",
    "propose_exchanges",
    "validate",
]
