#!/usr/bin/env bash
# Side by side, in one run: the encoder-layer training step (small and base configurations) and a
# 1024 sgemm, in PyTorch eager on the CPU (Debian python3-torch, OpenBLAS) and in generated Java
# (adjoint bench), both on the same number of threads. Runs alternate, Java then PyTorch, ROUNDS
# times, so that load from other processes falls on both; each prints its median, and the ratio
# of medians (PyTorch / Adjoint: above 1 means the generated Java is faster) is computed from the
# median of the per-round medians.
#
# PyTorch runs in each of the ways it can use THREADS threads, and each round counts its best:
# OpenBLAS's threads and PyTorch's intra-op threads are two pools, and with both at THREADS the
# cores are oversubscribed (on 2 idle cores the small step's median then swings from 75 to 130 ms,
# against 41-49 ms with PyTorch's own pool at 1 thread and OpenBLAS at 2). The configurations:
#   blas=T,torch=T (the defaults with torch.set_num_threads(T)), blas=1,torch=T, blas=T,torch=1.
#
#   benchmarks/compare-pytorch.sh                 # everything, 3 rounds, 2 threads
#   ROUNDS=5 THREADS=2 benchmarks/compare-pytorch.sh small sgemm
#
# Needs the build (mvn -q install -DskipTests) and /usr/bin/python3 with torch.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${ROUNDS:-3}
threads=${THREADS:-2}
python=${PYTHON:-/usr/bin/python3}
what=("$@")
[ ${#what[@]} -eq 0 ] && what=(sgemm small base)

median_of() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
median_ms() { sed -n 's/^median_ms=\([0-9.]*\) .*/\1/p' | tail -1; }

# Runs before timing and runs timed, the same on both sides: enough warm-up runs (a second or more)
# for the JIT to have compiled the generated kernels, so that both sides are timed in their steady
# state, as JMH's warm-up iterations do.
runs() {
  case $1 in
    sgemm|small) echo "--warmup 20 --iters 30" ;;
    base) echo "--warmup 10 --iters 20" ;;
  esac
}

adjoint_cmd() {
  case $1 in
    sgemm) echo "$root/adjoint bench $here/src/main/adjoint/sgemm.adj --dim N=1024 $(runs sgemm) --threads $threads" ;;
    small) echo "$root/adjoint bench $root/examples/src/main/adjoint/encoder_layer_small.adj --entry EncoderSmall.loss --grad --train --dim B=32 --dim T=64 $(runs small) --threads $threads" ;;
    base) echo "$root/adjoint bench $root/examples/src/main/adjoint/encoder_layer_base.adj --entry EncoderBase.loss --grad --train --dim B=8 --dim T=128 $(runs base) --threads $threads" ;;
    *) echo "unknown benchmark $1 (sgemm, small, base)" >&2; exit 2 ;;
  esac
}

# pytorch_cmd NAME TORCH_THREADS
pytorch_cmd() {
  case $1 in
    sgemm) echo "$python $here/encoder_step_pytorch.py sgemm --n 1024 $(runs sgemm) --threads $2" ;;
    small) echo "$python $here/encoder_step_pytorch.py encoder --batch 32 --seq 64 --dim 128 --heads 4 --ffn 512 $(runs small) --threads $2" ;;
    base) echo "$python $here/encoder_step_pytorch.py encoder --batch 8 --seq 128 --dim 512 --heads 8 --ffn 2048 $(runs base) --threads $2" ;;
  esac
}

# The ways PyTorch can use $threads threads: "OpenBLAS threads,PyTorch intra-op threads".
configs=("$threads,$threads" "1,$threads" "$threads,1")

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
for w in "${what[@]}"; do
  adjoint_cmd "$w" >/dev/null
  a_times=()
  p_times=()
  for r in $(seq 1 "$rounds"); do
    a=$($(adjoint_cmd "$w") 2>/dev/null | median_ms)
    p=
    shown=()
    for c in "${configs[@]}"; do
      m=$(OPENBLAS_NUM_THREADS=${c%,*} $(pytorch_cmd "$w" "${c#*,}") 2>/dev/null | median_ms)
      shown+=("blas=${c%,*} torch=${c#*,}: $m ms")
      p=$(printf '%s\n' $p $m | sort -g | head -1)
    done
    echo "$w round $r: adjoint ${a} ms, pytorch ${p} ms (best of $(IFS=';'; echo "${shown[*]}" | sed 's/;/; /g'))"
    a_times+=("$a")
    p_times+=("$p")
  done
  a_med=$(printf '%s\n' "${a_times[@]}" | median_of)
  p_med=$(printf '%s\n' "${p_times[@]}" | median_of)
  ratio=$(awk -v p="$p_med" -v a="$a_med" 'BEGIN { printf "%.2f", p / a }')
  echo "$w: adjoint median ${a_med} ms, pytorch median ${p_med} ms, ratio pytorch/adjoint = ${ratio}"
done
