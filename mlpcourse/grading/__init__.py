"""Grading submitted notebooks safely (the command line is ``python -m mlpcourse grade``, run by
:mod:`mlpcourse.grader`).

- :mod:`.submissions`: reading a submission defensively; which assignment, seed and shard;
- :mod:`.sandbox` and :mod:`.limits`: one notebook's run in bubblewrap, its limits and watchdog;
- :mod:`.harness` (inside the sandbox): runs the student's code and calls its functions;
- :mod:`.tasks`: the graded tasks, whose expected answers are computed in the grader process;
- :mod:`.rows` and :mod:`.reports`: the CSV, shards and merge, and the lecturer's pages.
"""
