# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make lab    create .venv if missing, install the course, open JupyterLab on the first lesson
#   make test   create .venv if missing, install the course and its test tools, run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
OLDEST := .venv-oldest

.PHONY: lab test lint notebooks exercises bench site reexecute-check test-oldest test-nbgrader \
	clean-venv git-nbdime lesson test-wheel

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mlpcourse needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# what a student needs: the course and the lessons' libraries, nothing for tests
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	# build matplotlib's font cache now, so its first-import message never lands in a notebook
	MPLBACKEND=Agg $(PY) -c "import matplotlib.pyplot"
	touch $(STAMP)

# what a developer needs on top: the test, lint and browser tools (the dev extra)
$(DEV_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	@$(GIT_NBDIME)
	touch $(DEV_STAMP)

# readable notebook diffs and merges: .gitattributes routes *.ipynb to the "jupyternotebook"
# drivers, configured here in this clone's .git/config with the venv's nbdime (absolute paths, so
# `git diff` works without activating the venv); `git diff --no-ext-diff` shows the raw JSON
NBDIME := $(abspath $(VENV))/bin
GIT_NBDIME = if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	git config diff.jupyternotebook.command "$(NBDIME)/git-nbdiffdriver diff" && \
	git config merge.jupyternotebook.driver "$(NBDIME)/git-nbmergedriver merge %O %A %B %L %P" && \
	git config merge.jupyternotebook.name "jupyter notebook merge driver (nbdime)" && \
	echo "git: notebooks now diff and merge cell by cell (nbdime) in this clone"; fi
git-nbdime: $(DEV_STAMP)
	@$(GIT_NBDIME)

# JupyterLab refuses to start as root ("Running as root is not recommended") unless given
# --allow-root; containers, cloud VMs and CI run as root, so there it is added (and said).
# LAB_ARGS passes more options, e.g. make lab LAB_ARGS="--no-browser --port=8890"
LAB_ARGS ?=
AS_ROOT := $(shell [ "$$(id -u 2>/dev/null)" = 0 ] && echo --allow-root)
lab: $(STAMP)
	@if [ -n "$(AS_ROOT)" ]; then echo "make lab: running as root, so JupyterLab starts with --allow-root"; fi
	$(VENV)/bin/jupyter lab $(AS_ROOT) --ServerApp.root_dir=. $(LAB_ARGS) notebooks/01_perceptron.ipynb

# every test: ruff, the package tests (make lab serving the first lesson among them), the lessons
# and solutions under nbval (one BLAS thread per pytest worker: two workers on two cores), then
# the lessons and solutions again under two other OpenBLAS kernels, one of them with two threads
# (tools/portability.py: what another CPU computes differs in its last bits)
test: $(DEV_STAMP)
	$(PY) -m ruff check .
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile -m "not nbgrader and not wheel" \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks solutions
	$(PY) tools/portability.py nbval notebooks solutions

lint: $(DEV_STAMP)
	$(PY) -m ruff check .

# re-execute every lesson and solution in place (after changing one), so the committed outputs are
# fresh; drop widget views and timestamps (tools/clean_notebooks.py); regenerate the exercises.
# NOTEBOOKS= limits it to some notebooks; BLAS_THREADS= is for tools/portability.py
NOTEBOOKS ?= notebooks/*.ipynb solutions/*.ipynb
BLAS_THREADS ?= 1
notebooks: $(DEV_STAMP)
	OPENBLAS_NUM_THREADS=$(BLAS_THREADS) $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace $(NOTEBOOKS)
	$(PY) tools/clean_notebooks.py $(NOTEBOOKS)
	$(PY) -m mlpcourse exercises

# one lesson: re-execute and clean notebooks/NN_*.ipynb and solutions/NN_*.ipynb (when the lesson
# has exercises), then regenerate the exercises (only that lesson's can change), e.g.
# make lesson N=05 (N=5 works too)
LESSON_FILES = $(wildcard notebooks/$(N)_*.ipynb notebooks/0$(N)_*.ipynb \
	solutions/$(N)_*.ipynb solutions/0$(N)_*.ipynb)
lesson: $(DEV_STAMP)
	@test -n "$(N)" -a -n "$(LESSON_FILES)" || { echo "make lesson: N must be a lesson number with a notebook in notebooks/ (e.g. N=05); got N=$(N)" >&2; exit 2; }
	$(MAKE) --no-print-directory notebooks NOTEBOOKS="$(LESSON_FILES)"

# `make notebooks` on "another machine" (another OpenBLAS kernel, two threads), in a temporary
# copy: no committed text output may change (PNG bytes may)
reexecute-check: $(DEV_STAMP)
	$(PY) tools/portability.py reexecute notebooks solutions

# the oldest versions pyproject.toml claims (its lower bounds, installed exactly) in $(OLDEST):
# the package tests and every notebook under nbval there
test-oldest:
	test -x $(OLDEST)/bin/python || $(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(PYTHON) tools/oldest.py > $(OLDEST)/constraints.txt
	$(OLDEST)/bin/python -m pip install --quiet -e ".[dev]" -c $(OLDEST)/constraints.txt
	$(OLDEST)/bin/python tools/oldest.py --check
	MPLBACKEND=Agg $(OLDEST)/bin/python -c "import matplotlib.pyplot"
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(OLDEST)/bin/python -m pytest -n 2 --dist loadfile \
		-m "not nbgrader and not wheel" \
		-p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--ignore=tests/browser --ignore=tests/test_make_lab.py tests notebooks solutions

# the nbgrader round trip with nbgrader itself (solutions/ as the source; generate, autograde,
# export): nbgrader's lab and server extensions stay disabled, so `make lab` looks as before
NBGRADER_STAMP := $(VENV)/.installed-nbgrader
$(NBGRADER_STAMP): $(DEV_STAMP)
	$(PY) -m pip install --quiet -e ".[dev,nbgrader]"
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader @jupyter-notebook/lab-extension >/dev/null
	$(VENV)/bin/jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader \
		nbgrader.server_extensions.validate_assignment nbgrader.server_extensions.assignment_list \
		nbgrader.server_extensions.course_list >/dev/null
	touch $(NBGRADER_STAMP)

test-nbgrader: $(NBGRADER_STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -p no:cacheprovider -m nbgrader tests/test_nbgrader_roundtrip.py

# the student's way in: build the wheel, install it into a fresh venv (dependencies from the
# package registry or pip's cache), `python -m mlpcourse start` serves the first lesson, an
# edited exercise survives `update` to a newer version, the installed lessons pass nbval
test-wheel: $(DEV_STAMP)
	$(PY) -m pytest -p no:cacheprovider -m wheel -s tests/test_wheel.py

# exercises/ is generated from solutions/ (never edit it by hand); an exercise a student edited is
# never overwritten (the command stops and says so)
exercises: $(STAMP)
	$(PY) -m mlpcourse exercises

# speed and memory as ratios against references timed in the same run (see benchmarks/README.md)
bench: $(DEV_STAMP)
	$(PY) benchmarks/run.py

# the course as a static website in _site/, from the committed (nbval-checked) outputs
site: $(DEV_STAMP)
	$(PY) tools/build_site.py

clean-venv:
	rm -rf $(VENV) $(OLDEST)
