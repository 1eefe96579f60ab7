"""The course's colours stay apart for students with a colour-vision deficiency.

Every pair of colours that a plot draws together (the roles of ``plots.style.COLORS``, the first
class colours, the activations' own colours in the vanishing-gradient plots) is simulated as seen
with protanopia, deuteranopia and tritanopia (full dichromacy, the severest form of each), and the
two simulated colours must keep a CIEDE2000 difference of at least ``MIN_DELTA_E``.

Simulation: ColorAide (maintained, pure Python, no dependencies): Viénot et al. (1999) and
Machado et al. (2009) for protanopia and deuteranopia, Brettel et al. (1997) for tritanopia
(Machado's model is not meant for tritans). colorspacious and DaltonLens-Python do the same but have
not been released since 2018 and 2021.

Threshold: a CIEDE2000 difference of about 1 is just noticeable for large patches side by side;
plots show thin lines and small markers, for which the noticeable difference grows several-fold
(Szafir 2018, "Modeling Color Difference for Visualization Design"). 10 keeps a wide margin over
that and is met by the Okabe-Ito pairs the course uses together; the test below shows it catches
matplotlib's default red/green, which deuteranopes cannot tell apart.
"""

from __future__ import annotations

from itertools import combinations

from coloraide import Color  # the dev extra: never skipped

from mlpcourse.activations import ACTIVATIONS
from mlpcourse.plots.style import COLORS

MIN_DELTA_E = 10.0
# (deficiency, simulation model); None: normal colour vision
VISIONS = [(None, None), ("protan", "vienot"), ("protan", "machado"), ("deutan", "vienot"),
           ("deutan", "machado"), ("tritan", "brettel")]
# how many class colours a plot shows at most, coloured by class alone (decision regions and
# scatter of the multi-class data sets, the paths of lesson 8's graph, the hidden units' lines);
# plots with more classes (bar charts of ten classes) name each bar on the axis
CLASSES_TOGETHER = 6
# roles drawn in the same plot (where)
ROLE_PAIRS = [
    ("positive", "negative"),      # class 1 / class 0, positive / negative weights
    ("positive", "neutral"),       # network diagram: weights > 0 and = 0; perceptron targets
    ("negative", "neutral"),       # idem; activations' saturation histogram (active / saturated)
    ("train", "validation"),       # loss curves
    ("train", "highlight"),        # loss curves and the best epoch
    ("validation", "highlight"),
    ("train", "neutral"),          # loss curves and the stopped epoch
    ("validation", "neutral"),
    ("function", "derivative"),    # activation and its derivative
    ("function", "highlight"),     # loss curve and the descent path
    ("derivative", "highlight"),   # tangent and descent path
    ("derivative", "neutral"),     # saturation histogram and g'(z)
    ("derivative", "negative"),
]


def seen(color: str, deficiency: str | None, model: str | None) -> Color:
    """The sRGB colour as a dichromat of that kind sees it (full severity)."""
    simulated = Color(color)
    if deficiency is not None:
        simulated = simulated.filter(deficiency, method=model)
    return simulated.convert("srgb").fit()


def closest(a: str, b: str) -> tuple[float, str]:
    """Smallest CIEDE2000 difference of two colours over the visions, and which vision it is."""
    return min((seen(a, d, m).delta_e(seen(b, d, m), method="2000"), f"{d or 'normal'}/{m}")
               for d, m in VISIONS)


def too_close(pairs) -> list[str]:
    problems = []
    for name_a, a, name_b, b in pairs:
        delta, vision = closest(a, b)
        if delta < MIN_DELTA_E:
            problems.append(f"{name_a} {a} vs {name_b} {b}: ΔE00 {delta:.1f} ({vision})")
    return problems


def test_the_check_catches_red_green_and_passes_blue_orange():
    delta, vision = closest("#d62728", "#2ca02c")  # matplotlib's tab:red and tab:green
    assert delta < MIN_DELTA_E and vision.startswith(("protan", "deutan")), (delta, vision)
    assert closest("#d62728", "#2ca02c")[0] < seen("#d62728", None, None).delta_e(
        "#2ca02c", method="2000") / 3
    assert closest("#0072B2", "#E69F00")[0] > 2 * MIN_DELTA_E
    # the simulation is the published one: pure red is seen dark and yellowish by a protanope
    red = seen("#ff0000", "protan", "machado")
    assert red.convert("srgb")["red"] < 0.5 and abs(red["red"] - red["green"]) < 0.2


def test_role_pairs_stay_apart_under_colour_vision_deficiencies():
    pairs = [(a, COLORS[a], b, COLORS[b]) for a, b in ROLE_PAIRS]
    problems = too_close(pairs)
    assert not problems, "colour roles too close:\n  " + "\n  ".join(problems)


def test_class_colours_drawn_together_stay_apart():
    classes = COLORS["classes"][:CLASSES_TOGETHER]
    assert len(set(classes)) == CLASSES_TOGETHER
    pairs = [(f"class {i}", classes[i], f"class {j}", classes[j])
             for i, j in combinations(range(CLASSES_TOGETHER), 2)]
    problems = too_close(pairs)
    assert not problems, "class colours too close:\n  " + "\n  ".join(problems)


def test_activation_colours_drawn_together_stay_apart():
    """The hidden-layer activations share the vanishing-gradient plots (one curve each)."""
    hidden = {name: act.color for name, act in ACTIVATIONS.items() if act.hidden}
    assert len(hidden) >= 2
    pairs = [(a, hidden[a], b, hidden[b]) for a, b in combinations(hidden, 2)]
    problems = too_close(pairs)
    assert not problems, "activation colours too close:\n  " + "\n  ".join(problems)
