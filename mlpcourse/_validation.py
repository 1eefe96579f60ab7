"""Argument checks shared by the engine: every message names the argument, what was expected and
what was given, so a student can fix the call without reading the source."""

from __future__ import annotations

import numbers

import numpy as np


def describe(value) -> str:
    """A short description of ``value`` for error messages (type, and shape/dtype for arrays)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def choice(name: str, value, table) -> str:
    """Check that ``value`` is a key of ``table``; return it. Raises a ValueError listing keys."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {sorted(table)}; got {describe(value)}")
    if value not in table:
        raise ValueError(f"unknown {name} {value!r}; expected one of {sorted(table)}")
    return value


def as_array(name: str, value, *, ndim=None, dtype=None, finite=True) -> np.ndarray:
    """Convert ``value`` to a numeric numpy array and check its number of dimensions.

    Integer and boolean input becomes ``dtype`` (float64 by default); floating input keeps its
    own precision unless ``dtype`` is given, so float32 stays float32.
    """
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged nested lists and the like
        raise TypeError(f"{name} must be a numeric array; got {describe(value)}") from error
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise TypeError(f"{name} must be a numeric array; got {describe(value)}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, not complex; got {describe(array)}")
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    elif not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {wanted}; got {describe(array)}")
    if finite and not np.all(np.isfinite(array)):
        bad = np.size(array) - np.count_nonzero(np.isfinite(array))
        raise ValueError(f"{name} must contain only finite numbers; got {bad} NaN or inf values")
    return array


def positive_int(name: str, value) -> int:
    """Check that ``value`` is an integer >= 1 (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer; got {describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value}")
    return int(value)


def positive_float(name: str, value) -> float:
    """Check that ``value`` is a finite real number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number; got {describe(value)}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value}")
    return float(value)


def as_generator(rng) -> np.random.Generator:
    """Accept an int seed or a ``numpy.random.Generator`` (None: fresh OS entropy, never the global
    generator) and return a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be an int seed or a numpy.random.Generator; got {describe(rng)}"
    )
