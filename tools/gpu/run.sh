#!/usr/bin/env bash
# On a GPU machine (CUDA driver, nvcc or NVRTC, PyTorch; no JDK), inside the bundle that
# tools/gpu/bundle.sh builds: prints the device, runs the CUDA tests (generated CUDA against the
# kernel interpreter on every golden case, and the driver tests), then benchmarks the generated
# kernels against PyTorch on the same GPU and prints the ratios. Usage: ./run.sh [--tests-only|--bench-only]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
java="$here/jdk/bin/java --enable-native-access=ALL-UNNAMED -Xss16m"
export ADJOINT_CACHE=${ADJOINT_CACHE:-$here/cache}
mode=${1:-all}

nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv || true
nvcc --version | tail -1 || true

status=0
if [ "$mode" != "--bench-only" ]; then
  echo "== CUDA tests"
  cp_tests="$here/adjoint.jar:$here/tests/codegen-cuda:$here/tests/runtime:$here/tests/launcher:$here/lib/*"
  # The tests read the golden cases at ../compiler/src/test/resources/goldens, as in the repository.
  (cd "$here/codegen-cuda" && $java -cp "$cp_tests" GpuTests) || status=$?
  case $status in
    0) echo "CUDA tests: passed" ;;
    2) echo "CUDA tests: skipped: no GPU found (the reason is above)" ;;
    *) echo "CUDA tests: FAILED" ;;
  esac
fi
if [ "$mode" != "--tests-only" ]; then
  echo "== benchmarks against PyTorch"
  python3 "$here/bench.py" --adjoint "$java -jar $here/adjoint.jar" --programs "$here/programs" || status=1
fi
exit $status
