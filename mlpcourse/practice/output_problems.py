"""Problems on the output layer: logits into softmax probabilities (lecture: "Softmax
function") and a loss on a tiny batch (lecture: "Step 2: Calculate the Loss").

Named ``softmax_problem`` and ``loss_problem`` so that they cannot be mistaken for the engine's
``softmax`` and ``loss``; their kinds (for :func:`generate`) are "softmax" and "loss".
"""

from __future__ import annotations

import numpy as np

from ..activations import softmax
from ..losses import loss as loss_value
from .answers import tolerance
from .draws import distinct, pick, problem_rng, tenths
from .problem import Ask, Problem, make
from .render import math_block, num, paren, table, vector


def softmax_problem(seed) -> Problem:
    """Logits into probabilities (lecture: "Softmax function"), the predicted class and/or the
    cross-entropy loss for a given label.

    Parameters
    ----------
    seed : int >= 0

    Returns
    -------
    Problem with answers "p" (array of shape (k,)) and "predicted" (class 1..k) and/or "loss";
    data "z" (logits, shape (k,)), "label" (1..k)
    """
    rng = problem_rng("softmax", seed)
    k = pick(rng, (3, 4))
    z = np.array(distinct(rng, 51, k)) / 10 - 2.0  # distinct logits in [-2, 3]: no ties
    label = int(rng.integers(k)) + 1
    p = softmax(z)
    mode = int(rng.integers(3))  # 0: predicted class, 1: loss, 2: both
    asks = [Ask("p", r"\hat y", r"the probabilities $\hat y = (\hat y_1, \dots, \hat y_"
                f"{k})$ as a list", p, 1e-3,
                "ŷ_j = e^(z_j) / Σ_i e^(z_i); the probabilities sum to 1.")]
    if mode != 1:
        asks.append(Ask("predicted", r"\text{predicted class}", "the predicted class $j$ "
                        f"(1 to {k})", int(np.argmax(p)) + 1))
    if mode != 0:
        value = loss_value(p[None, :], np.array([label - 1]), "cross_entropy")
        asks.append(Ask("loss", "L", f"the cross-entropy loss $L$ for the true class {label}",
                        value, tolerance(value), f"L = -ln ŷ_{label}: minus the log of the "
                        f"probability of the true class {label}."))
    body = (f"The output layer of a {k}-class network gives the logits "
            f"$z = {vector(z)}$. The softmax turns them into probabilities,\n\n"
            r"$$\hat y_j = \mathrm{softmax}(z)_j = \frac{e^{z_j}}{\sum_{i=1}^{" f"{k}" r"} "
            r"e^{z_i}}.$$" + (f"\n\nThe true class is {label}: the one-hot target has "
                              f"$y_{label} = 1$, and the cross-entropy is "
                              r"$L = -\sum_j y_j \ln \hat y_j$." if mode else ""))
    return make("softmax", f"practice.softmax_problem(seed={seed})", "Practice: softmax", body,
                asks, {"z": z, "label": label}, _solve_softmax, seed=seed)


def _solve_softmax(problem, digits) -> str:
    z, label = problem.data["z"], problem.data["label"]
    e = np.exp(z)
    f = f".{digits}f"
    lines = [rf"e^{{z_{j + 1}}} &= e^{{{num(v)}}} \approx {e[j]:{f}}" for j, v in enumerate(z)]
    lines.append(r"\textstyle\sum_i e^{z_i} &\approx " + " + ".join(f"{v:{f}}" for v in e)
                 + rf" = {e.sum():{f}}")
    lines += [rf"\hat y_{j + 1} &= \frac{{{e[j]:{f}}}}{{{e.sum():{f}}}} \approx "
              rf"{e[j] / e.sum():{f}}" for j in range(len(z))]
    text = ("Exponentiate each logit, add them up, divide (lecture: \"Softmax function\"):\n\n"
            + math_block(r"\begin{aligned}" + " \\\\\n".join(lines) + r"\end{aligned}"))
    if "predicted" in problem.answers:
        text += (f"\n\nThe predicted class is the largest probability (the largest logit, "
                 f"$z_{problem.answers['predicted']} = {num(z.max())}$): class "
                 f"{problem.answers['predicted']}.")
    if "loss" in problem.answers:
        p = e[label - 1] / e.sum()
        text += ("\n\nOnly the true class counts in the cross-entropy:\n\n"
                 + math_block(rf"L = -\ln \hat y_{label} = -\ln {p:{f}} \approx "
                              rf"{problem.answers['loss']:{f}}"))
    return text


# --- losses on a tiny batch -----------------------------------------------------------------------

def loss_problem(seed) -> Problem:
    """A loss on a tiny batch (lecture: "Step 2: Calculate the Loss"): mean squared error,
    binary cross-entropy or cross-entropy over m = 2 or 3 samples, as the engine averages them.

    Parameters
    ----------
    seed : int >= 0

    Returns
    -------
    Problem with answers "terms" (array of shape (m,), each sample's loss) and "L" (their mean);
    data "name", "y_hat" (shape (m, 1) or (m, 3)), "y" (shape (m, 1), or labels (m,) 0-based)
    """
    rng = problem_rng("loss", seed)
    name = pick(rng, ("mse", "binary_cross_entropy", "cross_entropy"))
    m = pick(rng, (2, 3))
    if name == "mse":
        y_hat, y = tenths(rng, -1, 2, (m, 1), False), tenths(rng, -1, 2, (m, 1), False)
        terms = ((y_hat - y) ** 2)[:, 0]
    elif name == "binary_cross_entropy":
        y_hat = rng.integers(1, 10, (m, 1)) / 10
        y = rng.integers(0, 2, (m, 1)).astype(float)
        terms = (-y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat))[:, 0]
    else:
        cut = np.sort(np.array([distinct(rng, 9, 2) for _ in range(m)]) + 1, axis=1)
        y_hat = np.diff(np.column_stack([np.zeros(m), cut, np.full(m, 10)]), axis=1) / 10
        y = rng.integers(0, 3, m)
        terms = -np.log(y_hat[np.arange(m), y])
    value = loss_value(y_hat, y, name)
    asks = [Ask("terms", r"\ell", r"each sample's loss $(\ell_1, \dots, \ell_" f"{m})$ as a "
                "list", terms, 1e-3, "Compute the loss of each sample on its own first."),
            Ask("L", "L", "the batch loss $L$ (the mean)", value, tolerance(value),
                "The engine averages over the samples: L = (ℓ_1 + ... + ℓ_m) / m.")]
    body = f"{_loss_body(name, y_hat, y)}\n\nThe batch loss is the mean over the {m} samples, " \
           r"$L = \frac{1}{m}\sum_{i=1}^{m} \ell_i$ (as `mc.loss` computes it)."
    return make("loss", f"practice.loss_problem(seed={seed})", "Practice: loss on a batch",
                body, asks, {"name": name, "y_hat": y_hat, "y": y}, _solve_loss, seed=seed)


def _loss_body(name, y_hat, y) -> str:
    """The givens of a loss problem: what the numbers are, the per-sample loss, the table."""
    rows = [(str(i + 1), *(num(v) for v in y_hat[i]),
             str(y[i] + 1) if name == "cross_entropy" else num(y[i, 0]))
            for i in range(len(y_hat))]
    if name == "cross_entropy":
        header = ["sample $i$", r"$\hat y_{i1}$", r"$\hat y_{i2}$", r"$\hat y_{i3}$",
                  "true class $c_i$"]
        text = ("A 3-class classifier (softmax output) gives each sample the probabilities "
                "$\\hat y_{i1}, \\hat y_{i2}, \\hat y_{i3}$. With one-hot targets the "
                "cross-entropy of sample $i$ is $\\ell_i = -\\sum_j y_{ij} \\ln \\hat y_{ij} "
                "= -\\ln \\hat y_{i,c_i}$, $c_i$ its true class.")
    elif name == "mse":
        header = ["sample $i$", r"$\hat y_i$", "$y_i$"]
        text = ("A regression network (one linear output) predicts $\\hat y_i$ for samples "
                "with targets $y_i$. Each sample's squared error is "
                "$\\ell_i = (\\hat y_i - y_i)^2$.")
    else:
        header = ["sample $i$", r"$\hat y_i$", "$y_i$"]
        text = ("A binary classifier (sigmoid output) gives the probabilities $\\hat y_i$ of "
                "class 1. Each sample's binary cross-entropy is $\\ell_i = -y_i \\ln \\hat y_i "
                "- (1 - y_i) \\ln(1 - \\hat y_i)$ (natural logarithm).")
    return text + "\n\n" + table(header, rows)


def _solve_loss(problem, digits) -> str:
    d, f = problem.data, f".{digits}f"
    y_hat, y, terms = d["y_hat"], d["y"], problem.answers["terms"]
    m = len(terms)
    lines = []
    for i in range(m):
        if d["name"] == "mse":
            rhs = rf"({num(y_hat[i, 0])} - {paren(y[i, 0])})^2"
        elif d["name"] == "binary_cross_entropy":
            rhs = (rf"-\ln {num(y_hat[i, 0])}" if y[i, 0] == 1
                   else rf"-\ln(1 - {num(y_hat[i, 0])})")
        else:
            rhs = rf"-\ln \hat y_{{{i + 1},{y[i] + 1}}} = -\ln {num(y_hat[i, y[i]])}"
        relation = "=" if np.isclose(terms[i], round(terms[i], digits), rtol=0, atol=1e-12) \
            else r"\approx"
        lines.append(rf"\ell_{i + 1} &= {rhs} {relation} {terms[i]:{f}}")
    lines.append(rf"L &= \tfrac{{1}}{{{m}}}\left(" + " + ".join(f"{t:{f}}" for t in terms)
                 + rf"\right) \approx {problem.answers['L']:{f}}")
    note = {"mse": "Each sample's squared error, then the mean:",
            "binary_cross_entropy": "For $y_i = 1$ only $-\\ln \\hat y_i$ is left, for "
                                    "$y_i = 0$ only $-\\ln(1 - \\hat y_i)$; then the mean:",
            "cross_entropy": "Only the probability of the true class counts; then the mean:"}
    return note[d["name"]] + "\n\n" + math_block(r"\begin{aligned}" + " \\\\\n".join(lines)
                                                 + r"\end{aligned}")
