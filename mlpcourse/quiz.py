"""Small interactive questions for the lessons (lecture: the Quiz slides).

``multiple_choice`` and ``numeric_question`` return a question object. As the last expression of a
cell it shows an ipywidgets form with a Check button and feedback; pages without a kernel (GitHub,
nbviewer, a static site) show its Markdown text instead. The grading itself is in the plain
functions ``grade_choice`` and ``grade_number``, which need no widgets. ipywidgets is imported only
when a widget is built.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validation import describe

LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``correct`` and a message for the learner."""

    correct: bool
    message: str

    def __str__(self) -> str:
        return self.message


def _indices(name, value, n_options):
    """A set of option indices from an int or a collection of ints, each in range(n_options)."""
    items = [value] if isinstance(value, numbers.Integral) else value
    if isinstance(items, str) or not hasattr(items, "__iter__"):
        raise TypeError(f"{name} must be an option index or a collection of indices; got "
                        f"{describe(value)}")
    items = list(items)
    for i in items:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < n_options:
            raise ValueError(f"{name} must hold option indices 0..{n_options - 1}; got {i!r}")
    return set(int(i) for i in items)


def grade_choice(selected, correct, explanations=None, n_options=None) -> Feedback:
    """Grade a multiple-choice answer.

    Parameters
    ----------
    selected : index of the chosen option, a collection of indices (several may be right), or
        None (nothing chosen yet)
    correct : index of the right option, or a collection of the right indices
    explanations : optional list with one explanation per option; those of the chosen options
        are added to the message
    n_options : number of options (default: len(explanations), else large enough for the indices)

    Returns
    -------
    Feedback: correct when exactly the right options are chosen
    """
    if n_options is None:
        n_options = len(explanations) if explanations is not None else 10**6
    right = _indices("correct", correct, n_options)
    if selected is None or (not isinstance(selected, numbers.Integral) and len(selected) == 0):
        return Feedback(False, "Choose an answer first.")
    chosen = _indices("selected", selected, n_options)
    notes = [f"({LETTERS[i]}) {explanations[i]}" for i in sorted(chosen)
             if explanations is not None and explanations[i]]
    if chosen == right:
        head = "Correct."
    elif len(right) == 1:
        head = "Not yet."
    else:
        missing, wrong = len(right - chosen), len(chosen - right)
        parts = [f"{n} right option{'s' if n > 1 else ''} missing" for n in [missing] if n] + \
                [f"{n} chosen option{'s are' if n > 1 else ' is'} wrong" for n in [wrong] if n]
        head = f"Not yet: {' and '.join(parts)}."
    return Feedback(chosen == right, " ".join([head, *notes]))


def parse_number(text) -> float:
    """A number typed by a learner: "0.25", " -1,5 " (decimal comma), "1/4" or "1e-3"."""
    if isinstance(text, numbers.Real) and not isinstance(text, bool):
        return float(text)
    if not isinstance(text, str):
        raise TypeError(f"an answer must be a number or text; got {describe(text)}")
    cleaned = text.strip().replace(",", ".").replace("−", "-")
    try:
        if cleaned.count("/") == 1:
            top, bottom = cleaned.split("/")
            return float(top) / float(bottom)
        return float(cleaned)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"could not read {text!r} as a number") from None


def grade_number(given, answer, tolerance=1e-3, hint=None, explanation=None) -> Feedback:
    """Grade a numeric answer: correct when |given - answer| <= tolerance.

    Parameters
    ----------
    given : the learner's answer, a number or text (see :func:`parse_number`)
    answer : the right value
    tolerance : largest accepted absolute error (answers rounded to 3 decimals pass 1e-3)
    hint : text shown with a wrong answer
    explanation : text shown with a right answer

    Returns
    -------
    Feedback
    """
    if given is None or (isinstance(given, str) and not given.strip()):
        return Feedback(False, "Type a number first.")
    try:
        value = parse_number(given)
    except ValueError as error:
        return Feedback(False, f"{error}; type a decimal number such as 0.25.")
    if not np.isfinite(value):
        return Feedback(False, f"{value} is not a finite number.")
    if abs(value - float(answer)) <= tolerance:
        return Feedback(True, " ".join(["Correct:", f"{float(answer):.4f}.", explanation or ""])
                        .strip())
    return Feedback(False, " ".join(["Not yet.", hint or ""]).strip())


# --- question objects -----------------------------------------------------------------------------

def _feedback_html(feedback: Feedback) -> str:
    color = "#009E73" if feedback.correct else "#D55E00"
    return f'<span style="color:{color}">{html.escape(feedback.message)}</span>'


class _Question:
    """Display logic shared by the questions: a widget in a live notebook, Markdown elsewhere."""

    def widget(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def render_markdown(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget()._repr_mimebundle_()
        bundle["text/plain"] = self.render_text()
        bundle["text/markdown"] = self.render_markdown()
        return bundle


@dataclass(frozen=True)
class MultipleChoice(_Question):
    """A multiple-choice question (see :func:`multiple_choice`)."""

    question: str
    options: tuple
    correct: frozenset
    explanations: tuple | None = None

    @property
    def several(self) -> bool:
        """True when more than one option is right (check boxes instead of radio buttons)."""
        return len(self.correct) > 1

    def check(self, selected) -> Feedback:
        """Grade ``selected`` (an index or a collection of indices)."""
        return grade_choice(selected, self.correct, self.explanations, len(self.options))

    def render_text(self) -> str:
        """The question and its options as plain text (no answer)."""
        note = " (choose all that apply)" if self.several else ""
        lines = [self.question + note]
        lines += [f"  ({LETTERS[i]}) {option}" for i, option in enumerate(self.options)]
        return "\n".join(lines)

    def render_markdown(self) -> str:
        """The question as Markdown, for pages shown without a kernel."""
        note = " *(choose all that apply)*" if self.several else ""
        items = [f"- ({LETTERS[i]}) {option}" for i, option in enumerate(self.options)]
        return "\n".join([f"**{self.question}**{note}", "", *items])

    def widget(self):
        """An ipywidgets VBox: the question, radio buttons or check boxes, Check, feedback."""
        import ipywidgets as widgets

        labels = [f"({LETTERS[i]}) {o}" for i, o in enumerate(self.options)]
        layout = widgets.Layout(width="auto")
        if self.several:
            boxes = [widgets.Checkbox(value=False, description=label, indent=False, layout=layout)
                     for label in labels]
            chooser = widgets.VBox(boxes)

            def selected():
                return [i for i, box in enumerate(boxes) if box.value]
        else:
            chooser = widgets.RadioButtons(options=labels, value=None, layout=layout)

            def selected():
                return chooser.index

        button = widgets.Button(description="Check", button_style="primary")
        feedback = widgets.HTML()

        def on_click(_):
            feedback.value = _feedback_html(self.check(selected()))

        button.on_click(on_click)
        note = " <i>(choose all that apply)</i>" if self.several else ""
        return widgets.VBox([widgets.HTMLMath(f"<b>{self.question}</b>{note}"), chooser,
                             button, feedback])


def multiple_choice(question, options, correct, explanations=None) -> MultipleChoice:
    """A multiple-choice question with a Check button and feedback.

    Parameters
    ----------
    question : str (may contain $...$ LaTeX)
    options : list of option texts
    correct : index of the right option, or a collection of indices if several are right
    explanations : optional list of one explanation per option, shown for the chosen options

    Returns
    -------
    MultipleChoice: shows a widget when displayed; ``.check(i)``, ``.render_text()``
    """
    if isinstance(options, str) or not hasattr(options, "__len__") or len(options) < 2:
        raise ValueError(f"options must list at least two answers; got {describe(options)}")
    options = tuple(str(o) for o in options)
    right = frozenset(_indices("correct", correct, len(options)))
    if not right:
        raise ValueError("correct must name at least one option")
    if explanations is not None:
        explanations = tuple(explanations)
        if len(explanations) != len(options):
            raise ValueError(f"explanations must hold one text per option ({len(options)}); "
                             f"got {len(explanations)}")
    return MultipleChoice(str(question), options, right, explanations)


@dataclass(frozen=True)
class NumericQuestion(_Question):
    """A question with a numeric answer (see :func:`numeric_question`)."""

    question: str
    answer_source: float | Callable = field(repr=False)
    tolerance: float = 1e-3
    hint: str | None = None
    explanation: str | None = None

    @property
    def answer(self) -> float:
        """The right value (computed now if the question was given a function)."""
        value = self.answer_source() if callable(self.answer_source) else self.answer_source
        return float(np.asarray(value, dtype=float).reshape(()))

    def check(self, given) -> Feedback:
        """Grade ``given`` (a number or text such as "0.25")."""
        return grade_number(given, self.answer, self.tolerance, self.hint, self.explanation)

    def render_text(self) -> str:
        """The question as plain text (no answer)."""
        return f"{self.question}\n  (answer to within ±{self.tolerance:g})"

    def render_markdown(self) -> str:
        """The question as Markdown, for pages shown without a kernel."""
        return f"**{self.question}** *(answer to within ±{self.tolerance:g})*"

    def widget(self):
        """An ipywidgets VBox: the question, a text box, Check, feedback."""
        import ipywidgets as widgets

        box = widgets.Text(description="Your answer", placeholder="a number, e.g. 0.25",
                           style={"description_width": "initial"},
                           layout=widgets.Layout(width="260px"))
        button = widgets.Button(description="Check", button_style="primary")
        feedback = widgets.HTML()

        def on_check(_):
            feedback.value = _feedback_html(self.check(box.value))

        button.on_click(on_check)
        return widgets.VBox([widgets.HTMLMath(f"<b>{self.question}</b>"),
                             widgets.HBox([box, button]), feedback])


def numeric_question(question, answer, tolerance=1e-3, hint=None,
                     explanation=None) -> NumericQuestion:
    """A question answered by a number, with a Check button and feedback.

    Parameters
    ----------
    question : str (may contain $...$ LaTeX)
    answer : the right value, or a function of no arguments computing it (so the lesson's code,
        not a typed number, is the reference)
    tolerance : largest accepted absolute error
    hint : shown after a wrong answer
    explanation : shown after a right answer

    Returns
    -------
    NumericQuestion: shows a widget when displayed; ``.check(value)``, ``.render_text()``
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) or tolerance < 0:
        raise ValueError(f"tolerance must be a number >= 0; got {describe(tolerance)}")
    if not callable(answer):
        answer = parse_number(answer)
    return NumericQuestion(str(question), answer, float(tolerance), hint, explanation)
