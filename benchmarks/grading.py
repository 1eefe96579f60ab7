"""How fast ``python -m mlpcourse grade`` grades a class: notebooks per second per core.

Grades the same submissions with ``--jobs 1`` and ``--jobs 2`` (each notebook in its bubblewrap
sandbox), and once with ``--no-sandbox`` (what the sandbox costs); ``--nbgrader`` adds
``nbgrader autograde`` on the same notebooks (benchmarks/grading_nbgrader.py)::

    .venv/bin/python benchmarks/grading.py                 # 3 students x 8 lessons
    .venv/bin/python benchmarks/grading.py --students solution --lessons 03 05
    .venv/bin/python benchmarks/grading.py --nbgrader --out grading.json

The default students of every lesson are B's (benchmarks/grading_nbgrader.py): ``untouched``
(the exercise as generated), ``solution`` and ``partial`` (some tasks solved, some untouched,
some wrong). Per core means notebooks / wall second / jobs (jobs never above the core count).
The load average is printed: above the core count the machine was busy and the numbers say
little.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

STUDENTS = ("untouched", "solution", "partial")


def make_submissions(folder: Path, students=STUDENTS, lessons=None) -> list[Path]:
    """Write ``<student>_<lesson>.ipynb`` for every lesson (or those whose name starts with one
    of ``lessons``) into ``folder``; return the paths."""
    from grading_nbgrader import partial_states, partial_submission

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for solution_path in sorted((ROOT / "solutions").glob("*.ipynb")):
        lesson = solution_path.stem
        if lessons and not any(lesson.startswith(prefix) for prefix in lessons):
            continue
        solution = nbformat.read(str(solution_path), as_version=4)
        exercise = nbformat.read(str(ROOT / "exercises" / solution_path.name), as_version=4)
        made = {"untouched": exercise, "solution": solution,
                "partial": partial_submission(exercise, solution, partial_states(solution))}
        for student in students:
            path = folder / f"{student}_{lesson}.ipynb"
            nbformat.write(made[student], str(path))
            paths.append(path)
    return paths


def time_grader(paths: list[Path], jobs: int, sandbox: bool, cell_timeout: float) -> dict:
    """Grade ``paths`` once; wall and CPU seconds (the grader and every process it waited for)."""
    from mlpcourse.grader import grade
    from mlpcourse.grading import sandbox as sandboxing

    counted = []  # the sandboxes' own CPU time (cpuacct cgroup), when this machine has one
    real_run = sandboxing.run

    def counting_run(*args, **kwargs):
        result = real_run(*args, **kwargs)
        counted.append(result.cpu_seconds)
        return result

    sandboxing.run = counting_run
    load_start = os.getloadavg()[0]
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                  resource.RUSAGE_CHILDREN)]
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        with open(Path(tmp) / "log.txt", "w") as log:
            start = time.perf_counter()
            rows = grade(paths, Path(tmp) / "grades.csv", jobs=jobs, sandbox=sandbox,
                         cell_timeout=cell_timeout, out=log, seed=1)
            wall = time.perf_counter() - start
    sandboxing.run = real_run
    after = [resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                 resource.RUSAGE_CHILDREN)]
    self_cpu, waited_cpu = (a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime
                            for a, b in zip(after, before, strict=True))
    # a sandbox's processes are not all waited for by the grader: count them by cgroup
    cpu = self_cpu + (sum(counted) if counted and None not in counted else waited_cpu)
    scores: dict[str, float] = {}
    for row in rows:
        key = Path(row.notebook).stem
        scores[key] = scores.get(key, 0.0) + row.points
    return {"grader": "mlpcourse grade" + ("" if sandbox else " --no-sandbox"), "jobs": jobs,
            "sandbox": "bwrap" if sandbox else "none", "notebooks": len(paths), "wall_s": wall,
            "cpu_s": cpu, "notebooks_per_s": len(paths) / wall,
            "notebooks_per_s_per_core": len(paths) / wall / jobs,
            "notebooks_per_cpu_s": len(paths) / cpu if cpu else None,
            "load_average": [load_start, os.getloadavg()[0]], "scores": scores}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", nargs="+", choices=STUDENTS, default=list(STUDENTS))
    parser.add_argument("--lessons", nargs="*", default=None,
                        help="lesson name prefixes (default: every lesson)")
    parser.add_argument("--jobs", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--no-sandbox-run", action="store_true",
                        help="also grade once with --no-sandbox (--jobs 1): the sandbox's cost")
    parser.add_argument("--nbgrader", action="store_true",
                        help="also time nbgrader autograde on the same notebooks")
    parser.add_argument("--cell-timeout", type=float, default=120.0)
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    if max(args.jobs) > cores:
        parser.error(f"--jobs {max(args.jobs)} is more than the {cores} cores of this machine")

    results = []
    with tempfile.TemporaryDirectory(prefix="grading-bench-subs-") as tmp:
        paths = make_submissions(Path(tmp), args.students, args.lessons)
        runs = [(jobs, True) for jobs in args.jobs]
        if args.no_sandbox_run:
            runs.append((1, False))
        for jobs, sandbox in runs:
            results.append(time_grader(paths, jobs, sandbox, args.cell_timeout))
        if args.nbgrader:
            from grading_nbgrader import benchmark

            results.append(benchmark([str(p) for p in paths],
                                     cell_timeout=int(args.cell_timeout)))
    print(f"{len(paths)} notebooks ({', '.join(args.students)}), {cores} cores")
    print(f"{'grader':<32} {'jobs':>4} {'wall s':>8} {'CPU s':>8} {'nb/s':>7} "
          f"{'nb/s/core':>9} {'nb/CPU s':>8} {'load':>10}")
    for r in results:
        load = "-".join(f"{x:.1f}" for x in r["load_average"])
        print(f"{r['grader']:<32} {r['jobs']:>4} {r['wall_s']:>8.1f} {r['cpu_s']:>8.1f} "
              f"{r['notebooks_per_s']:>7.3f} {r['notebooks_per_s_per_core']:>9.3f} "
              f"{(r['notebooks_per_cpu_s'] or 0):>8.3f} {load:>10}")
    if any(max(r["load_average"]) > cores for r in results):
        print(f"note: the load average went above {cores} (other work on the machine): "
              "compare rows of this run only, do not quote the absolute numbers")
    mine = [r for r in results if r["grader"] == "mlpcourse grade"]
    if len({r["jobs"] for r in mine}) > 1:
        one = min(mine, key=lambda r: r["jobs"])
        for r in mine:
            if r is not one:
                print(f"--jobs {r['jobs']}: {one['wall_s'] / r['wall_s']:.2f}x the speed of "
                      f"--jobs {one['jobs']} (linear: {r['jobs'] / one['jobs']:.0f}x)")
    theirs = [r for r in results if r["grader"] == "nbgrader autograde"]
    if mine and theirs:  # both graders must agree on honest work
        nbgrader = {key.split("/", 1)[1].split("_", 1)[1]: got
                    for key, (got, _) in theirs[0]["scores"].items()}
        differ = sorted(k for k, got in mine[0]["scores"].items() if nbgrader.get(k) != got)
        print(f"same total as nbgrader on {len(mine[0]['scores']) - len(differ)} of "
              f"{len(mine[0]['scores'])} notebooks" + (f"; differ: {differ}" if differ else ""))
    if args.out:
        args.out.write_text(json.dumps({"cores": cores, "results": results}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
