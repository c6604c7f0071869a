# ltv-workbench. `make demo` and `make test` each set up .venv by themselves on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench bench-small bench-large lab lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bayes]"
	@touch $(STAMP)

install: $(STAMP)

## demo: build the demo shop, import it, run its weekly report; prints the index.html path
demo: $(STAMP)
	$(BIN)/ltv demo
	$(BIN)/ltv run demo

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

## bench: 1,000,000-customer demo shop; ratios against lifetimes in the same run (see README.md, "Benchmark")
bench: $(STAMP)
	$(BIN)/python bench/run.py --customers 1000000

## bench-large: 3,000,000 customers (about 9 M orders): it must finish with every process under 8 GiB
bench-large: $(STAMP)
	$(BIN)/python bench/run.py --customers 3000000

## bench-small: the same benchmark on 50,000 customers, to try it quickly
bench-small: $(STAMP)
	$(BIN)/python bench/run.py --customers 50000

## lab: JupyterLab on notebooks/ with the project's registered kernel (ltv-workbench)
lab: $(STAMP)
	$(BIN)/python -c "from ltvlib.report import ensure_kernel; print('kernel:', ensure_kernel())"
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root) --LabApp.news_url=None \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate  # nothing fetched from the internet

lint: $(STAMP)
	$(BIN)/ruff check ltvlib tests bench

clean:
	rm -rf data/demo reports/demo bench/data
