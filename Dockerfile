# Wijkregie production image: gunicorn, Celery worker and beat all run from it (docker-compose.yml).

# Front-end assets (NL Design System CSS, Chart.js) come from npm, pinned by package-lock.json.
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
COPY --from=assets /app/node_modules ./node_modules
# collectstatic only reads code and files (no database); the real SECRET_KEY and DATABASE_URL are given at run time.
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused/collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin wijkregie \
    && mkdir -p /app/var \
    && chown wijkregie /app/var

USER wijkregie
EXPOSE 8000
# config/gunicorn.py: bind, workers, and an access log without query strings.
CMD ["gunicorn", "--config=config/gunicorn.py", "config.wsgi:application"]
