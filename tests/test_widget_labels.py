"""Every slider, button and menu the lessons show has a text label (its ``description``): what it
changes or does is said in words beside it, for keyboard and screen-reader users too.

Checked three ways: ``widgets.slider`` refuses an empty description; every widget call in the
lessons and solutions (read with ``ast``, not run) passes a non-empty one; and the widget forms the
package builds (the playground, the quizzes) label every control. The browser test
(tests/browser/test_lab.py) checks the rendered labels in JupyterLab and moves a slider with the
keyboard.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ipywidgets as widgets
import nbformat
import pytest

from mlpcourse.widgets import slider

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*(REPO / "notebooks").glob("*.ipynb"), *(REPO / "solutions").glob("*.ipynb")])
# ipywidgets controls a student operates; each needs a description (its visible label)
CONTROLS = {"IntSlider", "FloatSlider", "FloatLogSlider", "SelectionSlider", "IntRangeSlider",
            "FloatRangeSlider", "Button", "ToggleButton", "Dropdown", "Checkbox", "ToggleButtons",
            "RadioButtons", "Text", "BoundedIntText", "BoundedFloatText", "IntText", "FloatText",
            "Play", "Select", "SelectMultiple"}
# controls whose visible text is not the description: options label each radio button and toggle
OWN_TEXT = {"RadioButtons", "ToggleButtons", "Select", "SelectMultiple"}


def test_slider_refuses_an_empty_description():
    for bad in ("", "   ", None):
        with pytest.raises(ValueError, match="description must be the slider's text label"):
            slider(1.0, 0.0, 2.0, 0.1, bad)
    assert slider(1.0, 0.0, 2.0, 0.1, "gain").description == "gain"


def _description(call: ast.Call, position: int | None):
    """The description argument of a call (keyword, or positional at ``position``), or None."""
    for keyword in call.keywords:
        if keyword.arg == "description":
            return keyword.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _says_something(node) -> bool:
    """A non-empty string literal, an f-string with text, or an expression (a variable: trusted)."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return any(not isinstance(v, ast.Constant) or str(v.value).strip() for v in node.values)
    return True


def unlabelled_calls(source: str) -> list[str]:
    """Widget-making calls in ``source`` without a description: slider(...) and widgets.X(...)."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "slider":
            label = _description(node, 4)
        elif isinstance(func, ast.Attribute) and name in CONTROLS - OWN_TEXT:
            label = _description(node, None)
        else:
            continue
        if not _says_something(label):
            problems.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return problems


def test_the_source_check_finds_unlabelled_controls():
    assert unlabelled_calls('x = slider(1, 0, 2, 0.1, "x₁")') == []
    assert unlabelled_calls('x = slider(1, 0, 2, description=f"w{i}")') == []
    assert len(unlabelled_calls("x = slider(1, 0, 2)")) == 1
    assert len(unlabelled_calls('b = widgets.Button(description="")')) == 1
    assert len(unlabelled_calls("d = widgets.Dropdown(options=[1, 2])")) == 1
    assert unlabelled_calls("r = widgets.RadioButtons(options=['a', 'b'])") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_control_in_the_lessons_has_a_label(path):
    notebook = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        code = "\n".join(line for line in cell.source.splitlines()
                         if not line.lstrip().startswith(("%", "!")))
        try:
            found = unlabelled_calls(code)
        except SyntaxError:  # an exercise stub; nothing to check there
            continue
        problems += [f"cell {index}, {p}" for p in found]
    assert not problems, f"{path.name}: controls without a text label:\n  " + "\n  ".join(problems)


def _controls(widget):
    """Every widget in a box tree, depth first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _controls(child)


def _unlabelled(root) -> list[str]:
    missing = []
    for control in _controls(root):
        kind = type(control).__name__
        if kind in CONTROLS - OWN_TEXT and not str(getattr(control, "description", "")).strip():
            missing.append(kind)
    return missing


def test_playground_and_quiz_controls_have_labels():
    from mlpcourse.playground import playground
    from mlpcourse.quiz import multiple_choice, numeric_question

    board = playground()
    kinds = [type(c).__name__ for c in _controls(board)]
    assert "Button" in kinds and any(k.endswith("Slider") for k in kinds)
    assert _unlabelled(board) == []
    one = multiple_choice("Which?", ["a", "b"], correct=0).widget()
    several = multiple_choice("Which ones?", ["a", "b", "c"], correct=[0, 2]).widget()
    number = numeric_question("How much?", 0.25).widget()
    assert any(isinstance(c, widgets.Text) for c in _controls(number))
    for form in (one, several, number):
        assert any(isinstance(c, widgets.Button) for c in _controls(form))
        assert _unlabelled(form) == []
    for control in _controls(one):
        if isinstance(control, widgets.RadioButtons):  # each option labels its own radio button
            assert all(str(option).strip() for option in control.options)
