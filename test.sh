#!/usr/bin/env bash
# Installs what the tests need when it is missing (PostgreSQL server binaries, Chromium, redis-server for the
# scale-out tests), builds the solution once and runs every test project. Prints "N passed, N failed" at the end; exits non-zero
# when anything failed.
set -uo pipefail
cd "$(dirname "$0")"

need_apt=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/redis-server ] || need_apt+=(redis-server)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing packages: ${need_apt[*]} (install them with: sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
  echo "test.sh: installing ${need_apt[*]}..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null || {
    echo "test.sh: apt-get install ${need_apt[*]} failed" >&2
    exit 1
  }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
summary="${CITYOPS_TEST_SUMMARY:-$PWD/artifacts/test-summary.txt}"
mkdir -p "$(dirname "$summary")"
: > "$summary"

echo "test.sh: building (Release)..."
if ! dotnet build CityOps.sln -c Release -nologo -v quiet; then
  echo "0 passed, 1 failed" > "$summary"
  echo "test.sh: build failed" >&2
  exit 1
fi

passed=0 failed=0 status=0
for project in tests/CityOps.Tests tests/CityOps.Web.Tests tests/CityOps.IntegrationTests; do
  echo "test.sh: running $project"
  log=$(mktemp)
  dotnet test --project "$project" -c Release --no-build 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  p=$(grep -E '^\s*succeeded:' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
  f=$(grep -E '^\s*failed:' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
  if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
    # The run broke before reporting (crash, hang, no tests): count it as a failure.
    f=1
  fi
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  [ "$rc" -ne 0 ] && status=1
  rm -f "$log"
done

echo "$passed passed, $failed failed" > "$summary"
echo "$passed passed, $failed failed"
exit $status
