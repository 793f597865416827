"""The encoder-layer training step of encoder_layer_*.adj, and a 1024 sgemm, in PyTorch eager on the CPU.

The layer is the one of the Adjoint prelude (nn.adj EncoderLayer): post-norm, multi-head
self-attention with biases, dropout 0.1 on the attention output, on the feed-forward hidden
activations and on the feed-forward output; the loss is the mean square against a target, and
backward computes the gradient of every param and of the input. Prints the timing in the format of
`adjoint bench`: the last line is `median_ms=<x> min_ms=<y> iters=<n>`.

Run with Debian's python3-torch: /usr/bin/python3 encoder_step_pytorch.py encoder --batch 8 --seq 128 ...
"""
import argparse
import math
import statistics
import time

import torch
import torch.nn.functional as F


def encoder_step(args):
    B, T, D, H, FF = args.batch, args.seq, args.dim, args.heads, args.ffn
    Dk = D // H
    g = torch.Generator().manual_seed(0)

    def param(*shape, scale=0.05):
        return (torch.randn(*shape, generator=g) * scale).requires_grad_()

    wq, wk, wv, wo = (param(D, D) for _ in range(4))
    bq, bk, bv, bo = (param(D) for _ in range(4))
    g1, b1n, g2, b2n = (param(D) for _ in range(4))
    w1, bb1, w2, bb2 = param(D, FF), param(FF), param(FF, D), param(D)
    params = [wq, bq, wk, bk, wv, bv, wo, bo, g1, b1n, w1, bb1, w2, bb2, g2, b2n]
    x = torch.randn(B, T, D, generator=g).requires_grad_()
    target = torch.randn(B, T, D, generator=g)

    def split(t):
        return t.view(B, T, H, Dk).transpose(1, 2)

    def step():
        for p in params:
            p.grad = None
        x.grad = None
        q, k, v = split(x @ wq + bq), split(x @ wk + bk), split(x @ wv + bv)
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(Dk) + 0.0, dim=-1)
        attended = (probs @ v).transpose(1, 2).reshape(B, T, D) @ wo + bo
        h = F.layer_norm(x + F.dropout(attended, 0.1, True), (D,), g1, b1n, 1e-5)
        hidden = F.dropout(torch.relu(h @ w1 + bb1), 0.1, True)
        y = F.layer_norm(h + F.dropout(hidden @ w2 + bb2, 0.1, True), (D,), g2, b2n, 1e-5)
        loss = ((y - target) ** 2).mean()
        loss.backward()
        return loss

    return step


def sgemm(args):
    n = args.n
    g = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    return lambda: torch.matmul(a, b)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["encoder", "sgemm"])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--ffn", type=int, default=2048)
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iters", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    run = encoder_step(args) if args.what == "encoder" else sgemm(args)
    for _ in range(args.warmup):
        run()
    times = []
    for _ in range(args.iters):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1e3)
    print(f"pytorch {torch.__version__} {args.what} on the CPU, {torch.get_num_threads()} threads")
    print(f"median_ms={statistics.median(times):.3f} min_ms={min(times):.3f} iters={len(times)}")


if __name__ == "__main__":
    main()
