# Read by gunicorn from the working directory (the Docker image's /app, the benchmarks).
# The Server header names no software or version: nothing to look up a vulnerability by.
from gunicorn.http import wsgi

wsgi.SERVER = "fact-check-desk"  # type: ignore[attr-defined]
