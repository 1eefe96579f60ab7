"""Problems by kind, and problem sheets for a class: one problem per seed (e.g. per student
number), the questions or the lecturer's answer key."""

from __future__ import annotations

from .._validation import choice
from .graph_problems import chain_rule
from .network_problems import backprop_step, forward_pass
from .output_problems import loss_problem, softmax_problem
from .problem import Problem
from .render import MarkdownText, answer_plain, table

GENERATORS = {"forward_pass": forward_pass, "backprop_step": backprop_step,
              "softmax": softmax_problem, "loss": loss_problem, "chain_rule": chain_rule}


def generate(kind: str, seed) -> Problem:
    """The problem of ``kind`` (one of ``KINDS``) for ``seed``: ``generate("softmax", 7)`` is
    ``softmax_problem(7)``, ``generate("loss", 7)`` is ``loss_problem(7)``."""
    choice("kind", kind, GENERATORS)
    return GENERATORS[kind](seed)


def worksheet(kind: str, seeds, key: bool = False, digits: int = 4) -> MarkdownText:
    """A problem sheet for a class: one problem per seed (e.g. per student number).

    Parameters
    ----------
    kind : one of ``KINDS``
    seeds : iterable of ints
    key : False gives the questions only; True gives the lecturer's answer key instead (a table,
        one row per seed)
    digits : decimals of the key's numbers

    Returns
    -------
    MarkdownText (a str that a notebook shows as Markdown)
    """
    choice("kind", kind, GENERATORS)
    problems = [generate(kind, seed) for seed in seeds]
    if not problems:
        raise ValueError("seeds must hold at least one seed; got none")
    title = kind.replace("_", " ")
    if not key:
        return MarkdownText(f"## Practice sheet: {title}\n\n"
                            + "\n\n---\n\n".join(p.question for p in problems))
    names = list(problems[0].answers)  # a kind's answer names can differ between seeds
    for p in problems[1:]:
        names += [n for n in p.answers if n not in names]
    rows = [[str(p.seed), *(_key_cell(p, n, digits) for n in names)] for p in problems]
    return MarkdownText(f"## Answer key: {title}\n\n"
                        + table(["seed", *(f"`{n}`" for n in names)], rows))


def _key_cell(problem, name, digits) -> str:
    if name not in problem.answers:
        return ""
    if problem.kind == "chain_rule":
        return f"${problem.data['path_sum'].to_latex(lhs=False)}$"
    return answer_plain(problem, name, digits)
