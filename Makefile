# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test lint format migrate sample worker clean

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

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) staticfiles media db.sqlite3 var
