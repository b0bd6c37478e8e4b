#!/usr/bin/env bash
# The benchmark, in one command: builds what it needs, starts its own Kafka and PostgreSQL, and
# measures every job (throughput vs the COPY ceiling, freshness, memory). Not part of the tests.
# Writes docs/BENCHMARKS.md and docs/benchmarks.png. Flags: ./bench/run.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> building (first run downloads dependencies from Maven Central)"
mvn -B -q -ntp -DskipTests install -pl bench -am
mvn -B -q -ntp -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
data_dir=bench-data
for ((i = 1; i <= $#; i++)); do
  if [[ "${!i}" == "--data-dir" ]]; then j=$((i + 1)); data_dir="${!j:-bench-data}"; fi
done
mkdir -p "$data_dir"
exec java -Xmx3g -Djava.awt.headless=true -Dbench.log.file="$data_dir/bench.log" -Dbench.command="./bench/run.sh $*" \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.flinkpipelines.bench.Bench "$@"
