# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Tests run on PostgreSQL; pytest-django creates and drops its own test database.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/trustnet
export TEST_DATABASE_URL

.PHONY: run test venv dev-venv messages lint clean worker beat

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core for the accessibility tests (npm registry; package-lock.json pins it).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: $(BIN)/.installed
dev-venv: $(BIN)/.installed-dev

# Compiled message catalogues are build output, not source.
messages: $(BIN)/.installed
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

# `make run PORT=8001` serves on another port; PORT also gives SITE_URL's default (trustnet/settings.py),
# so links in the demo's emails, PDFs and metadata point at the running site.
PORT ?= 8000
run: $(BIN)/.installed messages
	DEBUG=true PORT=$(PORT) $(BIN)/python manage.py migrate --no-input -v0
	DEBUG=true PORT=$(PORT) $(BIN)/python manage.py proxy_signing_key --if-missing
	DEBUG=true PORT=$(PORT) $(BIN)/python manage.py load_demo
	DEBUG=true PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(BIN)/.installed-dev node_modules/.installed messages
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=trustnet.test_settings $(BIN)/python manage.py makemigrations --check --dry-run -v1
	DJANGO_SETTINGS_MODULE=trustnet.test_settings $(BIN)/python manage.py check
	$(BIN)/pytest

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .

worker: $(BIN)/.installed
	$(BIN)/celery -A trustnet worker --loglevel=INFO

beat: $(BIN)/.installed
	$(BIN)/celery -A trustnet beat --loglevel=INFO --schedule=var/celerybeat-schedule

clean:
	rm -rf $(VENV) db.sqlite3 var
