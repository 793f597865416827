"""The first 100 training steps of a small Transformer in PyTorch: the loss curve that
`adjoint train`'s machinery must reproduce (TrainingEquivalenceTest, within 1e-4 in f32).

The model is built from torch.nn modules that own their parameters — nn.Embedding,
nn.TransformerEncoderLayer and nn.TransformerDecoderLayer (post-norm, ReLU, dropout 0) — and
trained with torch.optim.Adam (the paper's betas 0.9/0.98, eps 1e-9), the paper's learning-rate
schedule through LambdaLR, torch.nn.utils.clip_grad_norm_ and
F.cross_entropy(label_smoothing=0.1, ignore_index=-1): nothing here is a transcription of the
Adjoint program or of its optimiser. What the two share is the architecture of nn.adj's
Transformer(V, D, H, F, N) (embeddings times sqrt(D) plus sinusoidal positions, N encoder and N
decoder layers without final norms, the output projection tied to the embedding) and the files
written here:

    init.safetensors   the initial params, under the Adjoint names and layout (weights [in, out])
    src.npy            int32 [STEPS, B, S]     source ids, 0 = padding
    tgt_in.npy         int32 [STEPS, B, T]     BOS then the target, 0 = padding
    tgt_out.npy        int32 [STEPS, B, T]     the target then EOS, -1 = padding
    loss.npy           float32 [STEPS]         the loss of each step, before its update
    settings.properties  the sizes and hyper-parameters, for the Java test

Every batch is padded to the longest sequence of the whole run; trailing padding changes
nothing (masked keys, ignored labels, causal attention) and the Java test trims each batch to
its own longest sequence, as adjoint train's batcher does.

Run:  /usr/bin/python3 tools/reference/train_equivalence.py
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

OUT = Path(__file__).resolve().parents[2] / "train/src/test/resources/dev/adjoint/train/train_equivalence"

V, D, H, FF, N = 16, 16, 2, 32, 2
STEPS, B, MAX_LEN = 100, 8, 6
# adjoint train's defaults: noam with warm-up 200 and scale 1, clipping at norm 1.
WARMUP, LR_SCALE, CLIP, SMOOTHING = 200, 1.0, 1.0, 0.1
PAD, BOS, EOS, FIRST = 0, 1, 2, 3
SEED = 20261121


class Seq2Seq(nn.Module):
    """nn.adj's Transformer(V, D, H, F, N) from torch.nn parts."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, D)
        nn.init.normal_(self.embed.weight, 0.0, D ** -0.5)
        self.encoder = nn.ModuleList(
            nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation="relu", batch_first=True)
            for _ in range(N))
        self.decoder = nn.ModuleList(
            nn.TransformerDecoderLayer(D, H, FF, dropout=0.0, activation="relu", batch_first=True)
            for _ in range(N))

    @staticmethod
    def positions(length: int) -> torch.Tensor:
        p = torch.arange(length, dtype=torch.float32)[:, None]
        i = torch.arange(0, D, 2, dtype=torch.float32)
        angle = p / torch.pow(torch.tensor(10000.0), i / D)
        pe = torch.zeros(length, D)
        pe[:, 0::2] = torch.sin(angle)
        pe[:, 1::2] = torch.cos(angle)
        return pe

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        padding = src == PAD
        x = self.embed(src) * math.sqrt(D) + self.positions(src.shape[1])
        for layer in self.encoder:
            x = layer(x, src_key_padding_mask=padding)
        y = self.embed(tgt_in) * math.sqrt(D) + self.positions(tgt_in.shape[1])
        causal = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
        for layer in self.decoder:
            y = layer(y, x, tgt_mask=causal, memory_key_padding_mask=padding)
        return y @ self.embed.weight.T


def perturb(model: Seq2Seq, g: torch.Generator):
    """torch's initial biases are 0 and norms 1 and 0; random ones exercise their gradients too."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name:
                p.add_(0.1 * torch.randn(p.shape, generator=g))


def adjoint_params(model: Seq2Seq) -> dict[str, np.ndarray]:
    """The params under nn.adj's names; torch's [out, in] weights become [in, out]."""
    out = {"transformer.embed.table": model.embed.weight}

    def attention(prefix, m: nn.MultiheadAttention):
        wq, wk, wv = m.in_proj_weight.chunk(3)
        bq, bk, bv = m.in_proj_bias.chunk(3)
        for n, t in [("wq", wq.T), ("bq", bq), ("wk", wk.T), ("bk", bk), ("wv", wv.T), ("bv", bv),
                     ("wo", m.out_proj.weight.T), ("bo", m.out_proj.bias)]:
            out[f"{prefix}.{n}"] = t

    def norm(prefix, m: nn.LayerNorm):
        out[f"{prefix}.gamma"], out[f"{prefix}.beta"] = m.weight, m.bias

    def ffn(prefix, layer):
        out[f"{prefix}.inner.w"], out[f"{prefix}.inner.b"] = layer.linear1.weight.T, layer.linear1.bias
        out[f"{prefix}.outer.w"], out[f"{prefix}.outer.b"] = layer.linear2.weight.T, layer.linear2.bias

    for i, layer in enumerate(model.encoder):
        p = f"transformer.encoder.{i}"
        attention(f"{p}.self_attn", layer.self_attn)
        norm(f"{p}.norm1", layer.norm1)
        ffn(f"{p}.ffn", layer)
        norm(f"{p}.norm2", layer.norm2)
    for i, layer in enumerate(model.decoder):
        p = f"transformer.decoder.{i}"
        attention(f"{p}.self_attn", layer.self_attn)
        norm(f"{p}.norm1", layer.norm1)
        attention(f"{p}.cross_attn", layer.multihead_attn)
        norm(f"{p}.norm2", layer.norm2)
        ffn(f"{p}.ffn", layer)
        norm(f"{p}.norm3", layer.norm3)
    return {k: v.detach().contiguous().numpy().astype(np.float32) for k, v in out.items()}


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]):
    """The safetensors format by hand (8-byte little-endian header length, JSON header, data)."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def batches(g: torch.Generator):
    """STEPS batches of reversed digit strings of 1..MAX_LEN tokens, padded to MAX_LEN (+1 for BOS/EOS)."""
    src = np.zeros((STEPS, B, MAX_LEN), np.int32)
    tgt_in = np.zeros((STEPS, B, MAX_LEN + 1), np.int32)
    tgt_out = np.full((STEPS, B, MAX_LEN + 1), -1, np.int32)
    for s in range(STEPS):
        for b in range(B):
            n = int(torch.randint(1, MAX_LEN + 1, (1,), generator=g))
            tokens = torch.randint(FIRST, FIRST + 10, (n,), generator=g).numpy()
            target = tokens[::-1]
            src[s, b, :n] = tokens
            tgt_in[s, b, 0] = BOS
            tgt_in[s, b, 1:n + 1] = target
            tgt_out[s, b, :n] = target
            tgt_out[s, b, n] = EOS
    return src, tgt_in, tgt_out


def trimmed(a: np.ndarray, pad: int) -> np.ndarray:
    """One batch without the columns that are padding in every row."""
    used = np.nonzero((a != pad).any(axis=0))[0]
    return a[:, : used[-1] + 1]


def noam(step: int) -> float:
    return LR_SCALE * D ** -0.5 * min(step ** -0.5, step * WARMUP ** -1.5)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    g = torch.Generator().manual_seed(SEED)
    model = Seq2Seq()
    perturb(model, g)
    model.train()  # dropout is 0: training mode changes nothing but is how one trains
    src, tgt_in, tgt_out = batches(g)
    OUT.mkdir(parents=True, exist_ok=True)
    write_safetensors(OUT / "init.safetensors", adjoint_params(model))

    optimizer = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    # LambdaLR counts from 0 and multiplies lr=1.0; adjoint's steps count from 1.
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: noam(epoch + 1))
    losses = []
    for s in range(STEPS):
        source = torch.from_numpy(trimmed(src[s], PAD)).long()
        target_in = torch.from_numpy(trimmed(tgt_in[s], PAD)).long()
        target_out = torch.from_numpy(tgt_out[s][:, : target_in.shape[1]]).long()
        logits = model(source, target_in)
        loss = F.cross_entropy(logits.reshape(-1, V), target_out.reshape(-1), ignore_index=-1,
                               label_smoothing=SMOOTHING)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())

    np.save(OUT / "src.npy", src)
    np.save(OUT / "tgt_in.npy", tgt_in)
    np.save(OUT / "tgt_out.npy", tgt_out)
    np.save(OUT / "loss.npy", np.array(losses, np.float32))
    (OUT / "settings.properties").write_text(
        f"# written by tools/reference/train_equivalence.py\n"
        f"V={V}\nD={D}\nH={H}\nF={FF}\nN={N}\nsteps={STEPS}\nbatch={B}\nwarmup={WARMUP}\nlr_scale={LR_SCALE}\n"
        f"clip={CLIP}\nsmoothing={SMOOTHING}\n")
    print(f"train_equivalence: loss {losses[0]:.4f} -> {losses[-1]:.4f} over {STEPS} steps; wrote {OUT}")


if __name__ == "__main__":
    main()
