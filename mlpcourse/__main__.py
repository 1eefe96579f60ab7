"""Command line: ``python -m mlpcourse start [FOLDER]``, ``update [FOLDER]``,
``python -m mlpcourse exercises``, ``python -m mlpcourse grade PATH...``,
``python -m mlpcourse merge SHARD.csv... --csv all.csv`` and
``python -m mlpcourse new-task LESSON NAME --points P``."""

from __future__ import annotations

import argparse
import sys


def _grade_parser(commands) -> None:
    gr = commands.add_parser("grade", help="grade submitted notebooks (each in a sandbox)")
    gr.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of them")
    gr.add_argument("--csv", dest="csv_path",
                    help="append one row per notebook and task here, as each notebook is graded")
    gr.add_argument("--resume", action="store_true",
                    help="keep the CSV and skip the notebooks it already has rows for")
    gr.add_argument("--jobs", "-j", type=int, default=1, help="notebooks graded at once")
    gr.add_argument("--shard", default="1/1", metavar="I/N",
                    help="grade only shard I of N (then `python -m mlpcourse merge`)")
    gr.add_argument("--assignment", default=None, metavar="NAME",
                    help="grade every notebook against this assignment (e.g. 03_activations)")
    gr.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    gr.add_argument("--notebook-timeout", type=float, default=600.0,
                    help="hard limit in seconds for a whole notebook (default 600)")
    gr.add_argument("--memory", type=int, default=3072,
                    help="MiB of memory for a notebook's sandbox (default 3072)")
    gr.add_argument("--seed", type=int, default=None,
                    help="base seed (default: a fresh one; each row records its own seed)")
    gr.add_argument("--report", default=None, metavar="DIR",
                    help="write one page per submission (and an index) into DIR")
    gr.add_argument("--report-format", choices=("md", "html"), default="md")
    gr.add_argument("--report-by", choices=("notebook", "folder"), default="notebook",
                    help="a page per notebook, or per folder (submissions/<student>/*.ipynb)")
    gr.add_argument("--no-sandbox", action="store_true",
                    help="run student code without bubblewrap (unsafe; the CSV says none)")
    gr.add_argument("--solutions", default=None, help="the solution notebooks (default: ours)")


def _new_task_parser(commands) -> None:
    nt = commands.add_parser("new-task", help="add a graded task to a lesson's solution notebook "
                             "and checker module (mlpcourse.authoring)")
    nt.add_argument("lesson", metavar="LESSON", help="the lesson number, e.g. 05")
    nt.add_argument("name", metavar="NAME", help="the student's function, e.g. softmax_delta")
    nt.add_argument("--points", required=True, help="what the task is worth (positive)")
    nt.add_argument("--title", default=None, help="the heading's title (default: NAME)")
    nt.add_argument("--args", default="x", help="the function's parameters (default: x)")
    nt.add_argument("--root", default=".", help="the repository's top folder (default: .)")


def _new_task(args) -> int:
    from .authoring import AuthoringError, new_task

    try:
        done = new_task(args.lesson, args.name, args.points, root=args.root, title=args.title,
                        args=args.args)
    except (AuthoringError, OSError) as error:  # OSError: a file that cannot be written
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"added task {done.number}, {args.name}, to {done.solution} and {done.checker}"
          + ("" if done.total_updated else " (state the new total in the introduction)"))
    print(f"next: write the solution and the task's text in {done.solution.name}, the cases in "
          f"_{args.name}_cases of {done.checker.name}, then `make lesson N={args.lesson}`")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlpcourse")
    commands = parser.add_subparsers(dest="command", required=True)
    ex = commands.add_parser("exercises", help="generate exercises/ from solutions/")
    ex.add_argument("--solutions", default="solutions")
    ex.add_argument("--exercises", default="exercises")
    ex.add_argument("--force", action="store_true",
                    help="move edited exercise files aside (to *.edited-<time>.ipynb) first")
    _grade_parser(commands)
    mg = commands.add_parser("merge", help="join the CSVs of `grade --shard i/n` runs")
    mg.add_argument("shards", nargs="+", metavar="SHARD_CSV")
    mg.add_argument("--csv", dest="csv_path", required=True, help="the merged CSV")
    mg.add_argument("--submissions", nargs="*", default=None, metavar="PATH",
                    help="check that every notebook under these paths has rows")
    _new_task_parser(commands)
    from . import student

    student.add_parsers(commands)  # start, update: the student's working folder
    args = parser.parse_args(argv)
    if args.command in ("start", "update"):
        return student.run(args)

    if args.command == "new-task":
        return _new_task(args)

    if args.command == "exercises":
        from .assignments import EditedExerciseError, generate

        try:
            written = generate(args.solutions, args.exercises, force=args.force)
        except (EditedExerciseError, FileNotFoundError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"{len(written)} exercise notebooks in {args.exercises}/")
        return 0

    from .grader import SOLUTIONS, grade, merge
    from .grading.sandbox import Limits, SandboxUnavailable

    if args.command == "merge":
        try:
            rows = merge(args.shards, args.csv_path, args.submissions)
        except (ValueError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"{len(rows)} rows of {len({r.notebook for r in rows})} notebooks in "
              f"{args.csv_path}")
        return 0

    try:
        limits = Limits(memory_bytes=args.memory << 20)
        grade(args.paths, args.csv_path, args.solutions or SOLUTIONS, args.timeout,
              jobs=args.jobs, resume=args.resume, shard=args.shard, assignment=args.assignment,
              sandbox=not args.no_sandbox, notebook_timeout=args.notebook_timeout,
              limits=limits, seed=args.seed, report_dir=args.report,
              report_format=args.report_format, report_by=args.report_by, overwrite=False)
    except (FileNotFoundError, FileExistsError, ValueError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: every sandbox was stopped; the CSV keeps the notebooks graded so far "
              "(--resume continues)", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
