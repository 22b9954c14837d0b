#!/bin/sh
# One database and one role per service, run once by the postgres image on an empty data volume
# (docker-entrypoint-initdb.d). Each role owns its own database and nothing else; CONNECT is
# revoked from PUBLIC, so no service role can connect to another service's database.
# The passwords come from the environment (docker-compose.yml takes them from .env).
# Changing them in .env later does not change them here: see docs/operating.md.
#
# POSIX sh without `set -u`: the image sources this file instead of running it when the file is
# not executable, and must not inherit shell options from it.

create_service_database() {
    # psql quotes the values itself (:"name" as an identifier, :'password' as a literal).
    psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
        -v name="$1" -v password="$2" <<'SQL'
CREATE ROLE :"name" WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'password';
CREATE DATABASE :"name" WITH OWNER :"name" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
}

create_service_database nomination "${NOMINATION_DB_PASSWORD:?NOMINATION_DB_PASSWORD is not set}" || exit 1
create_service_database review "${REVIEW_DB_PASSWORD:?REVIEW_DB_PASSWORD is not set}" || exit 1
create_service_database publishing "${PUBLISHING_DB_PASSWORD:?PUBLISHING_DB_PASSWORD is not set}" || exit 1
create_service_database awards "${AWARDS_DB_PASSWORD:?AWARDS_DB_PASSWORD is not set}" || exit 1
create_service_database staff "${STAFF_DB_PASSWORD:?STAFF_DB_PASSWORD is not set}" || exit 1

# The maintenance database is for the superuser only.
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
    -c "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;" || exit 1
