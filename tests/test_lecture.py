"""Tests for mlpcourse.lecture: every number the lecture prints for Example 3 against the correct
value, and the verdict rule (slip, inherited, right). Expected values are computed with plain
``math`` in tests/test_trace.py's ``example3_by_hand``."""

import math

import pytest
from test_trace import example3_by_hand, sigma

from mlpcourse import lecture, trace
from mlpcourse.trace import plain


@pytest.fixture(scope="module")
def comparison():
    return {plain(r.symbol): r for r in lecture.lecture_comparison()}


def test_comparison_covers_every_printed_number(comparison):
    assert len(comparison) == 30  # 21 numbers of Steps 1-3 (L and dL/dŷ included), 9 updates
    assert all(r.verdict in lecture.VERDICTS for r in comparison.values())
    expected = example3_by_hand()
    for r in lecture.lecture_comparison():
        if r.symbol in expected:
            assert r.correct == pytest.approx(expected[r.symbol], rel=1e-13)
        assert r.difference == pytest.approx(abs(float(r.printed) - r.correct))


def test_comparison_flags_the_known_slips(comparison):
    z1, z2 = comparison["z_1^(1)"], comparison["z_2^(1)"]
    assert (z1.printed, z1.verdict) == ("0.25", "slip")
    assert z1.own == pytest.approx(0.24) and "slip" in z1.cause
    assert (z2.printed, z2.verdict) == ("0.41", "slip") and z2.own == pytest.approx(0.42)
    # 0.6 * 0.562 + 0.9 * 0.601 + 0.3 = 1.1781, which the lecture prints as 1.185
    z = comparison["z_1^(2)"]
    assert z.own == pytest.approx(0.6 * 0.562 + 0.9 * 0.601 + 0.3) and z.verdict == "slip"
    assert "carries the error of a_1^(1), a_2^(1)" in z.cause  # a slip on inherited inputs
    # σ'(z_1) = 0.562 * 0.438 = 0.2462, printed 0.247
    assert comparison["σ'(z_1^(1))"].verdict == "slip"
    assert "0.24616" in comparison["σ'(z_1^(1))"].cause
    # the formula slip: ŷ - y is dL/dz, not dL/dŷ
    dy = comparison["dL/dŷ"]
    assert dy.verdict == "slip" and "wrong formula" in dy.cause
    assert dy.correct == pytest.approx(-1 / example3_by_hand()["\\hat{y}"])


def test_comparison_propagated_errors_and_right_values(comparison):
    a1 = comparison["a_1^(1)"]
    assert a1.verdict == "inherited" and a1.own == pytest.approx(sigma(0.25))
    assert a1.cause == "carries the error of z_1^(1)"
    assert comparison["ŷ"].cause == "carries the error of z_1^(2)"
    assert comparison["L"].own == pytest.approx(-math.log(0.766))  # natural log
    right = {k for k, r in comparison.items() if r.verdict == "right"}
    assert right == {"dL/dw_21^(1)", "w_12^(1)", "w_21^(1)", "w_22^(1)"}
    slips = {k for k, r in comparison.items() if r.verdict == "slip"}
    assert slips == {"z_1^(1)", "z_2^(1)", "z_1^(2)", "dL/dŷ", "dL/dw_11^(2)", "σ'(z_1^(1))",
                     "δ_1^(1)"}
    assert all(r.verdict == "inherited" and r.cause.startswith("carries the error of ")
               for k, r in comparison.items() if k not in right | slips)


def test_verdict_rule():
    # printed 0.562 for 0.56218: right; 0.563 is not, and the label says whose fault that is
    assert lecture.verdict("0.562", 0.56218, own=0.56218) == "right"
    assert lecture.verdict("0.563", 0.56218, own=0.5626) == "inherited"  # its inputs give 0.563
    assert lecture.verdict("0.563", 0.56218, own=0.5621) == "slip"  # its inputs give 0.562
    assert lecture.verdict("0.565", 0.56218, own=0.565) == "inherited"  # three units, all inherited
    assert lecture.verdict("0.565", 0.56218, own=0.56218) == "slip"
    assert lecture.verdict("0.0005", 0.00054, own=0.00054) == "right"  # exactly half a unit
    assert lecture.verdict("0.0005", 0.00056, own=0.00056) == "slip"  # just over half a unit
    assert lecture.VERDICTS == ("slip", "inherited", "right")


def test_cause_of_an_error_from_rounding_alone():
    assert lecture._cause("z", "0.563", 0.5626, "inherited", []) == \
        "computed from rounded earlier numbers"
    assert lecture._cause("z", "0.563", 0.56218, "right", []) == ""


def test_comparison_table_is_plain_text(comparison):
    table = lecture.comparison_table()
    lines = table.splitlines()
    assert len(lines) == 31
    assert lines[0].split()[:5] == ["quantity", "lecture", "correct", "|diff|", "verdict"]
    assert "z_1^(1)" in lines[1] and "0.25" in lines[1] and "0.2400" in lines[1]
    assert all(line == line.rstrip() for line in lines)


def test_trace_still_offers_the_lecture_names():
    # notebooks and checkers call trace.lecture_comparison(), trace.VERDICTS, ...
    for name in lecture.__all__:
        assert getattr(trace, name) is getattr(lecture, name)
    with pytest.raises(AttributeError, match="no_such_name"):
        trace.no_such_name  # noqa: B018
