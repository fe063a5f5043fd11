# The course's commands. `make lab` opens the course; `make test` runs every test.
# Each target sets up the virtual environment first if it is missing or stale: the learner's
# set (requirements.lock) for every target, plus the test set (requirements-dev.lock) for
# `make test` and `make lint` only.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
PORT   ?= 8888
LAB_FLAGS ?=
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: venv dev-venv lab test lint notebooks html bench release clean

# Create the virtual environment, install one lock into it, then the course's own package.
define setup
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r $(1)
	$(PIP) --no-deps -e .
endef

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(call setup,requirements.lock)
	touch $(STAMP)

# The learner's set plus the test tools (pytest, nbval, hypothesis, ruff, Playwright), in one
# pip run: requirements-dev.lock pins the learner's set too, at the same versions.
dev-venv: $(DEV_STAMP)

$(DEV_STAMP): requirements-dev.lock requirements.lock pyproject.toml
	$(call setup,requirements-dev.lock)
	touch $(STAMP) $(DEV_STAMP)

# JupyterLab on 127.0.0.1 only, with Jupyter's random token (printed in the URL below).
lab: venv
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb --ServerApp.ip=127.0.0.1 \
	  --ServerApp.port=$(PORT) --ServerApp.root_dir=. $(ROOT_FLAG) $(LAB_FLAGS)

lint: dev-venv
	$(BIN)/ruff check helpers tests notebooks bench scripts

# Unit tests, every notebook under strict nbval, and the browser test, in one pytest run.
test: lint
	$(BIN)/python -m pytest --nbval --nbval-current-env tests notebooks

# Re-execute every notebook top to bottom and save it with its outputs (authors only).
notebooks: venv
	$(BIN)/python scripts/execute_notebooks.py notebooks/*.ipynb

html: venv
	$(BIN)/python scripts/build_html.py

bench: venv
	$(BIN)/python bench/run_all.py

# The learner edition, made by nbgrader (an instructor's tool, in the test set): a complete
# learner repository in $(RELEASE)/ to publish as the learners' template repository.
RELEASE ?= release
release: dev-venv
	$(BIN)/python scripts/build_release.py --out $(RELEASE)

clean:
	rm -rf $(VENV) build site *.egg-info
