# Wijkregie: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= demo

.PHONY: install run test bench seed migrate worker beat openapi clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(PY) manage.py migrate --noinput

# make seed [SCALE=demo|tiny|leeuwarden|amsterdam]: demo data into an empty database (README "Demo logins");
# every scale but demo needs PostgreSQL (DATABASE_URL).
seed: migrate
	$(PY) manage.py seed_demo --scale $(SCALE)

run: migrate
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py demo_logins
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# make bench [SCALE=tiny|demo|leeuwarden|amsterdam]: PostgreSQL (DATABASE_URL) and, for the worker latency, REDIS_URL.
BENCH_SCALE = $(if $(filter command line environment,$(origin SCALE)),$(SCALE),leeuwarden)
bench: install
	SCALE=$(BENCH_SCALE) LOG_LEVEL=$${LOG_LEVEL:-WARNING} $(PY) -m pytest tests/bench -p no:cacheprovider -s -m bench --no-header $(PYTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

openapi: install
	$(PY) manage.py spectacular --file config/openapi.yaml --validate

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3

# --- Backup and restore (PostgreSQL only; README "Backup and restore") ---------------------------
# make backup                      -> $(BACKUP_DIR)/wijkregie-<UTC timestamp>.dump (pg_dump custom format)
# make restore FILE=<dump>         -> pg_restore --clean --if-exists into DATABASE_URL, in one transaction
# Backups hold personal data: they are written readable by their owner only; keep them encrypted.
BACKUP_DIR ?= backups

.PHONY: backup restore

define require_postgres
case "$$DATABASE_URL" in \
  postgres://*|postgresql://*) ;; \
  "") echo "make $@: DATABASE_URL is niet gezet, dus Wijkregie gebruikt SQLite." >&2; \
      echo "Back-up en herstel met pg_dump/pg_restore werken alleen met PostgreSQL. De SQLite-database" \
           "voor ontwikkeling is één bestand (db.sqlite3): kopieer dat terwijl de server stilstaat." >&2; exit 2;; \
  *) echo "make $@: DATABASE_URL wijst niet naar PostgreSQL (postgres://...)." >&2; \
     echo "Back-up en herstel met pg_dump/pg_restore werken alleen met PostgreSQL." >&2; exit 2;; \
esac
endef

backup:
	@$(require_postgres); \
	umask 077; mkdir -p "$(BACKUP_DIR)" || exit 1; \
	file="$(BACKUP_DIR)/wijkregie-$$(date -u +%Y%m%dT%H%M%SZ).dump"; \
	if [ -e "$$file" ]; then echo "make backup: $$file bestaat al; probeer het over een seconde opnieuw." >&2; exit 1; fi; \
	if pg_dump --format=custom --dbname="$$DATABASE_URL" --file="$$file.partial"; then \
	  mv "$$file.partial" "$$file"; \
	else \
	  rm -f "$$file.partial"; echo "make backup: pg_dump is mislukt; er is geen back-up gemaakt." >&2; exit 1; \
	fi; \
	echo "Back-up gemaakt: $$file"

restore:
	@if [ -z "$(FILE)" ]; then echo "Gebruik: make restore FILE=$(BACKUP_DIR)/wijkregie-<tijdstip>.dump" >&2; exit 2; fi; \
	if [ ! -f "$(FILE)" ]; then echo "make restore: het bestand $(FILE) bestaat niet." >&2; exit 2; fi; \
	$(require_postgres); \
	echo "Terugzetten van $(FILE) (bestaande Wijkregie-tabellen in deze database worden vervangen)..."; \
	if pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
	     --dbname="$$DATABASE_URL" "$(FILE)"; then \
	  echo "Teruggezet. Controleer het auditlog met: $(PY) manage.py verify_audit_log"; \
	else \
	  echo "make restore: pg_restore is mislukt; er is niets veranderd (alles in één transactie)." >&2; exit 1; \
	fi
