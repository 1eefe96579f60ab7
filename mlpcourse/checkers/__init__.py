"""Checks for the exercise notebooks: ``check_<task>(student_function)`` returns a report that
says which cases ran and which passed (see :mod:`mlpcourse.checkers.core`)."""

from .core import Case, CheckReport, run_check
from .lesson03 import check_relu, check_sigmoid, check_sigmoid_prime, check_tanh_prime

__all__ = ["Case", "CheckReport", "check_relu", "check_sigmoid", "check_sigmoid_prime",
           "check_tanh_prime", "run_check"]
