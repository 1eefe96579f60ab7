"""Read a submission's code (in the grader's process, never run) for use of the course's own
implementation and for code the grader cannot see through.

:func:`analyse` parses every code cell except the graded check cells (IPython syntax first turned
into Python) and returns a :class:`SourceFacts`:

- ``uses[name]``: the course names (``mlpcourse.activations.sigmoid``, canonical module and
  qualified name) that each top-level name depends on, directly or through other top-level names
  (a function that calls a helper that calls the reference; a table filled at top level with
  reference values; ``sigmoid = mc.activations.sigmoid``; ``from mlpcourse.activations import
  sigmoid``);
- ``patched``: course names the code assigns to (``mc.activations.sigmoid = my_sigmoid``);
- ``dynamic``: constructs that can run or import code the parser does not see (``exec``,
  ``eval``, ``compile``, ``__import__``, ``importlib``, ``sys.modules``, ``runpy``, ``pickle``,
  shell commands and most magics, ``getattr`` on a course module with a computed name ...);
- ``tampering``: things that only made sense against the old in-kernel checks (patching numpy,
  builtins or the checkers, redefining ``check_*``, reading stack frames, IPython event hooks,
  reading notebooks from disk): reported, not penalised by themselves.

The course's own install cell (:func:`mlpcourse.launch.is_install_cell`: tagged, exact source)
is skipped once, before the first graded cell; a copy after it or an altered one is read.
"""

from __future__ import annotations

import ast
import importlib
import types
from dataclasses import dataclass, field

from ..launch import cell_text, is_install_cell

COURSE = "mlpcourse"
DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "execfile", "breakpoint"}
DYNAMIC_MODULES = {"importlib", "runpy", "ctypes", "pickle", "marshal", "dill", "cloudpickle",
                   "code", "codeop", "subprocess", "multiprocessing", "pty", "imp", "zipimport",
                   "pkgutil", "shelve", "joblib"}
DYNAMIC_ATTRIBUTES = {("sys", "modules"), ("os", "system"), ("os", "popen"), ("os", "exec"),
                      ("os", "spawn"), ("builtins", "__import__"), ("sys", "meta_path"),
                      ("sys", "path_hooks"), ("types", "CodeType"), ("types", "FunctionType"),
                      ("types", "ModuleType"), ("sys", "settrace"), ("sys", "setprofile"),
                      ("threading", "settrace"), ("threading", "setprofile")}
SAFE_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
TAMPER_MODULES = {"numpy", "builtins", "IPython", "warnings", "signal"}
FRAME_ACCESS = {("sys", "_getframe"), ("gc", "get_objects"), ("gc", "get_referrers"),
                ("inspect", "currentframe"),
                ("inspect", "stack"), ("inspect", "getouterframes"), ("traceback", "extract_stack")}


@dataclass
class SourceFacts:
    """What the static reading found (see the module docstring)."""

    uses: dict = field(default_factory=dict)
    direct: dict = field(default_factory=dict)
    depends: dict = field(default_factory=dict)
    patched: set = field(default_factory=set)
    dynamic: list = field(default_factory=list)
    tampering: list = field(default_factory=list)
    unparsed: list = field(default_factory=list)


def canonical(dotted: str) -> str:
    """The course's own name for ``dotted`` (``mlpcourse.forward`` ->
    ``mlpcourse.network.forward``); ``dotted`` itself when it does not resolve to a function,
    class or module of the course."""
    parts = dotted.split(".")
    obj, index = None, len(parts)
    while index > 0:
        try:
            obj = importlib.import_module(".".join(parts[:index]))
            break
        except ImportError:
            index -= 1
    if obj is None:
        return dotted
    for attribute in parts[index:]:
        try:
            obj = getattr(obj, attribute)
        except AttributeError:
            return dotted
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(obj, types.FunctionType | type) and isinstance(module, str) and \
            module.startswith(COURSE) and isinstance(name, str):
        return f"{module}.{name}"
    return dotted


def names_for(dotted: str) -> set:
    """``dotted``, its :func:`canonical` name and, for a course constant such as
    ``mc.ACTIVATIONS``, every engine module that holds that very object
    (``mlpcourse.activations.ACTIVATIONS``, ...)."""
    import sys

    names = {dotted, canonical(dotted)}
    parts = dotted.split(".")
    module = sys.modules.get(".".join(parts[:-1]))
    obj = getattr(module, parts[-1], None) if module is not None and len(parts) > 1 else None
    if obj is None or isinstance(obj, types.ModuleType | types.FunctionType | type | int | float |
                                 str | bool):
        return names
    for name, holder in list(sys.modules.items()):
        if holder is None or not name.startswith(COURSE) or \
                name.startswith((f"{COURSE}.checkers", f"{COURSE}.grading")):
            continue
        names.update(f"{name}.{attribute}" for attribute, value in list(vars(holder).items())
                     if value is obj)
    return names


def _python(source: str, index: int, facts: SourceFacts) -> str | None:
    """The cell as plain Python (IPython magics turned into calls); None if it cannot be."""
    lines = source.lstrip().splitlines()
    if lines and lines[0].startswith("%%"):
        magic = lines[0][2:].split()[0] if lines[0][2:].split() else ""
        if magic not in SAFE_CELL_MAGICS:
            facts.dynamic.append(f"cell {index}: the cell magic %%{magic}")
            return None
        source = "\n".join(lines[1:])
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 (no IPython, or text it cannot transform: parse as is)
        pass
    return source


class _Reader(ast.NodeVisitor):
    """Collects, for one cell, the aliases it imports and the facts of each top-level unit."""

    def __init__(self, aliases: dict, facts: SourceFacts, cell: int):
        self.aliases, self.facts, self.cell = aliases, facts, cell

    # -- names ---------------------------------------------------------------------------------

    def dotted(self, node) -> str | None:
        """'mlpcourse.activations.sigmoid' for ``mc.activations.sigmoid`` (aliases applied)."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        root = self.aliases.get(node.id)
        if root is None:
            return None
        parts = list(reversed(parts))
        for index, part in enumerate(parts):  # mc.__dict__[...], mc.activations.__getattribute__
            if part.startswith("__"):
                parts = parts[:index]  # an opaque use of the module itself
                break
        return ".".join([root, *parts])

    def where(self, node) -> str:
        return f"cell {self.cell}, line {getattr(node, 'lineno', '?')}"


def _imports(node, aliases: dict) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                aliases[top] = top
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        for alias in node.names:
            if alias.name != "*":
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif node.module.split(".")[0] == COURSE:  # every public name of a course module
                for name in _public_names(node.module):
                    aliases[name] = f"{node.module}.{name}"


def _public_names(module_name: str) -> list[str]:
    """The names ``from module import *`` binds that belong to the course (not ``np``)."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return []
    names = getattr(module, "__all__", None)
    if not isinstance(names, list | tuple):
        names = [n for n in vars(module) if not n.startswith("_")]
    own = []
    for name in names:
        obj = getattr(module, name, None)
        if isinstance(obj, types.ModuleType):
            continue
        home = getattr(obj, "__module__", COURSE) if callable(obj) else COURSE
        if isinstance(home, str) and home.startswith(COURSE):
            own.append(name)
    return own


def _stored_names(node, aliases=()) -> set:
    """Names a statement binds or changes at its own level (assignment targets, the base of
    ``table[k] = ...`` and ``obj.attr = ...``, ``table.update(...)``, defs, imports)."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store | ast.Del):
            names.add(sub.id)
        elif isinstance(sub, ast.Subscript | ast.Attribute) and \
                isinstance(sub.ctx, ast.Store | ast.Del):
            base = sub.value
            while isinstance(base, ast.Subscript | ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name):
                names.add(base.id)
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and \
                isinstance(sub.func.value, ast.Name) and sub.func.value.id not in aliases:
            names.add(sub.func.value.id)  # table.update(...), rows.append(...), not np.sum(...)
        elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(sub.name)
        elif isinstance(sub, ast.Global):
            names.update(sub.names)
        elif isinstance(sub, ast.Import | ast.ImportFrom):
            for alias in sub.names:
                names.add((alias.asname or alias.name).split(".")[0])
    return names


def _rebound_names(node) -> set:
    """Names a top-level statement binds afresh (a def, an import, ``x = ...``): their earlier
    meaning is gone. Other stores (``table[k] = ...``, loops) add to it."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
    names = set()
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.add(sub.id)
            elif isinstance(sub, ast.Subscript | ast.Attribute):
                break
    return names


def _local_names(node) -> set:
    """Parameters and locally assigned names of a function (they shadow globals)."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return set()
    names = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
    declared = {n for sub in ast.walk(node) if isinstance(sub, ast.Global | ast.Nonlocal)
                for n in sub.names}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.add(sub.id)
    return names - declared


def _unit(node, reader: _Reader, facts: SourceFacts):
    """(stored names, loaded global names, course names used) of one top-level statement; also
    records patched, dynamic and tampering facts."""
    aliases = dict(reader.aliases)
    for sub in ast.walk(node):  # imports inside functions count for their bodies too
        _imports(sub, aliases)
    inner = _Reader(aliases, facts, reader.cell)
    local = set()
    for sub in ast.walk(node):
        local |= _local_names(sub)
    loaded, course = set(), set()
    inside = {id(sub.value) for sub in ast.walk(node) if isinstance(sub, ast.Attribute)}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            if sub.id not in local:
                loaded.add(sub.id)
            if sub.id in DYNAMIC_CALLS or sub.id in ("__builtins__", "__loader__"):
                facts.dynamic.append(f"{inner.where(sub)}: {sub.id}")
        if isinstance(sub, ast.Name | ast.Attribute) and id(sub) not in inside:
            dotted = inner.dotted(sub)
            if dotted is not None:
                root = dotted.split(".")[0]
                if root == COURSE:
                    course.update(names_for(dotted))
                    if isinstance(sub.ctx, ast.Store | ast.Del) and isinstance(sub,
                                                                                ast.Attribute):
                        facts.patched.update(names_for(dotted))
                if root in DYNAMIC_MODULES:
                    facts.dynamic.append(f"{inner.where(sub)}: {dotted}")
                pair = tuple(dotted.split(".")[:2])
                if ".sys.modules" in f".{dotted}" and pair != ("sys", "modules"):
                    facts.dynamic.append(f"{inner.where(sub)}: {dotted}")  # os.sys.modules
                if pair in DYNAMIC_ATTRIBUTES or (pair[0] == "os" and len(pair) == 2 and (
                        pair[1].startswith("exec") or pair[1].startswith("spawn"))):
                    facts.dynamic.append(f"{inner.where(sub)}: {dotted}")
                if pair in FRAME_ACCESS:
                    facts.tampering.append(f"{inner.where(sub)}: reads stack frames ({dotted})")
                if root in TAMPER_MODULES and isinstance(sub, ast.Attribute) and \
                        isinstance(sub.ctx, ast.Store | ast.Del):
                    facts.tampering.append(f"{inner.where(sub)}: replaces {dotted}")
                if root == "nbformat":
                    facts.tampering.append(f"{inner.where(sub)}: reads notebooks ({dotted})")
        if isinstance(sub, ast.Import | ast.ImportFrom):
            modules = [a.name for a in sub.names] if isinstance(sub, ast.Import) else \
                [sub.module or ""]
            for module in modules:
                if module.split(".")[0] in DYNAMIC_MODULES:
                    facts.dynamic.append(f"{inner.where(sub)}: import {module}")
                if module.split(".")[0] == COURSE and isinstance(sub, ast.ImportFrom):
                    for alias in sub.names:  # a course function imported by name
                        name = canonical(f"{module}.{alias.name}")
                        if not _is_module(name):
                            course.add(name)
        if isinstance(sub, ast.Call):
            _call_facts(sub, inner, facts, course)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and (
                ".ipynb" in sub.value or "solutions" in sub.value.split("/")):
            facts.tampering.append(f"{inner.where(sub)}: names a notebook file ({sub.value!r})"
                                   [:200])
    stored = _stored_names(node, aliases) if not isinstance(
        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else \
        {node.name} | {n for sub in ast.walk(node) if isinstance(sub, ast.Global)
                       for n in sub.names}
    for name in stored:
        if name.startswith("check_") and not isinstance(node, ast.Import | ast.ImportFrom):
            facts.tampering.append(f"{inner.where(node)}: redefines {name}")
    return stored, loaded, course


def _call_facts(call: ast.Call, reader: _Reader, facts: SourceFacts, course: set) -> None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else None
    if name in ("vars", "dir") and call.args:  # vars(mc)["fit"]: the whole module
        target = reader.dotted(call.args[0])
        if target is not None and target.split(".")[0] == COURSE:
            course.update({target, canonical(target)})
    if name in ("getattr", "setattr", "delattr", "hasattr") and call.args:
        target = reader.dotted(call.args[0])
        literal = len(call.args) > 1 and isinstance(call.args[1], ast.Constant) and \
            isinstance(call.args[1].value, str)
        if target is not None and target.split(".")[0] == COURSE:
            full = f"{target}.{call.args[1].value}" if literal else target
            course.update({full, canonical(full)})
            if not literal:
                facts.dynamic.append(f"{reader.where(call)}: {name}({target}, <computed name>)")
            if name in ("setattr", "delattr"):
                facts.patched.update({full, canonical(full)})
        elif target is not None and target.split(".")[0] in TAMPER_MODULES and \
                name in ("setattr", "delattr"):
            facts.tampering.append(f"{reader.where(call)}: {name} on {target}")
    if isinstance(func, ast.Attribute) and func.attr in ("run_line_magic", "run_cell_magic",
                                                           "system", "getoutput"):
        magic = call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) \
            else "?"
        if func.attr in ("system", "getoutput") or magic not in SAFE_CELL_MAGICS | {
                "matplotlib", "config", "precision", "pwd", "who", "whos"}:
            facts.dynamic.append(f"{reader.where(call)}: the magic or shell command "
                                 f"{func.attr}({magic!r})")
    if isinstance(func, ast.Attribute) and func.attr == "register" and \
            isinstance(func.value, ast.Attribute) and func.value.attr == "events":
        facts.tampering.append(f"{reader.where(call)}: registers an IPython event hook")


def _graded(cell) -> bool:
    grading = cell.get("metadata", {}).get("nbgrader", {})
    return isinstance(grading, dict) and grading.get("grade") is True


def analyse(nb) -> SourceFacts:
    """Read the code cells of ``nb`` (a NotebookNode or the notebook's JSON as a dict), except
    the graded check cells, and return what they use (see the module docstring)."""
    facts = SourceFacts()
    aliases: dict = {}
    direct: dict = {}    # name -> course names used where it is bound
    depends: dict = {}   # name -> global names loaded where it is bound
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    install = True  # the course's own install cell may come once, before the first task
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if isinstance(cell, dict) and _graded(cell):
            install = False
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or _graded(cell):
            continue
        if install and is_install_cell(cell):
            install = False
            continue
        source = _python(cell_text(cell), index, facts)
        if source is None:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError):
            facts.unparsed.append(index)
            continue
        reader = _Reader(aliases, facts, index)
        for node in tree.body:
            _imports(node, aliases)
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and \
                    node.module.split(".")[0] == COURSE and any(a.name == "*" for a in node.names):
                for name in _public_names(node.module):
                    direct[name] = {canonical(f"{node.module}.{name}")}
                    depends[name] = set()
            stored, loaded, course = _unit(node, reader, facts)
            rebound = _rebound_names(node) - loaded
            for name in stored:
                if name in rebound:
                    direct[name], depends[name] = set(), set()
                direct.setdefault(name, set()).update(course)
                depends.setdefault(name, set()).update(loaded - {name})
            if not stored and course:
                direct.setdefault("<top level>", set()).update(course)
    for name in direct:  # fixed point over the dependency graph
        seen, stack, used = set(), [name], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            used |= direct.get(current, set())
            stack += list(depends.get(current, ()))
        facts.uses[name] = used
    facts.direct, facts.depends = direct, depends
    return facts


def route(facts: SourceFacts, start: str, wanted) -> list[str]:
    """The top-level names from ``start`` to one that uses a course name for which
    ``wanted(name)`` is true, e.g. ['softmax_ce_gradient', 'softmax'] (empty if none)."""
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        if any(wanted(n) for n in facts.direct.get(path[-1], ())):
            return path
        for name in sorted(facts.depends.get(path[-1], ())):
            if name not in seen and name in facts.direct:
                seen.add(name)
                paths.append([*path, name])
    return []


def matches(name: str, reference: str) -> bool:
    """True if the course name ``name`` is, or lies inside, ``reference`` (a dotted prefix), or
    is a module that contains it."""
    return name == reference or name.startswith(reference + ".") or (
        reference.startswith(name + ".") and _is_module(name))


def _is_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True
