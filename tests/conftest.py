"""Test set-up: hypothesis runs derandomised (the same examples on every run, so CI never
flakes) and without a deadline (a shared 2-core machine has slow moments)."""

from hypothesis import settings

settings.register_profile("course", derandomize=True, deadline=None, max_examples=60)
settings.load_profile("course")
