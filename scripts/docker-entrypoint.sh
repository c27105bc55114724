#!/bin/sh
# Container entry point. Without SECRET_KEY in the environment, a random key is made once
# and kept on the shared `secrets` volume, so `docker compose up` works with no set-up and
# sessions survive restarts. Set SECRET_KEY explicitly in real deployments.
set -eu
if [ -z "${SECRET_KEY:-}" ]; then
  key_file=/app/.secrets/secret_key
  if [ ! -s "$key_file" ]; then
    umask 077
    python -c 'import secrets; print(secrets.token_urlsafe(50))' > "$key_file.tmp"
    mv "$key_file.tmp" "$key_file" 2>/dev/null || rm -f "$key_file.tmp"
  fi
  SECRET_KEY=$(cat "$key_file")
  export SECRET_KEY
fi
exec "$@"
