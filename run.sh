#!/usr/bin/env bash
# Runs CityOps in demo mode on http://127.0.0.1:5080 (override with --urls URL or ASPNETCORE_URLS).
# With no ConnectionStrings__CityOps, CityOps keeps its own PostgreSQL cluster in ./.cityops/pg.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "run.sh: the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH" >&2
  exit 1
fi

has_pg_binaries() {
  [ -n "${CITYOPS_PG_BIN:-}" ] && [ -x "${CITYOPS_PG_BIN}/initdb" ] && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if [ -z "${ConnectionStrings__CityOps:-}" ] && ! has_pg_binaries; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "run.sh: installing the PostgreSQL server binaries (apt-get install postgresql)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "run.sh: the PostgreSQL server binaries are missing: install them with 'sudo apt-get install postgresql'," >&2
    echo "        or set ConnectionStrings__CityOps to use an existing PostgreSQL server." >&2
    exit 1
  fi
fi

export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
export Database__DataDirectory="${Database__DataDirectory:-$PWD/.cityops/pg}"
exec dotnet run -c Release --no-launch-profile --project src/CityOps.Web -- "$@"
