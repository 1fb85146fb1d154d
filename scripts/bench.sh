#!/usr/bin/env bash
# Runs one benchmark of BENCHMARKS.md: builds the app module with its test classes, then runs the
# benchmark's main class on the test classpath in a JVM of its own, from the app folder. The
# figures go to standard output; the operator's and Anvil's logs go to app/target/bench/NAME.log
# and app/target/anvil-bench-*.log.
#
# Usage: scripts/bench.sh NAME [JVM_OPTION...]
#   throughput  job throughput and latency against a result-sending-only baseline (in-memory provider)
#   catchup     10,000 calls already on chain before the operator starts
#   memory      operator heap with 10,000 VMs in the store against an empty store
#   qemu        QEMU boot against a plain script, snapshot and restore, operator memory per guest
# JVM options such as -Dbench.calls=200 go to the benchmark's JVM.
#
# The qemu benchmark calls `scripts/bench.sh plain-boot QEMU_ARGUMENT...` for its baseline: it
# runs QEMU with those arguments, reads the serial console from QEMU's standard output, prints the
# milliseconds from launch to the guest's ready line, and ends QEMU.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  sed -n '7,12p' "$0" | sed 's/^# \{0,1\}//'
}

# Prints "ready_ms=N" for one boot of the QEMU command line "$@", whose serial console must be on
# standard output. Timing uses bash's EPOCHREALTIME, so no process start falls inside it except
# QEMU's own.
plain_boot() {
  local ready_line=MICROVM-READY
  local timeout_s=120
  local line start end qemu_pid

  start=${EPOCHREALTIME//[.,]/}
  coproc QEMU { exec "$@" 2>&1; }
  qemu_pid=$QEMU_PID
  end=
  while IFS= read -r -t "$timeout_s" line <&"${QEMU[0]}"; do
    if [[ $line == *"$ready_line"* ]]; then
      end=${EPOCHREALTIME//[.,]/}
      break
    fi
  done

  kill "$qemu_pid" 2>/dev/null || true
  wait "$qemu_pid" 2>/dev/null || true
  if [ -z "$end" ]; then
    echo "bench.sh plain-boot: QEMU printed no $ready_line line within $timeout_s s or exited first" >&2
    exit 1
  fi
  echo "ready_ms=$(( (end - start) / 1000 ))"
}

if [ $# -lt 1 ]; then
  usage >&2
  exit 2
fi
name=$1
shift

if [ "$name" = plain-boot ]; then
  plain_boot "$@"
  exit 0
fi

case "$name" in
  throughput) main_class=io.tangle.microvm.app.bench.JobThroughputBenchmark ;;
  catchup) main_class=io.tangle.microvm.app.bench.CatchUpBenchmark ;;
  memory) main_class=io.tangle.microvm.app.bench.StoreMemoryBenchmark ;;
  qemu) main_class=io.tangle.microvm.app.bench.QemuBenchmark ;;
  -h|--help)
    usage
    exit 0
    ;;
  *)
    usage >&2
    echo "bench.sh: unknown benchmark '$name'; expected throughput, catchup, memory or qemu" >&2
    exit 2
    ;;
esac

if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -z "${JAVA_HOME:-}" ]; then
  echo "bench.sh: JAVA_HOME is not set and /usr/lib/jvm/temurin-25-jdk-amd64 does not exist; install JDK 25 and set JAVA_HOME" >&2
  exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"

cd "$root"
bench_dir=app/target/bench
# Builds only the app module. The other modules come from the local Maven repository, so after
# changing one, install it first (mvn -B -o install -DskipTests).
mvn -q -B -o -pl app install -DskipTests
mkdir -p "$bench_dir"
mvn -q -B -o -pl app dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/$bench_dir/classpath.txt"

# Other builds in this checkout may clean app/target while a benchmark runs, so the benchmark
# runs from a copy of the compiled classes.
classes=$(mktemp -d "${TMPDIR:-/tmp}/microvm-bench-classes.XXXXXX")
trap 'rm -rf "$classes"' EXIT
cp -r app/target/classes "$classes/main"
cp -r app/target/test-classes "$classes/test"
classpath="$classes/test:$classes/main:$(cat "$bench_dir/classpath.txt")"

echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "($(git --no-optional-locks status --porcelain 2>/dev/null | wc -l) uncommitted paths in the working tree;" \
  "modules other than app from ~/.m2)"
# Logback prints a status report on standard output because the test classpath has two
# configurations (the module's logback.xml and logback-test.xml, which wins). The no-op status
# listener keeps that report out of the figures.
command=(java --enable-native-access=ALL-UNNAMED -Dmicrovm.root="$root"
  -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener
  "-Dbench.command=scripts/bench.sh $name${*:+ $*}" "$@" -cp "$classpath" "$main_class")
log_file="$root/$bench_dir/$name.log"
echo "bench.sh: running in app/: ${command[*]:0:4} ${*:+$* }-cp <copy of the app classes>:\$(cat $bench_dir/classpath.txt) $main_class" >&2
echo "bench.sh: log in $log_file" >&2
cd app
if ! "${command[@]}" 2>"$log_file"; then
  echo "bench.sh: benchmark $name failed; last lines of $log_file:" >&2
  tail -n 30 "$log_file" >&2
  exit 1
fi
