#!/usr/bin/env bash
# The flink-pipelines demo, in one command: builds what it needs, then starts Kafka, PostgreSQL,
# a local Flink cluster (web UI at http://localhost:8081), the jobs and the generator, and prints
# a live summary until Ctrl+C. Flags: ./demo/run.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> building (first run downloads dependencies from Maven Central)"
mvn -B -q -ntp -DskipTests install -pl demo -am
mvn -B -q -ntp -pl demo dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
data_dir=demo-data
for ((i = 1; i <= $#; i++)); do
  if [[ "${!i}" == "--data-dir" ]]; then j=$((i + 1)); data_dir="${!j}"; fi
done
mkdir -p "$data_dir"
exec java -Xmx3g -Ddemo.log.file="$data_dir/demo.log" \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  -cp "demo/target/classes:$(cat demo/target/classpath.txt)" dev.flinkpipelines.demo.Demo "$@"
