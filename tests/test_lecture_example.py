"""The lecture's Example 3, reproduced exactly: 2-2-1 sigmoid network, x = (0.5, 0.1), y = 1,
binary cross-entropy, eta = 0.01.

Every intermediate value is recomputed here with plain ``math`` (independently of the engine) and
the engine must match it to full precision. ``PRINTED`` records what the lecture's slides print
for each value and whether it is right: the slides contain an arithmetic slip in the very first
step (z_1 = 0.25, z_2 = 0.41 instead of 0.24, 0.42) that propagates through everything after it,
and a few further slips of their own (z^(2) = 1.185, σ'(z_1) = 0.247, δ_1 = -0.0346, ∂L/∂w_11^(2)
= -0.131) that are wrong even given the slides' own earlier numbers.
"""

import math

import numpy as np
import pytest

import mlpcourse as mc


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


X1, X2, Y, ETA = 0.5, 0.1, 1.0, 0.01
W1 = [[0.2, 0.4], [0.3, 0.7]]
B1 = [0.1, 0.2]
W2 = [[0.6, 0.9]]
B2 = [0.3]

# Independent hand computation, step by step as on the slides.
Z11 = 0.2 * X1 + 0.4 * X2 + 0.1
Z12 = 0.3 * X1 + 0.7 * X2 + 0.2
A11, A12 = sigma(Z11), sigma(Z12)
Z2 = 0.6 * A11 + 0.9 * A12 + 0.3
Y_HAT = sigma(Z2)
LOSS = -Y * math.log(Y_HAT) - (1 - Y) * math.log(1 - Y_HAT)
D2 = Y_HAT - Y
SP1, SP2 = A11 * (1 - A11), A12 * (1 - A12)
D11, D12 = D2 * 0.6 * SP1, D2 * 0.9 * SP2
EXPECTED = {
    "z_1^(1)": Z11, "z_2^(1)": Z12, "a_1^(1)": A11, "a_2^(1)": A12, "z_1^(2)": Z2,
    "y_hat": Y_HAT, "L": LOSS, "delta^(2)": D2,
    "dL/dw_11^(2)": D2 * A11, "dL/dw_12^(2)": D2 * A12,
    "sigma'(z_1^(1))": SP1, "sigma'(z_2^(1))": SP2, "delta_1^(1)": D11, "delta_2^(1)": D12,
    "dL/dw_11^(1)": D11 * X1, "dL/dw_12^(1)": D11 * X2,
    "dL/dw_21^(1)": D12 * X1, "dL/dw_22^(1)": D12 * X2,
    "dL/db_1^(1)": D11, "dL/db_2^(1)": D12,
    "w_11^(2) new": 0.6 - ETA * D2 * A11, "w_12^(2) new": 0.9 - ETA * D2 * A12,
    "b_1^(2) new": 0.3 - ETA * D2,
    "w_11^(1) new": 0.2 - ETA * D11 * X1, "w_12^(1) new": 0.4 - ETA * D11 * X2,
    "w_21^(1) new": 0.3 - ETA * D12 * X1, "w_22^(1) new": 0.7 - ETA * D12 * X2,
    "b_1^(1) new": 0.1 - ETA * D11, "b_2^(1) new": 0.2 - ETA * D12,
}

# What the slides print (as text, keeping their digits), and the label: "right" when the
# correct value rounds to the printed digits; "slip" for an arithmetic (or formula) error made on
# that slide; "inherited" for a value computed correctly from the slides' own (already wrong)
# earlier numbers.
PRINTED = {
    "z_1^(1)": ("0.25", "slip (0.2*0.5 + 0.4*0.1 + 0.1 = 0.24)"),
    "z_2^(1)": ("0.41", "slip (0.3*0.5 + 0.7*0.1 + 0.2 = 0.42)"),
    "a_1^(1)": ("0.562", "inherited (sigma(0.25) = 0.562; sigma(0.24) = 0.560)"),
    "a_2^(1)": ("0.601", "inherited (sigma(0.41) = 0.601; sigma(0.42) = 0.603)"),
    "z_1^(2)": ("1.185", "slip (0.6*0.562 + 0.9*0.601 + 0.3 = 1.178, not 1.185)"),
    "y_hat": ("0.766", "inherited (sigma(1.185) = 0.766; correct 0.765)"),
    "L": ("0.267", "inherited (-ln 0.766 = 0.267; correct 0.268)"),
    "delta^(2)": ("-0.234", "inherited (0.766 - 1; correct -0.235)"),
    "dL/dw_11^(2)": ("-0.131", "slip (also inherited: -0.234*0.562 = -0.1315 rounds to "
                             "-0.132; correct -0.132 too, so the printed digit is off)"),
    "dL/dw_12^(2)": ("-0.141", "inherited (-0.234*0.601 = -0.141; correct -0.142)"),
    "sigma'(z_1^(1))": ("0.247", "slip (0.562*0.438 = 0.246, not 0.247)"),
    "sigma'(z_2^(1))": ("0.240", "inherited (0.601*0.399 = 0.240; correct 0.239)"),
    "delta_1^(1)": ("-0.0346", "slip (also inherited: -0.234*0.6*0.247 = -0.0347; "
                             "correct -0.0348)"),
    "delta_2^(1)": ("-0.0505", "inherited (correct -0.0507)"),
    "dL/dw_11^(1)": ("-0.0173", "inherited (correct -0.0174)"),
    "dL/dw_12^(1)": ("-0.00346", "inherited (correct -0.00348)"),
    "dL/dw_21^(1)": ("-0.0253", "right"),
    "dL/dw_22^(1)": ("-0.00505", "inherited (correct -0.00507)"),
    "dL/db_1^(1)": ("-0.0346", "inherited (correct -0.0348)"),
    "dL/db_2^(1)": ("-0.0505", "inherited (correct -0.0507)"),
    "w_11^(2) new": ("0.60131", "inherited (correct 0.60132)"),
    "w_12^(2) new": ("0.90141", "inherited (correct 0.90142)"),
    "b_1^(2) new": ("0.30234", "inherited (correct 0.30235)"),
    "w_11^(1) new": ("0.200173", "inherited (correct 0.200174)"),
    "w_12^(1) new": ("0.400035", "right"),
    "w_21^(1) new": ("0.300253", "right"),
    "w_22^(1) new": ("0.700051", "right"),
    "b_1^(1) new": ("0.100346", "inherited (correct 0.100348)"),
    "b_2^(1) new": ("0.200505", "inherited (correct 0.200507)"),
}


def decimals(printed: str) -> int:
    return len(printed.split(".")[1])


@pytest.fixture(scope="module")
def engine_values():
    net = mc.Network.from_weights(W=[W1, W2], b=[B1, B2], activations=["sigmoid", "sigmoid"])
    x = np.array([X1, X2])
    y_hat, cache = mc.forward(net, x)
    loss = mc.loss(y_hat, Y, "binary_cross_entropy")
    grads = mc.backward(net, cache, Y, loss="binary_cross_entropy")
    new = mc.update(net, grads, eta=ETA)
    sp = cache.a[1] * (1 - cache.a[1])
    return {
        "z_1^(1)": cache.z[1][0], "z_2^(1)": cache.z[1][1],
        "a_1^(1)": cache.a[1][0], "a_2^(1)": cache.a[1][1], "z_1^(2)": cache.z[2][0],
        "y_hat": y_hat[0], "L": loss, "delta^(2)": grads.delta[2][0],
        "dL/dw_11^(2)": grads.W[2][0, 0], "dL/dw_12^(2)": grads.W[2][0, 1],
        "sigma'(z_1^(1))": sp[0], "sigma'(z_2^(1))": sp[1],
        "delta_1^(1)": grads.delta[1][0], "delta_2^(1)": grads.delta[1][1],
        "dL/dw_11^(1)": grads.W[1][0, 0], "dL/dw_12^(1)": grads.W[1][0, 1],
        "dL/dw_21^(1)": grads.W[1][1, 0], "dL/dw_22^(1)": grads.W[1][1, 1],
        "dL/db_1^(1)": grads.b[1][0], "dL/db_2^(1)": grads.b[1][1],
        "w_11^(2) new": new.W[2][0, 0], "w_12^(2) new": new.W[2][0, 1],
        "b_1^(2) new": new.b[2][0],
        "w_11^(1) new": new.W[1][0, 0], "w_12^(1) new": new.W[1][0, 1],
        "w_21^(1) new": new.W[1][1, 0], "w_22^(1) new": new.W[1][1, 1],
        "b_1^(1) new": new.b[1][0], "b_2^(1) new": new.b[1][1],
    }


@pytest.mark.parametrize("name", list(EXPECTED))
def test_engine_reproduces_every_value_to_full_precision(engine_values, name):
    assert engine_values[name] == pytest.approx(EXPECTED[name], rel=1e-14, abs=1e-16)


@pytest.mark.parametrize("name", list(PRINTED))
def test_printed_values_are_checked(name):
    """A printed value is 'right' exactly when the correct value rounds to its digits."""
    printed, verdict = PRINTED[name]
    correct_rounded = round(EXPECTED[name], decimals(printed))
    assert (correct_rounded == pytest.approx(float(printed), abs=1e-12)) == (verdict == "right"), (
        f"{name}: printed {printed}, correct {EXPECTED[name]:.6g}, recorded verdict {verdict!r}"
    )


def test_every_printed_value_is_recorded():
    assert set(PRINTED) == set(EXPECTED)


def test_slips_on_the_slides_own_numbers():
    """The values marked 'slip' are wrong even given the slides' own earlier (rounded) numbers."""
    assert round(0.6 * 0.562 + 0.9 * 0.601 + 0.3, 3) == 1.178 != 1.185
    assert round(0.562 * (1 - 0.562), 3) == 0.246 != 0.247
    assert round(-0.234 * 0.562, 3) == -0.132 != -0.131
    assert round(-0.234 * 0.6 * 0.247, 4) == -0.0347 != -0.0346


def test_output_delta_is_y_hat_minus_y_while_dL_dy_hat_is_not():
    """The slides call ŷ - y "the derivative of the loss with respect to the output"; it is the
    derivative with respect to z^(2). dL/dŷ = (ŷ - y) / (ŷ (1 - ŷ))."""
    dL_dy_hat = mc.loss_gradient(np.array([Y_HAT]), Y, "bce")[0]
    assert dL_dy_hat == pytest.approx((Y_HAT - Y) / (Y_HAT * (1 - Y_HAT)), rel=1e-12)
    assert dL_dy_hat != pytest.approx(Y_HAT - Y, rel=0.1)
    assert dL_dy_hat * Y_HAT * (1 - Y_HAT) == pytest.approx(D2, rel=1e-12)


def test_gradient_check_on_the_example():
    net = mc.Network.from_weights(W=[W1, W2], b=[B1, B2], activations=["sigmoid", "sigmoid"])
    assert mc.gradient_check(net, [X1, X2], Y, loss="bce") < 1e-8


def test_the_lessons_comparison_table_agrees_with_this_one():
    """Lesson 5 shows mlpcourse.trace's table of printed vs correct values: the same verdicts."""
    from mlpcourse import trace

    rows = trace.lecture_comparison()
    right_there = sorted(r.printed for r in rows if r.verdict == "right")
    right_here = sorted(printed for printed, verdict in PRINTED.values() if verdict == "right")
    assert right_there == right_here
    by_symbol = {trace.plain(r.symbol): r for r in rows}
    for name, (printed, label) in PRINTED.items():
        symbol = (name.replace(" new", "").replace("y_hat", "ŷ").replace("delta", "δ")
                  .replace("sigma", "σ"))
        row = by_symbol[symbol]
        assert (row.printed, row.verdict) == (printed, label.split(" ")[0]), name
