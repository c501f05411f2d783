# The commands people type. Everything installs into .venv from pinned files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DUCKDB_DATABASE ?= $(CURDIR)/data/warehouse/cx.duckdb
# One "planned" event per asset for a range of days, not one per day (orchestration/definitions.py).
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS ?= true

# Sample data: generated deterministically (fixed seed) into data/landing.
SAMPLE_START ?= 2025-07-01
SAMPLE_DAYS ?= 92
SAMPLE_SCALE ?= 1.0

# The KPI dashboard (Streamlit) over the published marts.
DASHBOARD_PORT ?= 8501

.PHONY: install sample manifest suites run backfill bench test test-spark lint ui dashboard clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

# The spark extra (dbt-spark, pyspark) for `make test-spark`, same constraints.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev,spark]"
	touch $(SPARK_STAMP)

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $@

data/landing/_manifest.json: | $(STAMP)
	$(BIN)/python -m orchestration.samples --out data/landing \
		--start $(SAMPLE_START) --days $(SAMPLE_DAYS) --scale $(SAMPLE_SCALE)

sample: data/landing/_manifest.json

# What is derived from orchestration/sources.yml and entities.yml: dbt's source declarations and
# the staging models' list of sources, the Great Expectations suites (with expectations/rules.yml),
# and dbt's manifest, which Dagster reads to build the dbt assets.
manifest: $(STAMP)
	$(BIN)/python -m orchestration.lib.generate

suites: manifest

run: install sample manifest $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m orchestration.run
	@echo "Dashboard: make dashboard, then open http://127.0.0.1:8501"

backfill: install manifest $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m orchestration.run --start $(START) --end $(END) $(if $(FULL_REFRESH),--full-refresh)

# Benchmark against the plain-SQL floor (BENCHMARKS.md); results in data/bench/results.json.
BENCH_DAYS ?= 30
BENCH_SCALE ?= 1
BENCH_START ?= 2024-01-01
BENCH_SEED ?= 42
BENCH_STAGES ?= generate,full,floor,nightly
bench: install manifest
	$(BIN)/python -m orchestration.bench --days $(BENCH_DAYS) --scale $(BENCH_SCALE) --start $(BENCH_START) \
		--seed $(BENCH_SEED) --stages $(BENCH_STAGES)

test: install manifest
	$(BIN)/python -m pytest -m "not spark"

# The project built on Apache Spark (local pyspark, Java 17) and every mart compared with DuckDB.
test-spark: $(SPARK_STAMP) manifest
	$(BIN)/python -m pytest -m spark

lint: install
	$(BIN)/ruff check orchestration tests dashboard
	$(BIN)/ruff format --check orchestration tests dashboard
	DUCKDB_DATABASE=$(CURDIR)/data/warehouse/lint.duckdb $(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

ui: install manifest $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

dashboard: install
	$(BIN)/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port $(DASHBOARD_PORT) \
		--server.headless true --browser.gatherUsageStats false

clean:
	rm -rf data/warehouse/*.duckdb* data/quality dbt_project/target .dagster_home .spark
