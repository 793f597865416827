"""Golden cases for the prelude (prelude.adj, LANGUAGE.md §6.3) and the models of nn.adj (§6.5).

The expected outputs come from torch.nn.functional and torch.nn modules in float64, not from
the Adjoint definitions.

    /usr/bin/python3 tools/reference/goldens_prelude.py
"""

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import stateless

import reference_models as rm
from golden_lib import Draw, done, write_case


def shape_text(shape, dtype="f64"):
    return f"{dtype}[" + ", ".join(map(str, shape)) + "]" if shape else dtype


def activations():
    cases = [
        ("sigmoid", torch.sigmoid, 3.0),
        ("relu", torch.relu, 1.0),
        ("gelu", F.gelu, 2.0),
        ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), 2.0),
        ("silu", F.silu, 2.0),
        ("softplus", F.softplus, 3.0),
    ]
    for name, fn, std in cases:
        case = f"prelude_{name}"
        x = Draw(case).normal(3, 5, std=std)
        x[0, 0] = 0.0
        if name in ("softplus", "sigmoid", "silu"):
            # Far tails: exp must neither overflow nor lose the small side.
            x[1, 0], x[1, 1], x[1, 2], x[1, 3] = 40.0, -40.0, 700.0, -700.0
        # x = 0 is deliberate: relu'(0) = 0 in Adjoint (LANGUAGE.md 6.1) as in torch.relu; the other
        # functions are smooth there (softplus'(0) = 1/2: the prelude's maximum(x, 0) + log1p(exp(...))
        # must not let its two kinks at 0 give 0).
        write_case(case, f"fn main(x: f64[3, 5]) -> f64[3, 5] = {name}(x)\n", fn(x), inputs={"x": x},
                   description=f"{name}, with x = 0" + (" and far tails" if name in ("softplus", "sigmoid", "silu") else ""),
                   grad=lambda v, fn=fn: fn(v["x"]))


def softmaxes():
    def one(case, call, shape, fn, draw=None, description=""):
        d = Draw(case)
        x = draw(d) if draw else d.normal(*shape, std=2.0)
        write_case(case, f"fn main(x: {shape_text(shape)}) -> {shape_text(shape)} = {call}\n", fn(x),
                   inputs={"x": x}, description=description or call, grad=lambda v: fn(v["x"]))

    one("prelude_softmax", "softmax(x)", (3, 5), lambda x: torch.softmax(x, -1))
    one("prelude_softmax_axis0", "softmax(x, axis=0)", (3, 5), lambda x: torch.softmax(x, 0))
    one("prelude_softmax_3d_middle", "softmax(x, axis=1)", (2, 4, 3), lambda x: torch.softmax(x, 1))
    one("prelude_softmax_large", "softmax(x)", (2, 4), lambda x: torch.softmax(x, -1),
        draw=lambda d: d.normal(2, 4, std=1.0) + torch.tensor([[1000.0], [-1000.0]]),
        description="softmax of values near +-1000: the max is subtracted first")
    one("prelude_log_softmax", "log_softmax(x)", (3, 5), lambda x: F.log_softmax(x, -1))
    one("prelude_log_softmax_axis", "log_softmax(x, axis=-3)", (2, 3, 4), lambda x: F.log_softmax(x, 0))

    case = "prelude_softmax_masked"
    x = Draw(case).normal(4, 4)
    write_case(case, "fn main(x: f64[4, 4]) -> f64[4, 4] = softmax(x + causal_mask(4, dtype=f64))\n",
               torch.softmax(x + rm.causal(4), -1), inputs={"x": x},
               description="softmax of rows with -inf entries (a causal mask)",
               grad=lambda v: torch.softmax(v["x"] + rm.causal(4), -1))


def norms():
    case = "prelude_layer_norm"
    d = Draw(case)
    x, g, b = d.normal(2, 3, 6, std=2.0, mean=0.5), d.gamma(6), d.beta(6)
    write_case(case, "fn main(x: f64[2, 3, 6], g: f64[6], b: f64[6]) -> f64[2, 3, 6] = layer_norm(x, g, b)\n",
               F.layer_norm(x, (6,), g, b, eps=1e-5), inputs={"x": x, "g": g, "b": b},
               description="layer_norm over the last axis, eps 1e-5",
               grad=lambda v: F.layer_norm(v["x"], (6,), v["g"], v["b"], eps=1e-5))

    case = "prelude_layer_norm_eps"
    d = Draw(case)
    x, g, b = d.normal(4, 5, std=0.1), d.gamma(5), d.beta(5)
    write_case(case, "fn main(x: f64[4, 5], g: f64[5], b: f64[5]) -> f64[4, 5] = layer_norm(x, g, b, eps=0.01)\n",
               F.layer_norm(x, (5,), g, b, eps=0.01), inputs={"x": x, "g": g, "b": b},
               description="layer_norm with eps given by keyword, small-variance rows",
               grad=lambda v: F.layer_norm(v["x"], (5,), v["g"], v["b"], eps=0.01))

    def rms(x, g, eps):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * g

    case = "prelude_rms_norm"
    d = Draw(case)
    x, g = d.normal(2, 3, 6, std=2.0), d.gamma(6)
    write_case(case, "fn main(x: f64[2, 3, 6], g: f64[6]) -> f64[2, 3, 6] = rms_norm(x, g)\n",
               rms(x, g, 1e-6), inputs={"x": x, "g": g}, description="rms_norm, eps 1e-6",
               grad=lambda v: rms(v["x"], v["g"], 1e-6))

    case = "prelude_rms_norm_eps"
    d = Draw(case)
    x, g = d.normal(3, 4, std=0.3), d.gamma(4)
    write_case(case, "fn main(x: f64[3, 4], g: f64[4]) -> f64[3, 4] = rms_norm(x, g, eps=0.1)\n",
               rms(x, g, 0.1), inputs={"x": x, "g": g}, description="rms_norm with eps given by keyword",
               grad=lambda v: rms(v["x"], v["g"], 0.1))


def layers():
    case = "prelude_linear"
    d = Draw(case)
    x, w, b = d.normal(2, 3, 4), d.weight(4, 5), d.bias(5)
    write_case(case, "fn main(x: f64[2, 3, 4], w: f64[4, 5], b: f64[5]) -> f64[2, 3, 5] = linear(x, w, b)\n",
               F.linear(x, w.T, b), inputs={"x": x, "w": w, "b": b}, description="linear with w: [in, out]",
               grad=lambda v: F.linear(v["x"], v["w"].T, v["b"]))

    case = "prelude_linear_vector"
    d = Draw(case)
    x, w, b = d.normal(4), d.weight(4, 3), d.bias(3)
    write_case(case, "fn main(x: f64[4], w: f64[4, 3], b: f64[3]) -> f64[3] = linear(x, w, b)\n",
               F.linear(x, w.T, b), inputs={"x": x, "w": w, "b": b}, description="linear of one vector",
               grad=lambda v: F.linear(v["x"], v["w"].T, v["b"]))

    case = "prelude_embedding"
    d = Draw(case)
    table, ids = d.normal(7, 5), d.ints(0, 7, 2, 3)
    ids[0, 0], ids[1, 2] = 0, 6
    write_case(case, "fn main(table: f64[7, 5], ids: i32[2, 3]) -> f64[2, 3, 5] = embedding(table, ids)\n",
               F.embedding(ids, table), inputs={"table": table, "ids": ids}, description="embedding lookup",
               grad=lambda v: F.embedding(v["ids"], v["table"]))

    case = "prelude_one_hot"
    ids = Draw(case).ints(0, 5, 2, 3)
    ids[0, 0], ids[1, 1] = 0, 4
    write_case(case, "fn main(ids: i32[2, 3]) -> f64[2, 3, 5] = one_hot(ids, 5, dtype=f64)\n",
               F.one_hot(ids, 5).to(torch.float64), inputs={"ids": ids}, description="one_hot with dtype=f64")

    case = "prelude_one_hot_default_dtype"
    ids = Draw(case).ints(0, 4, 5)
    write_case(case, "fn main(ids: i32[5]) -> f32[5, 4] = one_hot(ids, 4)\n",
               F.one_hot(ids, 4).to(torch.float64), inputs={"ids": ids},
               description="one_hot defaults to f32, computed in f64 under dtype=f64")


def cross_entropies():
    def one(case, logits_shape, smoothing, ignore, description):
        d = Draw(case)
        V = logits_shape[-1]
        logits = d.normal(*logits_shape, std=2.0)
        labels = d.ints(0, V, *logits_shape[:-1])
        if ignore:
            flat = labels.view(-1)
            flat[1] = -1
            flat[-1] = -1
        call = "cross_entropy(logits, labels)" if smoothing is None else \
            f"cross_entropy(logits, labels, smoothing={smoothing})"
        loss = lambda logits, labels: F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=-1,
                                                      label_smoothing=smoothing or 0.0)
        expected = loss(logits, labels)
        write_case(case, f"fn main(logits: {shape_text(logits_shape)}, labels: {shape_text(logits_shape[:-1], 'i32')})"
                         f" -> f64 = {call}\n",
                   expected, inputs={"logits": logits, "labels": labels}, description=description,
                   grad=lambda v: loss(v["logits"], v["labels"]))

    one("prelude_cross_entropy", (4, 5), None, False, "cross_entropy, mean over 4 positions")
    one("prelude_cross_entropy_smoothing", (4, 5), 0.1, False, "cross_entropy with label smoothing 0.1")
    one("prelude_cross_entropy_smoothing_zero", (2, 3, 6), 0.0, False, "cross_entropy with smoothing=0.0 given")
    one("prelude_cross_entropy_ignore", (2, 3, 5), None, True, "labels -1 are left out of the mean")
    one("prelude_cross_entropy_ignore_smoothing", (2, 3, 5), 0.1, True,
        "labels -1 left out, with label smoothing 0.1")


def masks():
    write_case("prelude_causal_mask", """
        dim T

        fn main() -> f64[T, T] = causal_mask(T, dtype=f64)
        """, rm.causal(5), dims={"T": 5}, description="causal_mask of a run-time size")

    write_case("prelude_causal_mask_default_dtype", "fn main() -> f32[3, 3] = causal_mask(3)\n", rm.causal(3),
               description="causal_mask defaults to f32, computed in f64 under dtype=f64")

    case = "prelude_padding_mask"
    ids = Draw(case).ints(1, 9, 2, 5)
    ids[0, 4], ids[1, 3], ids[1, 4] = 0, 0, 0
    expected = torch.zeros(2, 5).masked_fill(ids == 0, float("-inf")).reshape(2, 1, 1, 5)
    write_case(case, "fn main(ids: i32[2, 5]) -> f64[2, 1, 1, 5] = padding_mask(ids, dtype=f64)\n", expected,
               inputs={"ids": ids}, description="padding_mask, pad id 0 by default")

    case = "prelude_padding_mask_pad"
    ids = Draw(case).ints(0, 4, 3, 4)
    expected = torch.zeros(3, 4).masked_fill(ids == 3, float("-inf")).reshape(3, 1, 1, 4)
    write_case(case, "fn main(ids: i32[3, 4]) -> f64[3, 1, 1, 4] = padding_mask(ids, pad=3, dtype=f64)\n",
               expected, inputs={"ids": ids}, description="padding_mask with pad=3")


def attention_reference(q, k, v, additive_mask):
    """Attention through torch.nn.MultiheadAttention's core: F.multi_head_attention_forward is too
    tied to projections, so use baddbmm-style math, as torch's _scaled_dot_product_attention."""
    dk = q.shape[-1]
    scores = torch.matmul(q / math.sqrt(dk), k.transpose(-1, -2)) + additive_mask
    return torch.matmul(torch.softmax(scores, dim=-1), v)


def attentions():
    case = "prelude_attention"
    d = Draw(case)
    q, k, v, mask = d.normal(2, 2, 3, 4), d.normal(2, 2, 5, 4), d.normal(2, 2, 5, 6), d.normal(3, 5)
    write_case(case, """
        fn main(q: f64[2, 2, 3, 4], k: f64[2, 2, 5, 4], v: f64[2, 2, 5, 6], mask: f64[3, 5]) -> f64[2, 2, 3, 6] =
          attention(q, k, v, mask)
        """, attention_reference(q, k, v, mask), inputs={"q": q, "k": k, "v": v, "mask": mask},
               description="attention with T != S, Dk != Dv and a finite additive mask",
               grad=lambda t: attention_reference(t["q"], t["k"], t["v"], t["mask"]))

    case = "prelude_attention_causal"
    d = Draw(case)
    q, k, v = d.normal(2, 4, 3), d.normal(2, 4, 3), d.normal(2, 4, 5)
    write_case(case, """
        fn main(q: f64[2, 4, 3], k: f64[2, 4, 3], v: f64[2, 4, 5]) -> f64[2, 4, 5] =
          attention(q, k, v, causal_mask(4, dtype=f64))
        """, attention_reference(q, k, v, rm.causal(4)), inputs={"q": q, "k": k, "v": v},
               description="attention with a causal mask",
               grad=lambda t: attention_reference(t["q"], t["k"], t["v"], rm.causal(4)))

    case = "prelude_attention_padding"
    d = Draw(case)
    q, k, v = d.normal(2, 2, 3, 4), d.normal(2, 2, 5, 4), d.normal(2, 2, 5, 4)
    ids = d.ints(1, 9, 2, 5)
    ids[0, 4], ids[1, 2], ids[1, 4] = 0, 0, 0
    additive = torch.zeros(2, 5).masked_fill(ids == 0, float("-inf")).reshape(2, 1, 1, 5)
    write_case(case, """
        fn main(q: f64[2, 2, 3, 4], k: f64[2, 2, 5, 4], v: f64[2, 2, 5, 4], ids: i32[2, 5]) -> f64[2, 2, 3, 4] =
          attention(q, k, v, padding_mask(ids, dtype=f64))
        """, attention_reference(q, k, v, additive), inputs={"q": q, "k": k, "v": v, "ids": ids},
               description="attention with a [B, 1, 1, S] padding mask",
               grad=lambda t: attention_reference(t["q"], t["k"], t["v"], additive))

    case = "prelude_attention_rope"
    d = Draw(case)
    q, k, v = d.normal(2, 2, 5, 6), d.normal(2, 2, 5, 6), d.normal(2, 2, 5, 4)
    rm.agree(case, rope(q), rope_real(q))

    def rope_attention(q, k, v):
        return attention_reference(rope(q), rope(k), v, rm.causal(5))

    write_case(case, """
        fn main(q: f64[2, 2, 5, 6], k: f64[2, 2, 5, 6], v: f64[2, 2, 5, 4]) -> f64[2, 2, 5, 4] =
          attention(rope(q), rope(k), v, causal_mask(5, dtype=f64))
        """, rope_attention(q, k, v), inputs={"q": q, "k": k, "v": v},
               description="causal attention with rotary embeddings of queries and keys",
               grad=lambda t: rope_attention(t["q"], t["k"], t["v"]))

    case = "prelude_attention_unbatched"
    d = Draw(case)
    q, k, v = d.normal(3, 4), d.normal(5, 4), d.normal(5, 2)
    write_case(case, """
        fn main(q: f64[3, 4], k: f64[5, 4], v: f64[5, 2]) -> f64[3, 2] = attention(q, k, v, 0.0)
        """, attention_reference(q, k, v, 0.0), inputs={"q": q, "k": k, "v": v},
               description="attention with no leading axes and a scalar 0 mask",
               grad=lambda t: attention_reference(t["q"], t["k"], t["v"], 0.0))


def rope(x, base=10000.0):
    """LANGUAGE.md 6.3: the pairs (2i, 2i+1) at position p turn by p * base^(-2i/Dh); as complex
    numbers (x[2i] + i x[2i+1]) * exp(i * angle)."""
    T, Dh = x.shape[-2], x.shape[-1]
    pair = torch.arange(0, Dh, 2, dtype=torch.float64)
    angle = torch.arange(T, dtype=torch.float64)[:, None] * torch.pow(base, -pair / Dh)[None, :]
    z = torch.view_as_complex(x.reshape(*x.shape[:-1], Dh // 2, 2).contiguous())
    return torch.view_as_real(z * torch.polar(torch.ones_like(angle), angle)).reshape(x.shape)


def rope_real(x, base=10000.0):
    """The same rotation in real arithmetic (cos and sin of each pair), to cross-check rope()."""
    T, Dh = x.shape[-2], x.shape[-1]
    pair = torch.arange(0, Dh, 2, dtype=torch.float64)
    angle = torch.arange(T, dtype=torch.float64)[:, None] * torch.pow(base, -pair / Dh)[None, :]
    even, odd = x[..., 0::2], x[..., 1::2]
    cos, sin = torch.cos(angle), torch.sin(angle)
    return torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1).reshape(x.shape)


def positions():
    write_case("prelude_sinusoidal_positions", "fn main() -> f64[5, 8] = sinusoidal_positions(5, 8, dtype=f64)\n",
               rm.positional_encoding(5, 8), description="sinusoidal positions, T=5, D=8")

    write_case("prelude_sinusoidal_positions_dims", """
        dim T
        const D = 6

        fn main() -> f32[T, D] = sinusoidal_positions(T, D)
        """, rm.positional_encoding(7, 6), dims={"T": 7},
               description="sinusoidal positions of a run-time length, default dtype")

    case = "prelude_rope"
    x = Draw(case).normal(2, 3, 5, 6)
    write_case(case, "fn main(x: f64[2, 3, 5, 6]) -> f64[2, 3, 5, 6] = rope(x)\n", rope(x), inputs={"x": x},
               description="rotary embedding of interleaved pairs, base 10000", grad=lambda v: rope(v["x"]))

    case = "prelude_rope_base"
    x = Draw(case).normal(6, 8)
    write_case(case, "fn main(x: f64[6, 8]) -> f64[6, 8] = rope(x, base=100.0)\n", rope(x, 100.0), inputs={"x": x},
               description="rotary embedding with base=100, no leading axes", grad=lambda v: rope(v["x"], 100.0))


def default_dtypes_in_f64_programs():
    """f64 programs that call causal_mask, sinusoidal_positions and one_hot without dtype=, whose
    f32 results meet f64 values as arguments of a prelude function: its `float` is bound to f64 and
    the f32 argument is cast (LANGUAGE.md 3, as NumPy and PyTorch promote). Each case also runs as
    written (as_written_*), where the f32 parts stay f32: masks and one-hot rows are exact in f32,
    sinusoids and f32 arguments are f32-rounded, hence the looser tolerance there."""
    case = "prelude_attention_causal_f64_default_mask"
    d = Draw(case)
    q, k, v = d.normal(2, 4, 3), d.normal(2, 4, 3), d.normal(2, 4, 5)
    write_case(case, """
        dim T

        fn main(q: f64[2, T, 3], k: f64[2, T, 3], v: f64[2, T, 5]) -> f64[2, T, 5] =
          attention(q, k, v, causal_mask(T))
        """, attention_reference(q, k, v, rm.causal(4)), inputs={"q": q, "k": k, "v": v},
               description="f64 attention with causal_mask(T) of the default f32: the mask is promoted",
               grad=lambda t: attention_reference(t["q"], t["k"], t["v"], rm.causal(4)),
               as_written_rtol=1e-12, as_written_atol=1e-12)

    case = "prelude_one_hot_f64_linear"
    d = Draw(case)
    ids, w, b = d.ints(0, 5, 2, 3), d.weight(5, 4), d.bias(4)
    ids[0, 0], ids[1, 2] = 0, 4

    def one_hot_linear(t):
        return F.linear(F.one_hot(t["ids"], 5).to(torch.float64), t["w"].T, t["b"])

    write_case(case, "fn main(ids: i32[2, 3], w: f64[5, 4], b: f64[4]) -> f64[2, 3, 4] = linear(one_hot(ids, 5), w, b)\n",
               one_hot_linear({"ids": ids, "w": w, "b": b}), inputs={"ids": ids, "w": w, "b": b},
               description="linear of one_hot(ids, 5) of the default f32 with f64 w and b: the rows are promoted",
               grad=one_hot_linear, as_written_rtol=1e-12, as_written_atol=1e-12)

    case = "prelude_sinusoidal_positions_f64_linear"
    d = Draw(case)
    w, b = d.weight(8, 4), d.bias(4)
    write_case(case, """
        dim T

        fn main(w: f64[8, 4], b: f64[4]) -> f64[T, 4] = linear(sinusoidal_positions(T, 8), w, b)
        """, F.linear(rm.positional_encoding(5, 8), w.T, b), inputs={"w": w, "b": b}, dims={"T": 5},
               description="linear of sinusoidal_positions(T, 8) of the default f32 with f64 w and b",
               grad=lambda t: F.linear(rm.positional_encoding(5, 8), t["w"].T, t["b"]),
               as_written_rtol=1e-6, as_written_atol=1e-6)

    case = "prelude_layer_norm_mixed_widths"
    d = Draw(case)
    # gamma and beta hold f32 values, so that the program as written sees the same numbers.
    x, g, b = d.normal(2, 3, 6, std=2.0), d.gamma(6).float().double(), d.beta(6).float().double()
    write_case(case, "fn main(x: f64[2, 3, 6], g: f32[6], b: f32[6]) -> f64[2, 3, 6] = layer_norm(x, g, b)\n",
               F.layer_norm(x, (6,), g, b, eps=1e-5), inputs={"x": x, "g": g, "b": b},
               description="layer_norm of f64 x with f32 gamma and beta: they are promoted, the result is f64",
               grad=lambda v: F.layer_norm(v["x"], (6,), v["g"], v["b"], eps=1e-5),
               as_written_rtol=1e-6, as_written_atol=1e-7)


def nn_models():
    # Linear
    case = "nn_linear"
    d = Draw(case)
    x, w, b = d.normal(2, 5, 4), d.weight(4, 3), d.bias(3)
    lin = nn.Linear(4, 3)
    with torch.no_grad():
        lin.weight.copy_(w.T)
        lin.bias.copy_(b)
    write_case(case, """
        model Probe {
          layer proj: Linear(4, 3)

          fn forward(x: f32[2, 5, 4]) -> f32[2, 5, 3] = proj(x)
        }
        """, lin(x), entry="Probe.forward", inputs={"x": x}, params={"proj.w": w, "proj.b": b},
               description="nn.adj Linear: params proj.w [in, out] and proj.b",
               grad=lambda v: stateless.functional_call(lin, {"weight": v["proj.w"].T, "bias": v["proj.b"]}, (v["x"],)))

    # LayerNorm
    case = "nn_layer_norm"
    d = Draw(case)
    x, g, b = d.normal(3, 6, std=3.0), d.gamma(6), d.beta(6)
    norm = nn.LayerNorm(6)
    with torch.no_grad():
        norm.weight.copy_(g)
        norm.bias.copy_(b)
    write_case(case, """
        model Probe {
          layer norm: LayerNorm(6)

          fn forward(x: f32[3, 6]) -> f32[3, 6] = norm(x)
        }
        """, norm(x), entry="Probe.forward", inputs={"x": x}, params={"norm.gamma": g, "norm.beta": b},
               description="nn.adj LayerNorm: params norm.gamma, norm.beta",
               grad=lambda v: stateless.functional_call(norm, {"weight": v["norm.gamma"], "bias": v["norm.beta"]},
                                                        (v["x"],)))

    # Embedding
    case = "nn_embedding"
    d = Draw(case)
    table, ids = d.normal(6, 4), d.ints(0, 6, 2, 3)
    write_case(case, """
        model Probe {
          layer embed: Embedding(6, 4)

          fn forward(ids: i32[2, 3]) -> f32[2, 3, 4] = embed(ids)
        }
        """, nn.Embedding.from_pretrained(table)(ids), entry="Probe.forward", inputs={"ids": ids},
               params={"embed.table": table}, description="nn.adj Embedding: param embed.table",
               grad=lambda v: stateless.functional_call(nn.Embedding.from_pretrained(table), {"weight": v["embed.table"]},
                                                        (v["ids"],)))

    # FeedForward
    case = "nn_feed_forward"
    d = Draw(case)
    x, p = d.normal(2, 3, 4), rm.feed_forward_params(d, 4, 8)
    seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.0), nn.Linear(8, 4))
    with torch.no_grad():
        seq[0].weight.copy_(p["inner.w"].T)
        seq[0].bias.copy_(p["inner.b"])
        seq[3].weight.copy_(p["outer.w"].T)
        seq[3].bias.copy_(p["outer.b"])
    expected = seq.eval()(x)
    rm.agree(case, expected, rm.explicit_ffn(p, x))

    def ffn_grad(v):
        state = {"0.weight": v["ffn.inner.w"].T, "0.bias": v["ffn.inner.b"],
                 "3.weight": v["ffn.outer.w"].T, "3.bias": v["ffn.outer.b"]}
        return stateless.functional_call(seq, state, (v["x"],))

    write_case(case, """
        model Probe {
          layer ffn: FeedForward(4, 8)

          fn forward(x: f32[2, 3, 4]) -> f32[2, 3, 4] = ffn(x)
        }
        """, expected, entry="Probe.forward", inputs={"x": x}, params=rm.prefixed("ffn", p),
               description="nn.adj FeedForward: linear, relu, (eval: no dropout), linear", grad=ffn_grad)

    # A feed-forward block with GELU (exact and tanh), from Linear layers
    for case, fn_name, approximate in [("nn_gelu_feed_forward", "gelu", "none"),
                                       ("nn_gelu_tanh_feed_forward", "gelu_tanh", "tanh")]:
        d = Draw(case)
        x = d.normal(2, 3, 8)
        p = {"inner.w": d.weight(8, 16), "inner.b": d.bias(16), "outer.w": d.weight(16, 8), "outer.b": d.bias(8)}
        seq = nn.Sequential(nn.Linear(8, 16), nn.GELU(approximate=approximate), nn.Linear(16, 8))

        def gelu_ffn(v, seq=seq):
            state = {"0.weight": v["inner.w"].T, "0.bias": v["inner.b"], "2.weight": v["outer.w"].T,
                     "2.bias": v["outer.b"]}
            return stateless.functional_call(seq, state, (v["x"],))

        expected = gelu_ffn({"x": x, **p})
        rm.agree(case, expected, F.linear(F.gelu(F.linear(x, p["inner.w"].T, p["inner.b"]), approximate=approximate),
                                          p["outer.w"].T, p["outer.b"]))
        write_case(case, f"""
            model GeluFeedForward {{
              layer inner: Linear(8, 16)
              layer outer: Linear(16, 8)

              fn forward(x: f32[2, 3, 8]) -> f32[2, 3, 8] = outer({fn_name}(inner(x)))
            }}
            """, expected, entry="GeluFeedForward.forward", inputs={"x": x}, params=p,
                   description=f"Linear, {fn_name}, Linear (nn.GELU(approximate='{approximate}'))",
                   grad=lambda v, f=gelu_ffn: f(v))

    # Self-attention with rotary embeddings of the queries and keys, reusing MultiHeadAttention's params
    case = "nn_rope_self_attention"
    d = Draw(case)
    D, H = 8, 2
    x, p = d.normal(2, 5, D), rm.mha_params(d, D)

    def rope_self_attention(v, rotate=rope):
        B, T, _ = v["x"].shape
        split = lambda t: t.reshape(B, T, H, D // H).permute(0, 2, 1, 3)
        q = rotate(split(v["x"] @ v["attn.wq"] + v["attn.bq"]))
        k = rotate(split(v["x"] @ v["attn.wk"] + v["attn.bk"]))
        val = split(v["x"] @ v["attn.wv"] + v["attn.bv"])
        heads = attention_reference(q, k, val, rm.causal(T)).permute(0, 2, 1, 3).reshape(B, T, D)
        return heads @ v["attn.wo"] + v["attn.bo"]

    values = {"x": x, **rm.prefixed("attn", p)}
    expected = rope_self_attention(values)
    rm.agree(case, expected, rope_self_attention(values, rotate=rope_real))
    write_case(case, """
        dim B, T

        model RopeSelfAttention {
          layer attn: MultiHeadAttention(8, 2)

          fn forward(x: f32[B, T, 8]) -> f32[B, T, 8] {
            let q = rope(attn.split(x @ attn.wq + attn.bq))
            let k = rope(attn.split(x @ attn.wk + attn.bk))
            let v = attn.split(x @ attn.wv + attn.bv)
            return attn.merge(attention(q, k, v, causal_mask(T))) @ attn.wo + attn.bo
          }
        }
        """, expected, entry="RopeSelfAttention.forward", inputs={"x": x}, params=rm.prefixed("attn", p),
               description="causal multi-head self-attention with RoPE on queries and keys (D=8, H=2)",
               grad=rope_self_attention)

    # MultiHeadAttention, cross-attention with a source padding mask
    case = "nn_multi_head_attention"
    d = Draw(case)
    D, H = 8, 2
    q_in, kv_in, p = d.normal(2, 3, D), d.normal(2, 5, D), rm.mha_params(d, D)
    ids = d.ints(1, 9, 2, 5)
    ids[1, 3], ids[1, 4] = 0, 0
    mask = rm.Mask(key_padding=ids == 0)
    mha = rm.torch_mha(p, D, H)
    expected = rm.run_mha(mha, q_in, kv_in, mask)
    rm.agree(case, expected, rm.explicit_mha(p, H, q_in, kv_in, mask))
    write_case(case, """
        model Probe {
          layer attn: MultiHeadAttention(8, 2)

          fn forward(q_in: f32[2, 3, 8], kv_in: f32[2, 5, 8], ids: i32[2, 5]) -> f32[2, 3, 8] =
            attn(q_in, kv_in, padding_mask(ids))
        }
        """, expected, entry="Probe.forward", inputs={"q_in": q_in, "kv_in": kv_in, "ids": ids},
               params=rm.prefixed("attn", p),
               description="nn.adj MultiHeadAttention, cross-attention T=3 over S=5 with padding",
               grad=lambda v: rm.run_mha(mha, v["q_in"], v["kv_in"], mask, state=rm.mha_state(rm.sub(v, "attn"))))

    # MultiHeadAttention.split, a model function other than forward
    case = "nn_multi_head_attention_split"
    d = Draw(case)
    x, p = d.normal(2, 3, 8), rm.mha_params(d, 8)
    write_case(case, """
        model Probe {
          layer attn: MultiHeadAttention(8, 2)

          fn forward(x: f32[2, 3, 8]) -> f32[2, 2, 3, 4] = attn.split(x)
        }
        """, x.reshape(2, 3, 2, 4).transpose(1, 2).contiguous(), entry="Probe.forward", inputs={"x": x},
               params=rm.prefixed("attn", p), description="calling a layer's other function: attn.split",
               grad=lambda v: v["x"].reshape(2, 3, 2, 4).transpose(1, 2))

    # Pre-norm encoder layer
    case = "nn_prenorm_encoder_layer"
    d = Draw(case)
    D, H, Fw = 8, 2, 16
    x, p = d.normal(2, 4, D), rm.encoder_layer_params(d, D, Fw)
    mask = rm.Mask(attn=rm.causal(4))
    layer = rm.torch_encoder_layer(p, D, H, Fw, norm_first=True)
    expected = rm.run_encoder_layer(layer, x, mask)
    rm.agree(case, expected, rm.explicit_encoder_layer(p, H, x, mask, norm_first=True))
    write_case(case, """
        dim B, T

        model Probe {
          layer block: PreNormEncoderLayer(8, 2, 16)

          fn forward(x: f32[B, T, 8]) -> f32[B, T, 8] = block(x, causal_mask(T))
        }
        """, expected, entry="Probe.forward", inputs={"x": x}, params=rm.prefixed("block", p),
               description="nn.adj PreNormEncoderLayer with a causal mask",
               grad=lambda v: rm.run_encoder_layer(layer, v["x"], mask,
                                                   state=rm.encoder_layer_state(rm.sub(v, "block"))))

    # Pre-norm decoder layer
    case = "nn_prenorm_decoder_layer"
    d = Draw(case)
    y, memory, p = d.normal(2, 3, D), d.normal(2, 4, D), rm.decoder_layer_params(d, D, Fw)
    ids = d.ints(1, 9, 2, 4)
    ids[0, 3] = 0
    self_mask, memory_mask = rm.Mask(attn=rm.causal(3)), rm.Mask(key_padding=ids == 0)
    layer = rm.torch_decoder_layer(p, D, H, Fw, norm_first=True)
    expected = rm.run_decoder_layer(layer, y, memory, self_mask, memory_mask)
    rm.agree(case, expected, rm.explicit_decoder_layer(p, H, y, memory, self_mask, memory_mask, norm_first=True))
    write_case(case, """
        dim B, T, S

        model Probe {
          layer block: PreNormDecoderLayer(8, 2, 16)

          fn forward(y: f32[B, T, 8], memory: f32[B, S, 8], memory_ids: i32[B, S]) -> f32[B, T, 8] =
            block(y, memory, causal_mask(T), padding_mask(memory_ids))
        }
        """, expected, entry="Probe.forward", inputs={"y": y, "memory": memory, "memory_ids": ids},
               params=rm.prefixed("block", p), description="nn.adj PreNormDecoderLayer, causal and padding masks",
               grad=lambda v: rm.run_decoder_layer(layer, v["y"], v["memory"], self_mask, memory_mask,
                                                   state=rm.decoder_layer_state(rm.sub(v, "block"))))

    # A stack of three encoder layers: `layer blocks: EncoderLayer(...) * 3`
    case = "nn_encoder_stack"
    d = Draw(case)
    x = d.normal(2, 3, D)
    params, h, check, layers = {}, x, x, []
    for i in range(3):
        p = rm.encoder_layer_params(d, D, Fw)
        params.update(rm.prefixed(f"blocks.{i}", p))
        layers.append(rm.torch_encoder_layer(p, D, H, Fw))
        h = rm.run_encoder_layer(layers[i], h, rm.Mask())
        check = rm.explicit_encoder_layer(p, H, check, rm.Mask())
    rm.agree(case, h, check)

    def stack_grad(v):
        out = v["x"]
        for i in range(3):
            out = rm.run_encoder_layer(layers[i], out, rm.Mask(), state=rm.encoder_layer_state(rm.sub(v, f"blocks.{i}")))
        return out

    write_case(case, """
        const D = 8

        model Probe {
          layer blocks: EncoderLayer(D, 2, 16) * 3

          fn forward(x: f32[2, 3, D]) -> f32[2, 3, D] = blocks(x, 0.0)
        }
        """, h, entry="Probe.forward", inputs={"x": x}, params=params,
               description="three EncoderLayers applied in order: params blocks.0 .. blocks.2", grad=stack_grad)


if __name__ == "__main__":
    activations()
    softmaxes()
    norms()
    layers()
    cross_entropies()
    masks()
    attentions()
    positions()
    default_dtypes_in_f64_programs()
    nn_models()
    done("goldens_prelude.py")
