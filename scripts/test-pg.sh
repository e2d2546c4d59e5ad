#!/bin/sh
# Runs the whole suite again against PostgreSQL (each run in a fresh schema, dropped after).
# Without a reachable server it says so and passes: the SQLite pass already ran.
URL="${TALKCAST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
if ! .venv/bin/python - "$URL" <<'PY'
import sys
import psycopg
from sqlalchemy.engine import make_url

u = make_url(sys.argv[1])
try:
    psycopg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password,
        dbname=u.database, connect_timeout=3,
    ).close()
except Exception as exc:
    print(f"PostgreSQL pass skipped: cannot connect to {u.host}:{u.port or 5432} ({exc})")
    sys.exit(1)
PY
then
    exit 0
fi
echo "PostgreSQL pass: $URL"
TALKCAST_DATABASE_URL="$URL" exec .venv/bin/pytest -q
