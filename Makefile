# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make lab    create .venv if missing, install the course, open JupyterLab on the first lesson
#   make test   create .venv if missing, install the course, run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: lab test lint notebooks exercises bench site clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mlpcourse needs Python 3.11 or newer; found " + sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	# build matplotlib's font cache now, so its first-import message never lands in a notebook
	MPLBACKEND=Agg $(PY) -c "import matplotlib.pyplot"
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/01_perceptron.ipynb

# every test: ruff, the package tests, the lessons and solutions under nbval (one BLAS thread per
# pytest worker: two workers on two cores, no oversubscription)
test: $(STAMP)
	$(PY) -m ruff check .
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks solutions

lint: $(STAMP)
	$(PY) -m ruff check .

# re-execute every lesson and solution in place (after changing one), so the committed outputs are
# fresh; drop widget views and timestamps (tools/clean_notebooks.py); regenerate the exercises
NOTEBOOKS ?= notebooks/*.ipynb solutions/*.ipynb
notebooks: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace $(NOTEBOOKS)
	$(PY) tools/clean_notebooks.py $(NOTEBOOKS)
	$(PY) -m mlpcourse exercises

# exercises/ is generated from solutions/ (never edit it by hand); an exercise a student edited is
# never overwritten (the command stops and says so)
exercises: $(STAMP)
	$(PY) -m mlpcourse exercises

# speed and memory as ratios against references timed in the same run (see benchmarks/README.md)
bench: $(STAMP)
	$(PY) benchmarks/run.py

# the course as a static website in _site/, from the committed (nbval-checked) outputs
site: $(STAMP)
	$(PY) tools/build_site.py

clean-venv:
	rm -rf $(VENV)
