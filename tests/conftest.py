"""Test set-up: hypothesis runs derandomised (the same examples on every run, so CI never
flakes) and without a deadline (a shared 2-core machine has slow moments); every test that drew
with pyplot has its figures closed afterwards."""

import sys

import pytest
from hypothesis import settings

settings.register_profile("course", derandomize=True, deadline=None, max_examples=60)
settings.load_profile("course")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")  # tests that never drew do not import it
    if pyplot is not None:
        pyplot.close("all")
