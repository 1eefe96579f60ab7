"""The oldest versions this project claims to support, as pip constraints: every runtime
dependency of pyproject.toml pinned to its lower bound (``numpy>=2.0`` becomes ``numpy==2.0``).

    python tools/oldest.py            print the constraints (`make test-oldest` installs them)
    python tools/oldest.py --check    in the venv to test: every pinned package is installed at
                                      exactly its lower bound (exit 1 otherwise)

So the ranges in pyproject.toml are tested, not guessed: raising a lower bound there changes what
`make test-oldest` installs.
"""

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lower_bounds() -> dict[str, str]:
    """{package: lowest version} of pyproject.toml's runtime dependencies."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    bounds = {}
    for spec in pyproject["project"]["dependencies"]:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*(,.*)?", spec)
        if match is None:
            raise SystemExit(f"pyproject.toml: {spec!r} has no lower bound (name>=version)")
        bounds[match.group(1).lower()] = match.group(2)
    return bounds


def main(argv) -> int:
    bounds = lower_bounds()
    if "--check" not in argv:
        print("\n".join(f"{name}=={version}" for name, version in bounds.items()))
        return 0
    wrong = []
    for name, version in bounds.items():
        installed = metadata.version(name)
        same = [int(p) for p in re.findall(r"\d+", installed)][:3]
        want = [int(p) for p in re.findall(r"\d+", version)][:3]
        same += [0] * (3 - len(same))
        want += [0] * (3 - len(want))
        print(f"{name:14s} claimed >= {version:8s} installed {installed}")
        if same != want:
            wrong.append(name)
    if wrong:
        print(f"not at their lower bound: {', '.join(wrong)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
