#!/usr/bin/env bash
# Runs the whole test suite on this machine: installs what the tests need (Debian packages for QEMU
# guests, Anvil and solc into .tools/, the guest image), then runs every module's tests with Maven.
# Extra arguments go to Maven, e.g. `scripts/test.sh -pl jobs`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -z "${JAVA_HOME:-}" ]; then
  echo "test.sh: JAVA_HOME is not set and /usr/lib/jvm/temurin-25-jdk-amd64 does not exist; install JDK 25 and set JAVA_HOME" >&2
  exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"

scripts/install-system-packages.sh
scripts/install-tools.sh
scripts/build-guest-image.sh

mvn -B -ntp verify "$@"
