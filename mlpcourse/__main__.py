"""Command line: ``python -m mlpcourse exercises`` and ``python -m mlpcourse grade PATH...``."""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlpcourse")
    commands = parser.add_subparsers(dest="command", required=True)
    ex = commands.add_parser("exercises", help="generate exercises/ from solutions/")
    ex.add_argument("--solutions", default="solutions")
    ex.add_argument("--exercises", default="exercises")
    ex.add_argument("--force", action="store_true",
                    help="move edited exercise files aside (to *.edited-<time>.ipynb) first")
    gr = commands.add_parser("grade", help="grade submitted notebooks")
    gr.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of them")
    gr.add_argument("--csv", dest="csv_path", help="write one row per notebook and task here")
    gr.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    gr.add_argument("--solutions", default=None, help="the solution notebooks (default: ours)")
    args = parser.parse_args(argv)

    if args.command == "exercises":
        from .assignments import EditedExerciseError, generate

        try:
            written = generate(args.solutions, args.exercises, force=args.force)
        except (EditedExerciseError, FileNotFoundError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"{len(written)} exercise notebooks in {args.exercises}/")
        return 0

    from .grader import SOLUTIONS, grade

    try:
        grade(args.paths, args.csv_path, args.solutions or SOLUTIONS, args.timeout)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
