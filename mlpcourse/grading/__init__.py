"""Grading submitted notebooks safely: a sandbox per notebook (:mod:`.sandbox`), the harness that
runs inside it (:mod:`.harness`), and the tasks whose expected answers are computed in the grader
process (:mod:`.tasks`). The command line is ``python -m mlpcourse grade`` (see
:mod:`mlpcourse.grader`)."""
