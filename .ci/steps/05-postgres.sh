#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 for the PostgreSQL store and Quartz tests (installs Debian's package if
# absent); the tests find it through SCM_TEST_POSTGRES, and in CI they fail rather than skip without it.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash eng/postgres.sh start "$CI_ENV" "$CI_CLEANUP" >/dev/null
