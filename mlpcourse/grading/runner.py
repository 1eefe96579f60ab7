"""The kernel's side of grading: call the student's function on the grader's arguments and write
what happened, without any expected value or verdict (those stay in the grader's process).

The harness sends one request per task into the student's kernel::

    from mlpcourse.grading.runner import run_task
    run_task(globals(), "<base64 pickle of the task's calls>", "<path of the task's result>")

and :func:`run_task` writes JSON (see :mod:`mlpcourse.grading.wire`): whether the name is defined
and callable, one outcome per call (returned value, error, not attempted, time-out, modified
input) and facts for the reference-use check (which course objects the function reaches, which
course functions were replaced by notebook code).

Everything here runs next to the student's code and can be tampered with: the grader validates
the data and trusts nothing but the values, which it compares itself.
"""

from __future__ import annotations

import base64
import dis
import functools
import json
import os
import pickle
import sys
import types
from pathlib import Path

from ..checkers.core import call_cases, describe_value, wrap
from .wire import encode

MAX_WALK = 20_000          # objects visited when looking for course objects behind a function
WATCHED = ("numpy", "builtins", "mlpcourse.checkers.core")  # tampering checks besides mlpcourse


def _course_module(name) -> bool:
    return isinstance(name, str) and (name == "mlpcourse" or name.startswith("mlpcourse."))


def _notebook_made(obj) -> bool:
    """True for functions and classes defined by notebook code (not loaded from a file)."""
    try:
        if isinstance(obj, functools.partial):
            obj = obj.func
        code = getattr(obj, "__code__", None)
        if isinstance(code, types.CodeType):
            name = code.co_filename
            return name.startswith("<") or "ipykernel_" in name or "ipython-input" in name
        if isinstance(obj, type):
            return obj.__module__ == "__main__"
    except Exception:  # noqa: BLE001 (a hostile object: not ours to judge)
        return False
    return False


def _course_name(obj) -> str | None:
    """'module.qualname' if ``obj`` is a course function, class or module (mlpcourse.*)."""
    try:
        if isinstance(obj, types.ModuleType):
            return obj.__name__ if _course_module(obj.__name__) else None
        if isinstance(obj, types.FunctionType | type | types.BuiltinFunctionType):
            module = obj.__module__
            if _course_module(module) and not _notebook_made(obj):
                return f"{module}.{obj.__qualname__}"
    except Exception:  # noqa: BLE001
        return None
    return None


def _chains(code: types.CodeType):
    """Dotted names a code object loads: ``mc.activations.sigmoid`` -> ['mc', 'activations',
    'sigmoid'] (globals followed by attribute loads), for it and every nested code object."""
    stack, chains = [code], []
    while stack:
        current = stack.pop()
        chain = None
        for ins in dis.get_instructions(current):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                if chain:
                    chains.append(chain)
                chain = [ins.argval]
            elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and chain:
                chain.append(ins.argval)
            else:
                if chain:
                    chains.append(chain)
                chain = None
        if chain:
            chains.append(chain)
        stack += [c for c in current.co_consts if isinstance(c, types.CodeType)]
    return chains


def _resolve(chain, namespace):
    """The objects a dotted chain reaches: its root, then attributes while they are course
    modules (attribute access on anything else could run student code)."""
    if chain[0] not in namespace:
        builtins = namespace.get("__builtins__")
        table = builtins if isinstance(builtins, dict) else vars(builtins) if builtins else {}
        return [table[chain[0]]] if chain[0] in table else []
    found = [namespace[chain[0]]]
    for attribute in chain[1:]:
        current = found[-1]
        if not (isinstance(current, types.ModuleType) and _course_module(current.__name__)):
            break
        try:
            found.append(getattr(current, attribute))
        except Exception:  # noqa: BLE001
            break
    return found


def reaches(fn) -> list[str]:
    """Course objects (``module.qualname``) the function uses, following its globals, closures,
    defaults, partials, wrappers and the notebook functions it calls."""
    found, seen, stack = set(), set(), [fn]
    while stack and len(seen) < MAX_WALK:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        name = _course_name(obj)
        if name is not None:
            found.add(name)
            if not isinstance(obj, types.ModuleType):
                continue
        try:
            if isinstance(obj, functools.partial):
                stack += [obj.func, *obj.args, *obj.keywords.values()]
            elif isinstance(obj, types.MethodType):
                stack += [obj.__func__, obj.__self__]
            elif isinstance(obj, types.FunctionType):
                stack += [cell.cell_contents for cell in obj.__closure__ or ()
                          if _has_contents(cell)]
                stack += list(obj.__defaults__ or ()) + list((obj.__kwdefaults__ or {}).values())
                wrapped = obj.__dict__.get("__wrapped__")
                if wrapped is not None:
                    stack.append(wrapped)
                for chain in _chains(obj.__code__):
                    stack += _resolve(chain, obj.__globals__)[-1:]
            elif isinstance(obj, type):
                if _notebook_made(obj) or obj.__module__ == "__main__":
                    stack += list(vars(obj).values())
            elif isinstance(obj, dict):
                stack += list(obj.values())[:1000]
            elif isinstance(obj, list | tuple | set | frozenset):
                stack += list(obj)[:1000]
            elif isinstance(obj, staticmethod | classmethod):
                stack.append(obj.__func__)
            elif isinstance(obj, property):
                stack += [obj.fget, obj.fset]
            elif not isinstance(obj, types.ModuleType) and callable(obj) and _notebook_made(
                    type(obj).__call__):
                stack += [type(obj).__call__, *vars(obj).values()]
            elif _course_module(getattr(type(obj), "__module__", None)):
                found.add(f"{type(obj).__module__}.{type(obj).__qualname__}")  # an Activation
        except Exception:  # noqa: BLE001 (an odd object: skip it)
            continue
    return sorted(found)


def _has_contents(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


def replaced() -> list[str]:
    """Names in the course's modules (and numpy, builtins, the checkers' core) that now hold a
    function or class made by notebook code: monkeypatching."""
    names = []
    for module_name, module in list(sys.modules.items()):
        if not (_course_module(module_name) or module_name in WATCHED):
            continue
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for attribute, value in items:
            if _notebook_made(value):
                names.append(f"{module_name}.{attribute}")
    return sorted(names)


def origin(fn) -> str:
    """Where the function's code comes from: "notebook", a module name, or a type name."""
    if _notebook_made(fn):
        return "notebook"
    name = _course_name(fn)
    if name is not None:
        return name
    return getattr(fn, "__module__", None) or type(fn).__name__


def _encoded(value):
    try:
        return encode(value)
    except Exception as error:  # noqa: BLE001 (an object that breaks while being read)
        return {"t": "object", "type": "unreadable", "attrs": {}, "error": type(error).__name__}


_PACKAGE = str(Path(__file__).resolve().parents[1])   # .../mlpcourse
_NOT_ENGINE = (os.path.join(_PACKAGE, "checkers"), os.path.join(_PACKAGE, "grading"))


class CallTracer:
    """Records the course's engine functions called straight from non-course code while the
    student's function runs (sys.setprofile): reference use however it was reached (through
    sys.modules, gc, a decoded string ...). Calls the engine makes itself, and calls made by the
    checkers' wrappers, are not counted."""

    def __init__(self):
        self.called: set = set()
        self._engine: dict = {}

    def _is_engine(self, code) -> bool:
        known = self._engine.get(code)
        if known is None:
            name = code.co_filename
            known = name.startswith(_PACKAGE) and not name.startswith(_NOT_ENGINE)
            self._engine[code] = known
        return known

    def _is_course(self, code) -> bool:
        return code.co_filename.startswith(_PACKAGE)

    def hook(self, frame, event, arg):
        if event != "call" or not self._is_engine(frame.f_code):
            return
        caller = frame.f_back
        if caller is not None and self._is_course(caller.f_code):
            return
        module = frame.f_globals.get("__name__", "?")
        qualname = getattr(frame.f_code, "co_qualname", frame.f_code.co_name)
        self.called.add(f"{module}.{qualname}")

    def __enter__(self):
        self._previous = sys.getprofile()
        sys.setprofile(self.hook)
        return self

    def __exit__(self, *exc):
        self.intact = sys.getprofile() == self.hook
        sys.setprofile(self._previous)
        return False


def run_task(namespace: dict, payload: str, out_path: str) -> None:
    """Call the task's function (``namespace[function]``) on every planned argument tuple and
    write the outcomes and facts as JSON to ``out_path``."""
    request = pickle.loads(base64.b64decode(payload))  # noqa: S301 (from the grader)
    fn = namespace.get(request["function"])
    result = {"task": request["task"], "outcomes": [], "facts": {}}
    if fn is None and request["function"] not in namespace:
        result["state"] = "missing"
    elif not callable(fn):
        result["state"] = "not_callable"
        result["describe"] = describe_value(fn)
    else:
        result["state"] = "ok"
        try:
            result["facts"] = {"reaches": reaches(fn), "origin": origin(fn)}
        except Exception as error:  # noqa: BLE001
            result["facts"] = {"error": f"{type(error).__name__}"}
        with CallTracer() as tracer:
            outcomes = call_cases(wrap(request["call"], fn), request["calls"],
                                  request["time_limit"])
        result["facts"]["called"] = sorted(tracer.called)[:200]
        result["facts"]["tracing_intact"] = tracer.intact
        result["outcomes"] = [{"kind": o.kind, "value": _encoded(o.value),
                               "error": str(o.error)[:2000]} for o in outcomes]
    result["facts"]["replaced"] = replaced()
    with open(out_path, "w") as handle:
        json.dump(result, handle)
