#!/usr/bin/env bash
# Builds the bundle a GPU machine runs (it has CUDA, nvcc and PyTorch, but no JDK): a jlink-trimmed
# JDK, the adjoint jar, the CUDA tests with JUnit, the golden cases they read, the benchmark
# programs and run.sh. Run it here, where the JDK and Maven are; copy the folder (or the .tar.gz)
# to the GPU machine and run ./run.sh there. Usage: tools/gpu/bundle.sh [OUT_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$root/target/gpu-bundle}
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# Maven's local repository: -Dmaven.repo.local from MAVEN_OPTS, else the default.
repo=$(printf '%s\n' ${MAVEN_OPTS:-} | sed -n 's/^-Dmaven.repo.local=//p' | tail -1)
repo=${repo:-$HOME/.m2/repository}

(cd "$root" && mvn -B -q -o install -DskipTests)
rm -rf "$out"
mkdir -p "$out/tests" "$out/lib" "$out/codegen-cuda" "$out/compiler/src/test/resources" "$out/examples/src/main"

# The JDK: what the CUDA paths need (java.base has the foreign linker); no javac, no AWT: the GPU
# machine runs the CUDA backend only, and the jar stays within the 64 MiB a GPU machine takes.
"$java_home/bin/jlink" --add-modules java.base,java.compiler,java.logging,java.management \
  --strip-debug --no-header-files --no-man-pages --compress zip-9 --output "$out/jdk"

cp "$root/cli/target/adjoint.jar" "$out/"
cp -r "$root/codegen-cuda/target/test-classes" "$out/tests/codegen-cuda"
cp -r "$root/runtime/target/test-classes" "$out/tests/runtime"
cp -r "$root/compiler/src/test/resources/goldens" "$out/compiler/src/test/resources/"
cp -r "$root/examples/src/main/adjoint" "$out/examples/src/main/"
# JUnit, at the versions the build uses.
jupiter=$(ls "$repo/org/junit/jupiter/junit-jupiter-api" | sort -V | grep '^5\.11\.' | tail -1)
platform=$(ls "$repo/org/junit/platform/junit-platform-launcher" | sort -V | grep '^1\.11\.' | tail -1)
for a in junit-jupiter-api junit-jupiter-engine junit-jupiter-params; do
  cp "$repo/org/junit/jupiter/$a/$jupiter/$a-$jupiter.jar" "$out/lib/"
done
for a in junit-platform-commons junit-platform-engine junit-platform-launcher; do
  cp "$repo/org/junit/platform/$a/$platform/$a-$platform.jar" "$out/lib/"
done
cp "$(ls "$repo"/org/opentest4j/opentest4j/*/opentest4j-*.jar | sort -V | tail -1)" "$out/lib/"
cp "$(ls "$repo"/org/apiguardian/apiguardian-api/*/apiguardian-api-*.jar | sort -V | tail -1)" "$out/lib/"
"$java_home/bin/javac" -d "$out/tests/launcher" -cp "$out/lib/*" "$root/tools/gpu/GpuTests.java"

cp -r "$root/tools/gpu/programs" "$out/"
cp "$root/tools/gpu/run.sh" "$root/tools/gpu/bench.py" "$out/"
tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"
size=$(du -sm "$out" | cut -f1)
echo "bundle: $out ($size MiB; $(du -m "$out.tar.gz" | cut -f1) MiB as $out.tar.gz)"
if [ "$size" -gt 64 ]; then
  echo "bundle: larger than the 64 MiB a GPU machine takes" >&2
  exit 1
fi
