# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Demo: DCGAN on the embedded digits; DEMO_EPOCHS fits about 5 minutes on 2 CPU cores with bf16
# units (about 15 on an AVX2-only CPU; DEMO_EPOCHS=15 shortens it).
DEMO_EPOCHS ?= 50
DEMO_OUT    ?= runs/demo

.PHONY: demo test test-slow lint docs install clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/ganzoo train dcgan --dataset digits --epochs $(DEMO_EPOCHS) --out $(DEMO_OUT) --seed 0 --force
	@echo "Samples: $(DEMO_OUT)/samples/  (final grid: $(DEMO_OUT)/samples/final.png)"

# the suite runs on TEST_WORKERS pytest-xdist workers, a test file per worker at a time (module
# fixtures are trained once); TEST_WORKERS=0 runs it in this process
TEST_WORKERS ?= 2

test: $(STAMP)
	$(VENV)/bin/ruff check ganzoo tests tools benchmarks
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=25 $(PYTEST_ARGS)

# the tests marked slow (benchmark scripts' longest smoke runs); not part of `make test` or CI
test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check ganzoo tests tools benchmarks

docs: $(STAMP)
	$(VENV)/bin/python tools/make_model_cards.py --check
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
