"""Quiz questions: the grading functions (no widgets needed) and the widget/Markdown display."""

import math

import pytest

from mlpcourse import quiz

# --- grade_choice --------------------------------------------------------------------------------

def test_grade_choice_accepts_the_right_option_and_explains_it():
    feedback = quiz.grade_choice(1, 1, ["too simple", "adds non-linearity", "no"])
    assert feedback.correct and feedback.message == "Correct. (b) adds non-linearity"
    wrong = quiz.grade_choice(0, 1, ["too simple", "adds non-linearity", "no"])
    assert not wrong.correct and wrong.message == "Not yet. (a) too simple"


def test_grade_choice_with_several_right_options_needs_exactly_them():
    assert quiz.grade_choice({0, 2}, [2, 0], n_options=4).correct
    missing = quiz.grade_choice([0], [0, 2], n_options=4)
    assert not missing.correct and "1 right option missing" in missing.message
    extra = quiz.grade_choice([0, 1, 2, 3], [0, 2], n_options=4)
    assert not extra.correct and "2 chosen options are wrong" in extra.message


@pytest.mark.parametrize("nothing", [None, [], ()])
def test_grade_choice_asks_for_an_answer_first(nothing):
    feedback = quiz.grade_choice(nothing, 0, n_options=2)
    assert not feedback.correct and feedback.message == "Choose an answer first."


def test_grade_choice_rejects_impossible_indices():
    with pytest.raises(ValueError, match=r"selected must hold option indices 0..2; got 5"):
        quiz.grade_choice(5, 0, n_options=3)
    with pytest.raises(TypeError, match="correct must be an option index"):
        quiz.grade_choice(0, "a", n_options=3)


# --- grade_number --------------------------------------------------------------------------------

@pytest.mark.parametrize("given", [0.25, "0.25", " 0,2504 ", "1/4", "2.5e-1", "0.2491"])
def test_grade_number_accepts_answers_within_the_tolerance(given):
    feedback = quiz.grade_number(given, 0.25, tolerance=1e-3, explanation="σ'(0) = 1/4.")
    assert feedback.correct and feedback.message == "Correct: 0.2500. σ'(0) = 1/4."


def test_grade_number_gives_the_hint_for_a_wrong_answer():
    feedback = quiz.grade_number("0.26", 0.25, tolerance=1e-3, hint="Use y(1 - y).")
    assert not feedback.correct and feedback.message == "Not yet. Use y(1 - y)."


@pytest.mark.parametrize("given, message", [
    ("", "Type a number first."), (None, "Type a number first."),
    ("abc", "could not read 'abc' as a number"), ("1/0", "could not read '1/0' as a number"),
    ("inf", "inf is not a finite number"),
])
def test_grade_number_explains_unreadable_answers(given, message):
    feedback = quiz.grade_number(given, 0.25)
    assert not feedback.correct and message in feedback.message


def test_parse_number_reads_what_learners_type():
    assert quiz.parse_number("−0,5") == -0.5 and quiz.parse_number("3/8") == 0.375
    assert math.isclose(quiz.parse_number(" 1e-3 "), 0.001)


# --- question objects ----------------------------------------------------------------------------

def test_multiple_choice_renders_without_the_answer():
    q = quiz.multiple_choice("What is the chain rule used for?", ["gradients", "plots"], 0,
                             ["right", "no"])
    assert q.render_text() == "What is the chain rule used for?\n  (a) gradients\n  (b) plots"
    assert "**What is the chain rule used for?**" in q.render_markdown()
    assert "right" not in q.render_text() and q.check(0).correct and not q.check(1).correct


def test_several_right_options_say_choose_all():
    q = quiz.multiple_choice("Which are activations?", ["ReLU", "tanh", "MSE"], [0, 1])
    assert q.several and "(choose all that apply)" in q.render_text()
    assert q.check([0, 1]).correct and not q.check([0]).correct


def test_multiple_choice_checks_its_arguments():
    with pytest.raises(ValueError, match="options must list at least two answers"):
        quiz.multiple_choice("Q?", ["only"], 0)
    with pytest.raises(ValueError, match=r"explanations must hold one text per option \(2\)"):
        quiz.multiple_choice("Q?", ["a", "b"], 0, ["x"])
    with pytest.raises(ValueError, match="correct must hold option indices 0..1; got 2"):
        quiz.multiple_choice("Q?", ["a", "b"], 2)


def test_numeric_question_computes_its_answer_from_a_function():
    calls = []

    def answer():
        calls.append(1)
        return 0.7311

    q = quiz.numeric_question("σ(1)?", answer, tolerance=1e-3, hint="1 / (1 + e^-1)")
    assert calls == []  # nothing computed until the learner checks
    assert q.check("0.731").correct and q.answer == 0.7311
    assert q.check("0.74").message == "Not yet. 1 / (1 + e^-1)"
    assert q.render_text() == "σ(1)?\n  (answer to within ±0.001)"
    with pytest.raises(ValueError, match="tolerance must be a number >= 0"):
        quiz.numeric_question("Q?", 1.0, tolerance=-1)


def test_questions_display_a_widget_with_a_markdown_fallback():
    pytest.importorskip("ipywidgets")
    q = quiz.multiple_choice("Q?", ["a", "b"], 1)
    bundle = q._repr_mimebundle_()
    assert bundle["text/plain"] == q.render_text()
    assert bundle["text/markdown"] == q.render_markdown()
    assert "application/vnd.jupyter.widget-view+json" in bundle

    box = q.widget()
    radio, button, feedback = box.children[1], box.children[2], box.children[3]
    radio.index = 1
    button.click()
    assert "Correct." in feedback.value and "#009E73" in feedback.value

    n = quiz.numeric_question("x?", 2.0, tolerance=0.01, hint="think")
    nbox = n.widget()
    text, check = nbox.children[1].children
    text.value = "2.5"
    check.click()
    assert "Not yet. think" in nbox.children[2].value


def test_check_boxes_for_several_right_options():
    pytest.importorskip("ipywidgets")
    q = quiz.multiple_choice("Q?", ["a", "b", "c"], [0, 2])
    box = q.widget()
    boxes = box.children[1].children
    boxes[0].value, boxes[2].value = True, True
    box.children[2].click()
    assert "Correct." in box.children[3].value


def test_import_mlpcourse_quiz_does_not_import_ipywidgets():
    import subprocess
    import sys

    code = "import sys, mlpcourse.quiz; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
