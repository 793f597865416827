"""PyTorch references for the standard models of nn.adj, in float64.

Each model is built twice:

* from torch.nn (nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerDecoderLayer),
  with the Adjoint params copied in: this is the independent implementation whose outputs
  become the goldens;
* as explicit tensor math following the paper, used only to cross-check the first (which
  catches a wrongly mapped parameter, e.g. a missing transpose).

Param layout (nn.adj): weights are [in, out] matrices applied as x @ w + b, while torch.nn
stores [out, in] and computes x @ W.T + b, so every weight is transposed when copied in.

    MultiHeadAttention:  wq bq wk bk wv bv wo bo
    LayerNorm:           gamma beta
    FeedForward:         inner.w inner.b outer.w outer.b          (linear -> relu -> linear)
    EncoderLayer:        self_attn.* norm1.* ffn.* norm2.*
    DecoderLayer:        self_attn.* norm1.* cross_attn.* norm2.* ffn.* norm3.*
    Transformer:         embed.table encoder.<i>.* decoder.<i>.*

Masks are passed as `Mask(attn=..., key_padding=...)`: an additive float mask [T, S] and/or a
bool [B, S] that is true at padding keys.

Gradients: `*_state(p)` gives a module's parameters as functions of the Adjoint params (the same
transposes and concatenations as the copies), and `run_*(..., state=)` runs the module with them
(torch.nn.utils.stateless.functional_call), so autograd carries the gradients of the module's
parameters back to the Adjoint params.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import stateless

from golden_lib import Draw

EPS = 1e-5  # torch.nn.LayerNorm's default, and layer_norm's in the prelude


@dataclass
class Mask:
    attn: torch.Tensor | None = None         # float [T, S], added to the scores
    key_padding: torch.Tensor | None = None  # bool [B, S], true = padding (score -inf)

    def additive(self) -> torch.Tensor:
        """The mask as one additive tensor broadcasting against scores [B, H, T, S]."""
        total = torch.zeros(())
        if self.attn is not None:
            total = total + self.attn
        if self.key_padding is not None:
            pad = torch.zeros(self.key_padding.shape).masked_fill(self.key_padding, float("-inf"))
            total = total + pad[:, None, None, :]
        return total


# ---- params ---------------------------------------------------------------------------------

def prefixed(prefix: str, params: dict) -> dict:
    return {f"{prefix}.{k}": v for k, v in params.items()}


def sub(params: dict, prefix: str) -> dict:
    start = prefix + "."
    return {k[len(start):]: v for k, v in params.items() if k.startswith(start)}


def mha_params(d: Draw, D: int, bias: bool = True) -> dict:
    p = {}
    for name in ("q", "k", "v", "o"):
        p[f"w{name}"] = d.weight(D, D)
        if bias:
            p[f"b{name}"] = d.bias(D)
    return p


def layer_norm_params(d: Draw, D: int) -> dict:
    return {"gamma": d.gamma(D), "beta": d.beta(D)}


def feed_forward_params(d: Draw, D: int, Fw: int) -> dict:
    return {"inner.w": d.weight(D, Fw), "inner.b": d.bias(Fw), "outer.w": d.weight(Fw, D), "outer.b": d.bias(D)}


def encoder_layer_params(d: Draw, D: int, Fw: int) -> dict:
    return {**prefixed("self_attn", mha_params(d, D)), **prefixed("norm1", layer_norm_params(d, D)),
            **prefixed("ffn", feed_forward_params(d, D, Fw)), **prefixed("norm2", layer_norm_params(d, D))}


def decoder_layer_params(d: Draw, D: int, Fw: int) -> dict:
    return {**prefixed("self_attn", mha_params(d, D)), **prefixed("norm1", layer_norm_params(d, D)),
            **prefixed("cross_attn", mha_params(d, D)), **prefixed("norm2", layer_norm_params(d, D)),
            **prefixed("ffn", feed_forward_params(d, D, Fw)), **prefixed("norm3", layer_norm_params(d, D))}


def transformer_params(d: Draw, V: int, D: int, Fw: int, N: int) -> dict:
    p = {"embed.table": d.normal(V, D)}
    for i in range(N):
        p.update(prefixed(f"encoder.{i}", encoder_layer_params(d, D, Fw)))
    for i in range(N):
        p.update(prefixed(f"decoder.{i}", decoder_layer_params(d, D, Fw)))
    return p


# ---- torch.nn modules with the params copied in --------------------------------------------

def mha_state(p: dict) -> dict:
    """nn.MultiheadAttention's parameters from the Adjoint params (differentiable)."""
    s = {"in_proj_weight": torch.cat([p["wq"].T, p["wk"].T, p["wv"].T]), "out_proj.weight": p["wo"].T}
    if "bq" in p:
        s["in_proj_bias"] = torch.cat([p["bq"], p["bk"], p["bv"]])
        s["out_proj.bias"] = p["bo"]
    return s


def _norm_state(p: dict) -> dict:
    return {"weight": p["gamma"], "bias": p["beta"]}


def _ffn_state(p: dict) -> dict:
    return {"linear1.weight": p["inner.w"].T, "linear1.bias": p["inner.b"],
            "linear2.weight": p["outer.w"].T, "linear2.bias": p["outer.b"]}


def encoder_layer_state(p: dict) -> dict:
    return {**prefixed("self_attn", mha_state(sub(p, "self_attn"))),
            **prefixed("norm1", _norm_state(sub(p, "norm1"))), **prefixed("norm2", _norm_state(sub(p, "norm2"))),
            **_ffn_state(sub(p, "ffn"))}


def decoder_layer_state(p: dict) -> dict:
    return {**prefixed("self_attn", mha_state(sub(p, "self_attn"))),
            **prefixed("multihead_attn", mha_state(sub(p, "cross_attn"))),
            **prefixed("norm1", _norm_state(sub(p, "norm1"))), **prefixed("norm2", _norm_state(sub(p, "norm2"))),
            **prefixed("norm3", _norm_state(sub(p, "norm3"))), **_ffn_state(sub(p, "ffn"))}


def _call(m: nn.Module, state, *args, **kwargs):
    """The module with its own parameters, or with `state` in their place."""
    if state is None:
        return m(*args, **kwargs)
    missing = {name for name, _ in m.named_parameters()} - set(state)
    if missing:
        raise ValueError(f"state lacks {sorted(missing)}")
    return stateless.functional_call(m, state, args, kwargs)


def _copy(dst: torch.Tensor, src: torch.Tensor):
    if dst.shape != src.shape:
        raise ValueError(f"shape {tuple(src.shape)} does not fit {tuple(dst.shape)}")
    dst.copy_(src)


@torch.no_grad()
def torch_mha(p: dict, D: int, H: int) -> nn.MultiheadAttention:
    bias = "bq" in p
    m = nn.MultiheadAttention(D, H, dropout=0.0, bias=bias, batch_first=True)
    _copy(m.in_proj_weight, torch.cat([p["wq"].T, p["wk"].T, p["wv"].T]))
    _copy(m.out_proj.weight, p["wo"].T)
    if bias:
        _copy(m.in_proj_bias, torch.cat([p["bq"], p["bk"], p["bv"]]))
        _copy(m.out_proj.bias, p["bo"])
    return m.train()  # training mode with dropout 0: the plain (not the fused inference) path


def run_mha(m: nn.MultiheadAttention, q_in, kv_in, mask: Mask, state=None) -> torch.Tensor:
    return _call(m, state, q_in, kv_in, kv_in, attn_mask=mask.attn, key_padding_mask=mask.key_padding,
                 need_weights=False)[0]


@torch.no_grad()
def _load_norm(norm: nn.LayerNorm, p: dict):
    _copy(norm.weight, p["gamma"])
    _copy(norm.bias, p["beta"])


@torch.no_grad()
def _load_ffn(linear1: nn.Linear, linear2: nn.Linear, p: dict):
    _copy(linear1.weight, p["inner.w"].T)
    _copy(linear1.bias, p["inner.b"])
    _copy(linear2.weight, p["outer.w"].T)
    _copy(linear2.bias, p["outer.b"])


@torch.no_grad()
def torch_encoder_layer(p: dict, D: int, H: int, Fw: int, norm_first: bool = False) -> nn.TransformerEncoderLayer:
    m = nn.TransformerEncoderLayer(D, H, Fw, dropout=0.0, activation="relu", layer_norm_eps=EPS,
                                   batch_first=True, norm_first=norm_first)
    src = torch_mha(sub(p, "self_attn"), D, H)
    m.self_attn.load_state_dict(src.state_dict())
    _load_norm(m.norm1, sub(p, "norm1"))
    _load_norm(m.norm2, sub(p, "norm2"))
    _load_ffn(m.linear1, m.linear2, sub(p, "ffn"))
    return m.train()


def run_encoder_layer(m, x, mask: Mask, state=None):
    return _call(m, state, x, src_mask=mask.attn, src_key_padding_mask=mask.key_padding)


@torch.no_grad()
def torch_decoder_layer(p: dict, D: int, H: int, Fw: int, norm_first: bool = False) -> nn.TransformerDecoderLayer:
    m = nn.TransformerDecoderLayer(D, H, Fw, dropout=0.0, activation="relu", layer_norm_eps=EPS,
                                   batch_first=True, norm_first=norm_first)
    m.self_attn.load_state_dict(torch_mha(sub(p, "self_attn"), D, H).state_dict())
    m.multihead_attn.load_state_dict(torch_mha(sub(p, "cross_attn"), D, H).state_dict())
    _load_norm(m.norm1, sub(p, "norm1"))
    _load_norm(m.norm2, sub(p, "norm2"))
    _load_norm(m.norm3, sub(p, "norm3"))
    _load_ffn(m.linear1, m.linear2, sub(p, "ffn"))
    return m.train()


def run_decoder_layer(m, y, memory, self_mask: Mask, memory_mask: Mask, state=None):
    return _call(m, state, y, memory, tgt_mask=self_mask.attn, memory_mask=memory_mask.attn,
                 tgt_key_padding_mask=self_mask.key_padding, memory_key_padding_mask=memory_mask.key_padding)


# ---- explicit math (the cross-check) ---------------------------------------------------------

def explicit_mha(p: dict, H: int, q_in, kv_in, mask: Mask, rotate=None):
    """rotate: applied to the queries and keys of every head ([B, H, T, Dh]), e.g. RoPE."""
    B, T, D = q_in.shape
    S = kv_in.shape[1]
    Dh = D // H
    wq, wk, wv, wo = p["wq"], p["wk"], p["wv"], p["wo"]
    zero = torch.zeros(D)
    q = (q_in @ wq + p.get("bq", zero)).reshape(B, T, H, Dh).permute(0, 2, 1, 3)
    k = (kv_in @ wk + p.get("bk", zero)).reshape(B, S, H, Dh).permute(0, 2, 1, 3)
    if rotate is not None:
        q, k = rotate(q), rotate(k)
    v = (kv_in @ wv + p.get("bv", zero)).reshape(B, S, H, Dh).permute(0, 2, 1, 3)
    weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(Dh) + mask.additive(), dim=-1)
    heads = (weights @ v).permute(0, 2, 1, 3).reshape(B, T, D)
    return heads @ wo + p.get("bo", zero)


def explicit_layer_norm(p: dict, x):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + EPS) * p["gamma"] + p["beta"]


def explicit_ffn(p: dict, x):
    return torch.relu(x @ p["inner.w"] + p["inner.b"]) @ p["outer.w"] + p["outer.b"]


def explicit_encoder_layer(p: dict, H: int, x, mask: Mask, norm_first: bool = False, rotate=None):
    """rotate: rotary self-attention, whose params are under self_attn.attn (reverse_rope.adj)."""
    ln1, ln2 = (lambda t: explicit_layer_norm(sub(p, "norm1"), t)), (lambda t: explicit_layer_norm(sub(p, "norm2"), t))
    self_attn = sub(p, "self_attn.attn") if rotate is not None else sub(p, "self_attn")
    attn = lambda t: explicit_mha(self_attn, H, t, t, mask, rotate)
    ffn = lambda t: explicit_ffn(sub(p, "ffn"), t)
    if norm_first:
        h = x + attn(ln1(x))
        return h + ffn(ln2(h))
    h = ln1(x + attn(x))
    return ln2(h + ffn(h))


def explicit_decoder_layer(p: dict, H: int, y, memory, self_mask: Mask, memory_mask: Mask, norm_first=False,
                           rotate=None):
    """rotate: as explicit_encoder_layer; cross-attention is never rotated."""
    ln = lambda i: (lambda t: explicit_layer_norm(sub(p, f"norm{i}"), t))
    self_params = sub(p, "self_attn.attn") if rotate is not None else sub(p, "self_attn")
    self_attn = lambda t: explicit_mha(self_params, H, t, t, self_mask, rotate)
    cross = lambda t: explicit_mha(sub(p, "cross_attn"), H, t, memory, memory_mask)
    ffn = lambda t: explicit_ffn(sub(p, "ffn"), t)
    if norm_first:
        h1 = y + self_attn(ln(1)(y))
        h2 = h1 + cross(ln(2)(h1))
        return h2 + ffn(ln(3)(h2))
    h1 = ln(1)(y + self_attn(y))
    h2 = ln(2)(h1 + cross(h1))
    return ln(3)(h2 + ffn(h2))


# ---- the Transformer -------------------------------------------------------------------------

def causal(T: int) -> torch.Tensor:
    return torch.triu(torch.full((T, T), float("-inf")), diagonal=1)


def positional_encoding(T: int, D: int) -> torch.Tensor:
    """The sinusoids of the paper, written as in the Annotated Transformer."""
    position = torch.arange(T, dtype=torch.float64)[:, None]
    div_term = torch.exp(torch.arange(0, D, 2, dtype=torch.float64) * -(math.log(10000.0) / D))
    pe = torch.zeros(T, D)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe


def transformer_logits(p: dict, src, tgt_in, V, D, H, Fw, N, explicit: bool = False, differentiable=False,
                       positions=None, rotate=None):
    """The logits; with differentiable=True the torch.nn layers run on p through their state, so
    that autograd reaches p. positions(length) gives the vectors added to the scaled embeddings
    (default: the sinusoids); rotate makes every self-attention rotary (explicit math only)."""
    if rotate is not None and not explicit:
        raise ValueError("rotary self-attention exists here as explicit math only")
    positions = positions or (lambda length: positional_encoding(length, D))
    table = p["embed.table"]
    S, T = src.shape[1], tgt_in.shape[1]
    src_pad = Mask(key_padding=src == 0)
    x = F.embedding(src, table) * math.sqrt(D) + positions(S)
    for i in range(N):
        lp = sub(p, f"encoder.{i}")
        x = (explicit_encoder_layer(lp, H, x, src_pad, rotate=rotate) if explicit
             else run_encoder_layer(torch_encoder_layer(lp, D, H, Fw), x, src_pad,
                                    state=encoder_layer_state(lp) if differentiable else None))
    y = F.embedding(tgt_in, table) * math.sqrt(D) + positions(T)
    for i in range(N):
        lp = sub(p, f"decoder.{i}")
        y = (explicit_decoder_layer(lp, H, y, x, Mask(attn=causal(T)), src_pad, rotate=rotate) if explicit
             else run_decoder_layer(torch_decoder_layer(lp, D, H, Fw), y, x, Mask(attn=causal(T)), src_pad,
                                    state=decoder_layer_state(lp) if differentiable else None))
    return y @ table.T


def transformer_loss(logits, tgt_out, smoothing=0.1):
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), tgt_out.reshape(-1), ignore_index=-1, label_smoothing=smoothing)


def agree(name: str, golden: torch.Tensor, check: torch.Tensor, tol: float = 1e-12):
    """Fails loudly when the torch.nn result and the explicit math differ."""
    scale = max(1.0, golden.abs().max().item())
    diff = (golden - check).abs().max().item()
    if not diff <= tol * scale:
        raise AssertionError(f"{name}: torch.nn and explicit math differ by {diff:g}")
