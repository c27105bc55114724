# Production image: gunicorn serves the app (static files through WhiteNoise); the same
# image runs the Celery worker and beat. docker-compose.yml wires them to PostgreSQL and Redis.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=newsroom.settings \
    STATIC_MANIFEST=1

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install ".[paraphrase]"

COPY . .
# collectstatic reads the settings, which refuse to load without a key: this one signs nothing.
RUN SECRET_KEY=collectstatic-at-build-time-only python manage.py collectstatic --no-input -v 0 \
    && useradd --system --create-home --uid 1000 newsroom \
    && mkdir -p /app/.secrets \
    && chown -R newsroom /app
USER newsroom

ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
EXPOSE 8000
CMD ["gunicorn", "newsroom.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--access-logfile", "-", "--timeout", "30"]
