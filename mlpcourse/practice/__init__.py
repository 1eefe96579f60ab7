"""Practice problems drawn from a seed (lecture: the Quiz, Q1, Problem 3 and Example 3).

``practice.forward_pass(seed)`` and its siblings return a :class:`Problem`: a small network (or
logits, or a batch of predictions, or a graph) drawn from the seed, a question in the lecture's
notation, a checker for the student's answers and a worked solution on request. The same seed
gives the same problem (with the same numpy version), so a lecturer can give each student their
own, e.g. ``practice.forward_pass(seed=student_number)``.

Given numbers have one decimal, so that the problems can be done by hand; the expected answers are
computed by the engine (``forward``, ``backward``, ``update``, ``loss``, ``GraphNetwork``), never
typed. Only numpy is imported here; sympy for the chain rule. The pictures (:meth:`Problem.draw`,
:func:`draw_live`) are :mod:`mlpcourse.plots.practice`.

Where things are:

- ``network_problems``: ``forward_pass``, ``backprop_step``, ``lecture_q1`` (a small network)
- ``output_problems``: ``softmax_problem``, ``loss_problem`` (the output layer)
- ``graph_problems``: ``chain_rule`` (a graph, the path sum)
- ``sheets``: ``generate(kind, seed)``, ``worksheet`` (a class's sheets and answer key)
- ``problem``: :class:`Problem` and ``make`` (the question's "Find:" table)
- ``answers``: grading (numbers, arrays, classes, chain-rule expressions: ``parse_path_sum``)
- ``render``: the text (numbers, the network table, activations from ``ACTIVATIONS``)
- ``draws``: the seeded numbers (``KINDS``)
"""

from .answers import CheckResult, parse_path_sum
from .draws import KINDS
from .graph_problems import chain_rule
from .network_problems import HIDDEN, SIZES, backprop_step, forward_pass, lecture_q1
from .output_problems import loss_problem, softmax_problem
from .problem import Problem, draw_live
from .render import MarkdownText
from .sheets import generate, worksheet

# old generator names -> (new name, the engine function the old name was confused with)
_RENAMED = {"softmax": ("softmax_problem", "mc.activations.softmax"),
            "loss": ("loss_problem", "mc.loss")}


def __getattr__(name):
    if name in _RENAMED:
        new, engine = _RENAMED[name]
        raise AttributeError(f"practice.{name} was renamed practice.{new} (or use "
                             f"practice.generate({name!r}, seed)), so that it is not confused "
                             f"with the engine's {engine}")
    raise AttributeError(f"module 'mlpcourse.practice' has no attribute {name!r}")


__all__ = ["HIDDEN", "KINDS", "SIZES", "CheckResult", "MarkdownText", "Problem", "backprop_step",
           "chain_rule", "draw_live", "forward_pass", "generate", "lecture_q1", "loss_problem",
           "parse_path_sum", "softmax_problem", "worksheet"]
