"""Checks for the exercise notebooks: ``check_<task>(student_function)`` returns a report that
says which cases ran and which passed (see :mod:`mlpcourse.checkers.core`).

Each lesson's checks live in ``lessonNN.py`` and list themselves in that module's ``__all__``;
they are all re-exported here, so ``from mlpcourse.checkers import check_sigmoid`` works.
"""

import importlib
import pkgutil

from .core import Case, CheckReport, compare_numbers, run_check

__all__ = ["Case", "CheckReport", "compare_numbers", "run_check"]

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
    if _info.name.startswith("lesson"):
        _module = importlib.import_module(f".{_info.name}", __name__)
        for _name in _module.__all__:
            if _name in globals() and globals()[_name] is not getattr(_module, _name):
                raise ImportError(f"{_name} is defined by two lesson checkers ({_info.name})")
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)
