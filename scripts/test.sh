#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the tools the tests use, then runs every test
# (unit, real clients, namespaces, QEMU boots). Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-deps.sh
exec mvn -B verify "$@"
