"""What crosses from the student's kernel back to the grader: a safe, size-capped encoding.

The kernel is untrusted, so its results travel as JSON (never pickle). :func:`encode` runs in the
kernel and turns a return value into plain JSON data; :func:`decode` runs in the grader and
rebuilds only whitelisted types:

- None, bool, int (at most 4300 digits), float (nan and inf included), str (capped);
- list, tuple, set, frozenset, dict (keys of the types here);
- numpy arrays of bool, integer or float dtype, as base64 ``.npy`` bytes loaded with
  ``allow_pickle=False``, and numpy scalars of those dtypes;
- the course's objects (``Network``, ``Gradients``, ``History`` or anything else with such
  attributes) as :class:`Returned`: their type name and their plain attributes (``W``, ``b``,
  ``delta``, ``activations``, ...), or a real ``Network`` when those rebuild one;
- the markers :class:`~mlpcourse.checkers.core.Warned` and
  :class:`~mlpcourse.checkers.core.Modified`;
- anything else as :class:`Returned` with its type name only.

Everything else (a node count, nesting depth, string length or array size above the caps) fails
:func:`decode` with :class:`WireError`.
"""

from __future__ import annotations

import base64
import io
import math
import re

import numpy as np

MAX_NODES = 200_000       # values in one result
MAX_DEPTH = 32            # nesting of lists, tuples, dicts
MAX_STRING = 20_000       # characters of one string
MAX_ARRAY_BYTES = 16 * 2**20
ATTRIBUTES = ("W", "b", "delta", "activations", "train_loss", "val_loss", "stopped_epoch",
              "best_epoch", "sizes")
_DTYPES = "biuf"          # numpy dtype kinds that may come back
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class WireError(ValueError):
    """A result that is not valid data in this encoding (or exceeds its caps)."""


class Returned:
    """A returned object the grader does not rebuild: its type name and plain attributes."""

    def __init__(self, type_name: str, attributes: dict):
        self.type_name = type_name
        for key, value in attributes.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        return f"<returned {self.type_name}>"


def _returned_type(name: str) -> type:
    """A subclass of :class:`Returned` named like the student's type (messages say "a Foo")."""
    return type(name, (Returned,), {})


# ---------------------------------------------------------------- kernel side


def _array(value: np.ndarray) -> dict:
    if value.dtype.kind not in _DTYPES:
        if value.dtype.kind == "O" and value.size <= 10_000:
            return {"t": "objarray", "shape": list(value.shape),
                    "items": [encode(v) for v in value.reshape(-1).tolist()]}
        return {"t": "object", "type": f"ndarray of dtype {value.dtype}"[:60]}
    if value.nbytes > MAX_ARRAY_BYTES:
        return {"t": "toolarge", "type": f"ndarray of shape {value.shape}"}
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(value), allow_pickle=False)
    return {"t": "array", "npy": base64.b64encode(buffer.getvalue()).decode("ascii")}


def encode(value, depth: int = 0):
    """``value`` as JSON-ready data (kernel side; anything unknown becomes its type name)."""
    from ..checkers.core import Modified, Warned

    if depth > MAX_DEPTH:
        return {"t": "object", "type": "too deeply nested"}
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return {"t": "str", "v": value[:MAX_STRING]} if kind is str else value
    if kind is int:
        return {"t": "int", "v": str(value)} if abs(value) >= 2**53 else value
    if kind is float:
        return value if math.isfinite(value) else {"t": "float", "v": repr(value)}
    if isinstance(value, np.ndarray):
        return _array(np.asarray(value))
    if isinstance(value, np.generic):
        if value.dtype.kind in _DTYPES:
            return {"t": "scalar", "dtype": value.dtype.str, "v": repr(value.item())}
        return {"t": "object", "type": type(value).__name__}
    if kind in (list, tuple, set, frozenset):
        items = list(value)[:MAX_NODES]
        return {"t": kind.__name__, "items": [encode(v, depth + 1) for v in items]}
    if kind is dict:
        return {"t": "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)]
                                       for k, v in list(value.items())[:MAX_NODES]]}
    if kind is Warned:
        return {"t": "warned", "v": str(value.message)[:MAX_STRING]}
    if kind is Modified:
        return {"t": "modified", "v": str(value.what)[:200]}
    name = getattr(kind, "__name__", "object")
    attributes = {}
    for attribute in ATTRIBUTES:
        try:
            part = getattr(value, attribute)
        except Exception:  # noqa: BLE001 (a hostile or odd object: leave the attribute out)
            continue
        if not callable(part):
            attributes[attribute] = encode(part, depth + 1)
    return {"t": "object", "type": name if isinstance(name, str) else "object",
            "attrs": attributes}


# ---------------------------------------------------------------- grader side


class _Budget:
    def __init__(self):
        self.nodes = 0

    def spend(self):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise WireError(f"more than {MAX_NODES} values in one result")


def _load_array(text) -> np.ndarray:
    if not isinstance(text, str) or len(text) > MAX_ARRAY_BYTES * 4 // 3 + 1024:
        raise WireError("an array's data is not a string of the allowed size")
    try:
        array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except Exception as error:
        raise WireError(f"an array could not be read ({type(error).__name__})") from error
    if not isinstance(array, np.ndarray) or array.dtype.kind not in _DTYPES:
        raise WireError("an array of a type that may not come back")
    return array


def _string(value, what="a string") -> str:
    if not isinstance(value, str) or len(value) > MAX_STRING:
        raise WireError(f"{what} is not a string of at most {MAX_STRING} characters")
    return value


def _rebuild_object(data: dict, budget, depth):
    name = data.get("type")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        name = "object"
    raw = data.get("attrs", {})
    if not isinstance(raw, dict):
        raise WireError("an object's attributes are not a mapping")
    attributes = {key: _decode(value, budget, depth + 1) for key, value in raw.items()
                  if key in ATTRIBUTES}
    if name == "Network" and {"W", "b", "activations"} <= attributes.keys():
        try:
            from ..network import Network

            W, b, names = attributes["W"], attributes["b"], attributes["activations"]
            net = Network.from_weights(list(W)[1:], list(b)[1:], list(names)[1:])
            if all(np.array_equal(x, y) for x, y in zip(net.W[1:], list(W)[1:], strict=True)) \
                    and all(np.array_equal(x, y)
                            for x, y in zip(net.b[1:], list(b)[1:], strict=True)):
                return net
        except Exception:  # noqa: BLE001 (not a valid network: keep it as plain attributes)
            pass
    return _returned_type(name)(name, attributes)


def _decode(data, budget: _Budget, depth: int):
    from ..checkers.core import Modified, Warned

    budget.spend()
    if depth > MAX_DEPTH + 2:
        raise WireError("nested too deeply")
    if data is None or isinstance(data, bool | int | float):
        if isinstance(data, int) and not isinstance(data, bool) and abs(data) > 2**63:
            raise WireError("an integer out of range")
        return data
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise WireError(f"unexpected data of type {type(data).__name__}")
    tag = data["t"]
    if tag == "str":
        return _string(data.get("v"))
    if tag == "int":
        text = _string(data.get("v"), "an integer")
        if not re.fullmatch(r"-?\d{1,4300}", text):
            raise WireError("an integer that is not a number")
        return int(text)
    if tag == "float":
        text = data.get("v")
        if text not in ("nan", "inf", "-inf"):
            raise WireError("a float that is not nan or inf")
        return float(text)
    if tag == "scalar":
        dtype = _string(data.get("dtype"), "a dtype")
        try:
            kind = np.dtype(dtype)
        except TypeError as error:
            raise WireError("an unknown dtype") from error
        if kind.kind not in _DTYPES or kind.hasobject:
            raise WireError("a scalar of a type that may not come back")
        text = _string(data.get("v"), "a scalar")
        if not re.fullmatch(r"[-+0-9.eEinfatrueFlsTN ]{1,64}", text):
            raise WireError("a scalar that is not a number")
        if kind.kind == "b":
            return np.bool_(text == "True")
        return kind.type(float(text) if kind.kind == "f" else int(text))
    if tag == "array":
        array = _load_array(data.get("npy"))
        budget.nodes += array.size // 1000
        return array
    if tag in ("list", "tuple", "set", "frozenset"):
        items = data.get("items")
        if not isinstance(items, list):
            raise WireError(f"a {tag} without items")
        values = [_decode(v, budget, depth + 1) for v in items]
        if tag in ("set", "frozenset"):
            try:
                return {"set": set, "frozenset": frozenset}[tag](values)
            except TypeError as error:
                raise WireError("a set of unhashable values") from error
        return values if tag == "list" else tuple(values)
    if tag == "dict":
        items = data.get("items")
        if not isinstance(items, list) or not all(isinstance(i, list) and len(i) == 2
                                                  for i in items):
            raise WireError("a dict without key-value pairs")
        try:
            return {_decode(k, budget, depth + 1): _decode(v, budget, depth + 1)
                    for k, v in items}
        except TypeError as error:
            raise WireError("a dict with unhashable keys") from error
    if tag == "objarray":
        items = data.get("items")
        shape = data.get("shape")
        if not isinstance(items, list) or not isinstance(shape, list):
            raise WireError("an object array without items")
        values = [_decode(v, budget, depth + 1) for v in items]
        array = np.empty(len(values), dtype=object)
        array[:] = values
        try:
            return array.reshape([int(n) for n in shape])
        except (TypeError, ValueError) as error:
            raise WireError("an object array of the wrong shape") from error
    if tag == "warned":
        return Warned(_string(data.get("v")))
    if tag == "modified":
        return Modified(_string(data.get("v")))
    if tag in ("object", "toolarge"):
        return _rebuild_object(data, budget, depth)
    raise WireError(f"unknown tag {tag[:40]!r}")


def decode(data):
    """The value ``data`` (from :func:`encode`, read from untrusted JSON) stands for; raises
    :class:`WireError` for anything outside the whitelist or the caps."""
    try:
        return _decode(data, _Budget(), 0)
    except RecursionError as error:
        raise WireError("nested too deeply") from error
