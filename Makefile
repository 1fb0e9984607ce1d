# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test` runs the suite twice: on SQLite, then on this PostgreSQL server
# with Redis as the cache. pytest-django creates and drops its own test_*
# databases there.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/shortscience
TEST_CACHE_URL ?= redis://127.0.0.1:6379/0
PYTEST_WORKERS ?= 2

.PHONY: install run serve test test-sqlite test-postgres lint format migrate sample worker bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,demos]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

sample: migrate
	$(BIN)/python manage.py load_sample_content
	$(BIN)/python manage.py load_demo_notebooks

# The worker runs demo notebooks. Without CELERY_BROKER_URL it uses the
# embedded broker (folders under var/broker); on a host with an NVIDIA GPU
# it takes GPU runs too. It stops when the server stops.
DEMO_QUEUES := default,demos-cpu$(shell nvidia-smi -L >/dev/null 2>&1 && echo ,demos-gpu)
WORKER := $(BIN)/celery -A shortscience worker -B -Q $(DEMO_QUEUES) \
	--pool prefork --concurrency 1 --max-tasks-per-child 200 \
	--without-mingle --without-gossip \
	--schedule var/celerybeat-schedule --loglevel INFO --logfile var/worker.log

run: sample
	@echo "Serving ShortScience on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	@echo "Demo worker on queues $(DEMO_QUEUES); its log is var/worker.log"
	@mkdir -p var
	@$(WORKER) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install
	$(WORKER)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint test-sqlite test-postgres

test-sqlite: install
	env -u DATABASE_URL -u CACHE_URL -u REDIS_URL \
		$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

test-postgres: install
	@pg_isready -q -d "$(TEST_DATABASE_URL)" || { \
		echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL): start it," \
		"set TEST_DATABASE_URL, or run only 'make test-sqlite'." >&2; exit 1; }
	DATABASE_URL="$(TEST_DATABASE_URL)" CACHE_URL="$(TEST_CACHE_URL)" \
		$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

# Benchmarks: generates BENCH_PAPERS papers and BENCH_SUMMARIES summaries in
# BENCH_DATABASE_URL (dropped and refilled when the sizes change), then
# writes docs/benchmarks.md. Needs PostgreSQL, Redis and, ideally, wrk.
BENCH_PAPERS ?= 100000
BENCH_SUMMARIES ?= 100000
BENCH_PAGE_SECONDS ?= 10
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/shortscience_bench
BENCH_CACHE_URL ?= redis://127.0.0.1:6379/0

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" BENCH_CACHE_URL="$(BENCH_CACHE_URL)" \
		$(BIN)/python bench/run_all.py --papers $(BENCH_PAPERS) \
		--summaries $(BENCH_SUMMARIES) --page-seconds $(BENCH_PAGE_SECONDS)

clean:
	rm -rf $(VENV) staticfiles media db.sqlite3 var
