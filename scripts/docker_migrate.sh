#!/bin/sh
# Applies sql/migrations and sql/views to a PostGIS server with psql, recording them in the same
# bookkeeping tables as `policylink migrate` (so either can be used afterwards).
# Used by the `migrate` service of docker-compose.yml; needs PGHOST/PGUSER/PGDATABASE/PGPASSWORD.
set -eu
SQL=${SQL_DIR:-/sql}
psql -v ON_ERROR_STOP=1 -q <<'EOS'
CREATE TABLE IF NOT EXISTS schema_migration (version text PRIMARY KEY, name text NOT NULL,
    sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS schema_view_file (name text PRIMARY KEY, sha256 text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now());
EOS
for f in "$SQL"/migrations/*.sql; do
  name=$(basename "$f" .sql); version=${name%%_*}
  sum=$(sha256sum "$f" | cut -d' ' -f1)
  done_sum=$(psql -tAq -c "SELECT sha256 FROM schema_migration WHERE version = '$version'")
  if [ -n "$done_sum" ]; then
    [ "$done_sum" = "$sum" ] || { echo "migration $name was edited after it was applied" >&2; exit 1; }
    continue
  fi
  echo "applying $name"
  { echo "BEGIN;"; cat "$f"; echo ";"
    echo "INSERT INTO schema_migration(version, name, sha256) VALUES ('$version', '$name', '$sum');"
    echo "COMMIT;"; } | psql -v ON_ERROR_STOP=1 -q
done
# views: idempotent files, applied in order in one transaction
{ echo "BEGIN;"
  for f in "$SQL"/views/*.sql; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .sql); sum=$(sha256sum "$f" | cut -d' ' -f1)
    cat "$f"; echo ";"
    echo "INSERT INTO schema_view_file(name, sha256) VALUES ('$name', '$sum') ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now();"
  done
  echo "COMMIT;"; } | psql -v ON_ERROR_STOP=1 -q
echo "schema up to date"
