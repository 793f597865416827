"""Golden cases for the example programs of examples/src/main/adjoint/.

Each case's program.adj is a verbatim copy of the example (goldens are self-contained); the
expected outputs come from PyTorch in float64 (torch.nn modules for the Transformer parts,
checked against explicit math from the paper).

    /usr/bin/python3 tools/reference/goldens_examples.py
"""

import math

import torch
import torch.nn.functional as F

import reference_models as rm
from golden_lib import Draw, done, example_source, write_case
from goldens_prelude import rope, rope_real


def cosine_self_attention(x: torch.Tensor) -> torch.Tensor:
    """Scores are cosine similarities (no scaling), softmax, weights times the raw vectors."""
    similarity = F.cosine_similarity(x[:, None, :], x[None, :, :], dim=-1)
    return torch.softmax(similarity, dim=-1) @ x


def word_vectors():
    source = example_source("word_vectors.adj")
    orange, phone, apple = torch.tensor([0.0, 3.0]), torch.tensor([4.0, 0.0]), torch.tensor([2.0, 2.0])

    near_orange = cosine_self_attention(torch.stack([orange, apple]))
    near_phone = cosine_self_attention(torch.stack([phone, apple]))
    # The numbers the example's header promises.
    assert torch.allclose(near_orange[1], torch.tensor([1.15, 2.43]), atol=0.005), near_orange
    assert torch.allclose(near_phone[1], torch.tensor([2.85, 1.15]), atol=0.005), near_phone

    write_case("example_word_vectors_orange_apple", source, near_orange, entry="orange_apple",
               description="word_vectors.adj: apple next to orange moves to (1.15, 2.43)")
    write_case("example_word_vectors_phone_apple", source, near_phone, entry="phone_apple",
               description="word_vectors.adj: apple next to phone moves to (2.85, 1.15)")

    case = "example_word_vectors_self_attention"
    x = Draw(case).normal(5, 2, std=2.0)
    write_case(case, source, cosine_self_attention(x), entry="self_attention", inputs={"x": x},
               description="word_vectors.adj: cosine self-attention over N=5 random vectors",
               grad=lambda v: cosine_self_attention(v["x"]))


def attention():
    case = "example_attention"
    d = Draw(case)
    B, T, Dk = 2, 5, 8
    q, k, v = d.normal(B, T, Dk), d.normal(B, T, Dk), d.normal(B, T, Dk)
    # As torch.nn.functional's _scaled_dot_product_attention: q scaled first, mask added by baddbmm.
    def causal_attention(q, k, v):
        scores = torch.baddbmm(rm.causal(T).expand(B, T, T), q / math.sqrt(Dk), k.transpose(1, 2))
        return torch.bmm(torch.softmax(scores, dim=-1), v)

    write_case(case, example_source("attention.adj"), causal_attention(q, k, v), entry="causal_attention",
               inputs={"q": q, "k": k, "v": v}, description="attention.adj: causal scaled dot-product attention",
               grad=lambda t: causal_attention(t["q"], t["k"], t["v"]))


def multi_head_attention():
    case = "example_multi_head_attention"
    d = Draw(case)
    B, T, D, H = 2, 5, 16, 4
    x, p = d.normal(B, T, D), rm.mha_params(d, D, bias=False)
    mask = rm.Mask(attn=rm.causal(T))
    mha = rm.torch_mha(p, D, H)
    expected = rm.run_mha(mha, x, x, mask)
    rm.agree(case, expected, rm.explicit_mha(p, H, x, x, mask))
    write_case(case, example_source("multi_head_attention.adj"), expected, entry="SelfAttention.forward",
               inputs={"x": x}, params=p,
               description="multi_head_attention.adj: SelfAttention (D=16, H=4, causal, no biases)",
               grad=lambda v: rm.run_mha(mha, v["x"], v["x"], mask, state=rm.mha_state(v)))


def encoder_layer():
    source = example_source("encoder_layer.adj")
    D, H, Fw = 16, 2, 32
    for case, entry, mask in [("example_encoder_layer", "Encoder.forward", rm.Mask()),
                              ("example_encoder_layer_causal", "Encoder.forward_causal", rm.Mask(attn=rm.causal(4)))]:
        d = Draw(case)
        x, p = d.normal(2, 4, D), rm.encoder_layer_params(d, D, Fw)
        layer = rm.torch_encoder_layer(p, D, H, Fw)
        expected = rm.run_encoder_layer(layer, x, mask)
        rm.agree(case, expected, rm.explicit_encoder_layer(p, H, x, mask))
        kind = "no mask" if mask.attn is None else "causal mask"
        write_case(case, source, expected, entry=entry, inputs={"x": x}, params=rm.prefixed("encoder", p),
                   description=f"encoder_layer.adj: post-norm EncoderLayer(16, 2, 32), {kind}",
                   grad=lambda v: rm.run_encoder_layer(layer, v["x"], mask,
                                                       state=rm.encoder_layer_state(rm.sub(v, "encoder"))))


def decoder_layer():
    case = "example_decoder_layer"
    d = Draw(case)
    D, H, Fw = 16, 2, 32
    y, memory, p = d.normal(2, 4, D), d.normal(2, 6, D), rm.decoder_layer_params(d, D, Fw)
    self_mask, memory_mask = rm.Mask(attn=rm.causal(4)), rm.Mask()
    layer = rm.torch_decoder_layer(p, D, H, Fw)
    expected = rm.run_decoder_layer(layer, y, memory, self_mask, memory_mask)
    rm.agree(case, expected, rm.explicit_decoder_layer(p, H, y, memory, self_mask, memory_mask))
    write_case(case, example_source("decoder_layer.adj"), expected, entry="Decoder.forward",
               inputs={"y": y, "memory": memory}, params=rm.prefixed("decoder", p),
               description="decoder_layer.adj: post-norm DecoderLayer(16, 2, 32), T=4 over S=6",
               grad=lambda v: rm.run_decoder_layer(layer, v["y"], v["memory"], self_mask, memory_mask,
                                                   state=rm.decoder_layer_state(rm.sub(v, "decoder"))))


def transformer():
    source = example_source("transformer.adj")
    V, D, H, Fw, N = 16, 16, 2, 32, 2
    case = "example_transformer"
    d = Draw(case)
    p = rm.transformer_params(d, V, D, Fw, N)
    # Ids as `adjoint train` makes them: 0 padding, 1 BOS, 2 EOS, tokens from 3.
    src = torch.tensor([[5, 9, 3, 12, 7], [4, 11, 6, 0, 0]])
    tgt_in = torch.tensor([[1, 7, 12, 3], [1, 6, 11, 0]])
    tgt_out = torch.tensor([[7, 12, 3, 2], [6, 11, 2, -1]])
    logits = rm.transformer_logits(p, src, tgt_in, V, D, H, Fw, N)
    rm.agree(case, logits, rm.transformer_logits(p, src, tgt_in, V, D, H, Fw, N, explicit=True))
    loss = rm.transformer_loss(logits, tgt_out, smoothing=0.1)
    params = rm.prefixed("transformer", p)

    def differentiable_logits(v):
        return rm.transformer_logits(rm.sub(v, "transformer"), src, tgt_in, V, D, H, Fw, N, differentiable=True)

    write_case("example_transformer_forward", source, logits, entry="Translator.forward",
               inputs={"src": src, "tgt_in": tgt_in}, params=params,
               description="transformer.adj: logits of Transformer(16, 16, 2, 32, 2), padded source",
               grad=differentiable_logits)
    write_case("example_transformer_loss", source, loss, entry="Translator.loss",
               inputs={"src": src, "tgt_in": tgt_in, "tgt_out": tgt_out}, params=params,
               description="transformer.adj: label-smoothed (0.1) loss, one label -1",
               grad=lambda v: rm.transformer_loss(differentiable_logits(v), tgt_out, smoothing=0.1))


# Ids as `adjoint train` makes them: 0 padding, 1 BOS, 2 EOS, tokens from 3; one padded source.
VARIANT_SRC = torch.tensor([[5, 9, 3, 12, 7], [4, 11, 6, 0, 0]])
VARIANT_TGT_IN = torch.tensor([[1, 7, 12, 3, 9, 5], [1, 6, 11, 4, 0, 0]])
VARIANT_TGT_OUT = torch.tensor([[7, 12, 3, 9, 5, 2], [6, 11, 4, 2, -1, -1]])


def transformer_learned_positions():
    """reverse_learned_positions.adj: the sinusoids replaced by a learned table of 16 rows."""
    source = example_source("reverse_learned_positions.adj")
    V, D, H, Fw, N, L = 16, 32, 4, 64, 2, 16
    case = "example_reverse_learned_positions"
    d = Draw(case)
    p = rm.transformer_params(d, V, D, Fw, N)
    p["positions"] = d.normal(L, D)
    src, tgt_in, tgt_out = VARIANT_SRC, VARIANT_TGT_IN, VARIANT_TGT_OUT

    def logits_of(v, **kw):
        return rm.transformer_logits(v, src, tgt_in, V, D, H, Fw, N, positions=lambda n: v["positions"][:n], **kw)

    logits = logits_of(p)
    rm.agree(case, logits, logits_of(p, explicit=True))
    loss = rm.transformer_loss(logits, tgt_out, smoothing=0.1)
    params = rm.prefixed("transformer", p)

    def differentiable_logits(v):
        return logits_of(rm.sub(v, "transformer"), differentiable=True)

    write_case(case + "_forward", source, logits, entry="LearnedReverser.forward",
               inputs={"src": src, "tgt_in": tgt_in}, params=params,
               description="reverse_learned_positions.adj: logits, learned positions [16, 32], padded source",
               grad=differentiable_logits)
    write_case(case + "_loss", source, loss, entry="LearnedReverser.loss",
               inputs={"src": src, "tgt_in": tgt_in, "tgt_out": tgt_out}, params=params,
               description="reverse_learned_positions.adj: label-smoothed (0.1) loss, labels -1 at padding",
               grad=lambda v: rm.transformer_loss(differentiable_logits(v), tgt_out, smoothing=0.1))


def transformer_rope():
    """reverse_rope.adj: no added positions; queries and keys of every self-attention rotated by
    RoPE (as complex numbers), cross-checked with the rotation in real arithmetic."""
    source = example_source("reverse_rope.adj")
    V, D, H, Fw, N = 16, 32, 4, 64, 2
    case = "example_reverse_rope"
    d = Draw(case)
    p = rm.transformer_params(d, V, D, Fw, N)
    # RotarySelfAttention keeps MultiHeadAttention's params under the layer name `attn`.
    p = {k.replace(".self_attn.", ".self_attn.attn."): v for k, v in p.items()}
    src, tgt_in, tgt_out = VARIANT_SRC, VARIANT_TGT_IN, VARIANT_TGT_OUT

    def logits_of(v, rotate=rope):
        return rm.transformer_logits(v, src, tgt_in, V, D, H, Fw, N, explicit=True, rotate=rotate,
                                     positions=lambda n: torch.zeros(n, D, dtype=torch.float64))

    logits = logits_of(p)
    rm.agree(case, logits, logits_of(p, rotate=rope_real))
    loss = rm.transformer_loss(logits, tgt_out, smoothing=0.1)
    params = rm.prefixed("transformer", p)
    write_case(case + "_forward", source, logits, entry="RotaryReverser.forward",
               inputs={"src": src, "tgt_in": tgt_in}, params=params,
               description="reverse_rope.adj: logits, rotary self-attention, padded source",
               grad=lambda v: logits_of(rm.sub(v, "transformer")))
    write_case(case + "_loss", source, loss, entry="RotaryReverser.loss",
               inputs={"src": src, "tgt_in": tgt_in, "tgt_out": tgt_out}, params=params,
               description="reverse_rope.adj: label-smoothed (0.1) loss, labels -1 at padding",
               grad=lambda v: rm.transformer_loss(logits_of(rm.sub(v, "transformer")), tgt_out, smoothing=0.1))


def index_attention():
    case = "example_index_attention"
    d = Draw(case)
    B, H, T, Dh = 2, 2, 5, 8
    q, k, v = d.normal(B, H, T, Dh), d.normal(B, H, T, Dh), d.normal(B, H, T, Dh)
    def index_attention(q, k, v):
        scores = torch.einsum("bhid,bhjd->bhij", q, k) / math.sqrt(Dh) + rm.causal(T)
        return torch.einsum("bhij,bhje->bhie", torch.softmax(scores, dim=-1), v)

    write_case(case, example_source("index_attention.adj"), index_attention(q, k, v), entry="index_attention",
               inputs={"q": q, "k": k, "v": v}, description="index_attention.adj: causal attention in index notation",
               grad=lambda t: index_attention(t["q"], t["k"], t["v"]))


if __name__ == "__main__":
    word_vectors()
    attention()
    multi_head_attention()
    encoder_layer()
    decoder_layer()
    transformer()
    transformer_learned_positions()
    transformer_rope()
    index_attention()
    done("goldens_examples.py")
