#!/usr/bin/env python3
"""Generated CUDA against PyTorch on the same GPU: one line per benchmark with both times and the ratio.

ratio = PyTorch time / Adjoint time, so above 1.0 Adjoint is faster. Adjoint's times are its
`adjoint bench --backend cuda` medians: inputs copied to the GPU once, the kernels of each run
timed with CUDA events. PyTorch's are medians of CUDA-event timings after warm-up. Adjoint runs
f32 (its CLI computes in f32 or f64); PyTorch is timed in f32 (TF32 off) and, for reference, in
bf16. Softmax and layer norm also print the bandwidth reached, against a device-to-device copy.
"""
import argparse
import shlex
import statistics
import subprocess
import sys

import torch
import torch.nn.functional as F


def cuda_ms(fn, warmup=5, iters=20):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def adjoint_ms(args, program, entry, dims, grad=False):
    cmd = shlex.split(args.adjoint) + ["bench", f"{args.programs}/{program}", "--entry", entry, "--backend", "cuda",
                                       "--warmup", "3", "--iters", "10"]
    for k, v in dims.items():
        cmd += ["--dim", f"{k}={v}"]
    if grad:
        cmd.append("--grad")
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        print(f"  adjoint bench failed: {' '.join(cmd)}\n{run.stdout}{run.stderr}", file=sys.stderr)
        return float("nan")
    last = run.stdout.strip().splitlines()[-1]
    return float(last.split()[0].split("=")[1])


def row(name, torch_ms, ours_ms, extra=""):
    ratio = torch_ms / ours_ms if ours_ms == ours_ms and ours_ms > 0 else float("nan")
    print(f"{name:<44} torch {torch_ms:10.3f} ms   adjoint {ours_ms:10.3f} ms   ratio {ratio:6.2f}  {extra}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--adjoint", required=True, help="the command that runs adjoint")
    parser.add_argument("--programs", required=True, help="the folder of the benchmark .adj programs")
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("bench: PyTorch sees no GPU", file=sys.stderr)
        return 1
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = "cuda"
    print(f"device: {torch.cuda.get_device_name()}  torch {torch.__version__}  CUDA {torch.version.cuda}")

    # Bandwidth reference: a device-to-device copy of 1 GiB.
    big = torch.empty(256 * 1024 * 1024, device=dev)
    copy_ms = cuda_ms(lambda: big.clone())
    hbm = 2 * big.numel() * 4 / copy_ms / 1e6
    print(f"measured HBM bandwidth (clone of 1 GiB): {hbm:.0f} GB/s")
    del big

    n = 1024 if args.quick else 4096
    a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
    t32 = cuda_ms(lambda: a @ b)
    tbf = cuda_ms(lambda: a.bfloat16() @ b.bfloat16())
    row(f"matmul {n}^3 f32 (torch bf16 {tbf:.3f} ms)", t32, adjoint_ms(args, "matmul.adj", "matmul", {"M": n, "N": n, "K": n}))

    r, c = (1024, 4096) if args.quick else (16384, 4096)
    x = torch.randn(r, c, device=dev)
    gamma, beta = torch.ones(c, device=dev), torch.zeros(c, device=dev)
    ts = cuda_ms(lambda: torch.softmax(x, -1))
    ours = adjoint_ms(args, "softmax.adj", "row_softmax", {"R": r, "C": c})
    row(f"softmax [{r}, {c}] f32", ts, ours, f"adjoint {2 * r * c * 4 / ours / 1e6 / hbm:.0%} of HBM")
    tl = cuda_ms(lambda: F.layer_norm(x, (c,), gamma, beta))
    ours = adjoint_ms(args, "layer_norm.adj", "norm", {"R": r, "C": c})
    row(f"layer_norm [{r}, {c}] f32", tl, ours, f"adjoint {2 * r * c * 4 / ours / 1e6 / hbm:.0%} of HBM")

    heads = 16
    for t in ([1024] if args.quick else [1024, 2048, 4096, 8192]):
        q, k, v = (torch.randn(1, heads, t, 128, device=dev) for _ in range(3))
        for causal in (False, True):
            tf = cuda_ms(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal))
            qb, kb, vb = q.bfloat16(), k.bfloat16(), v.bfloat16()
            tb = cuda_ms(lambda: F.scaled_dot_product_attention(qb, kb, vb, is_causal=causal))
            ours = adjoint_ms(args, "sdpa.adj", "sdpa_causal" if causal else "sdpa", {"B": 1, "H": heads, "T": t})
            row(f"sdpa T={t} d=128 {'causal' if causal else 'full'} f32 (torch bf16 {tb:.3f} ms)", tf, ours)

    bsz, seq = (2, 128) if args.quick else (8, 512)
    layer = torch.nn.TransformerEncoderLayer(512, 8, 2048, dropout=0.0, batch_first=True).to(dev)
    xs = torch.randn(bsz, seq, 512, device=dev, requires_grad=True)

    def step(model):
        def run():
            model(xs).sum().backward()
        return run

    eager = cuda_ms(step(layer))
    compiled = cuda_ms(step(torch.compile(layer)), warmup=10)
    ours = adjoint_ms(args, "encoder_step.adj", "Encoder.forward", {"B": bsz, "T": seq}, grad=True)
    row(f"encoder layer step B={bsz} T={seq} (eager)", eager, ours)
    row(f"encoder layer step B={bsz} T={seq} (torch.compile)", compiled, ours)
    return 0


if __name__ == "__main__":
    sys.exit(main())
