"""Golden cases for the built-in primitives of LANGUAGE.md §4 and §6.1-6.2.

Elementwise functions, operators and broadcasting, reductions, shape functions, `@`, `.T`,
indexing and index notation. Every expected output is computed with PyTorch in float64.

    /usr/bin/python3 tools/reference/goldens_builtins.py
"""

import torch

from golden_lib import Draw, done, write_case


def elementwise():
    # name, Adjoint call, torch function, how to draw x
    unary = [
        ("exp", "exp(x)", torch.exp, lambda d: d.normal(3, 4, std=2.0)),
        ("log", "log(x)", torch.log, lambda d: d.uniform(0.05, 5.0, 3, 4)),
        ("sqrt", "sqrt(x)", torch.sqrt, lambda d: d.uniform(0.0, 5.0, 3, 4)),
        ("rsqrt", "rsqrt(x)", torch.rsqrt, lambda d: d.uniform(0.05, 5.0, 3, 4)),
        ("abs", "abs(x)", torch.abs, lambda d: d.normal(3, 4)),
        ("sin", "sin(x)", torch.sin, lambda d: d.normal(3, 4, std=3.0)),
        ("cos", "cos(x)", torch.cos, lambda d: d.normal(3, 4, std=3.0)),
        ("tanh", "tanh(x)", torch.tanh, lambda d: d.normal(3, 4, std=2.0)),
        ("erf", "erf(x)", torch.erf, lambda d: d.normal(3, 4, std=1.5)),
        ("neg", "-x", torch.neg, lambda d: d.normal(3, 4)),
        # detach: stop_gradient's derivative is zero, so the gradient golden is 0.
        ("stop_gradient", "stop_gradient(x) * 2", lambda x: x.detach() * 2, lambda d: d.normal(3, 4)),
        ("pow_int_literal", "x ^ 3", lambda x: torch.pow(x, 3), lambda d: d.normal(3, 4)),
        ("pow_half", "x ^ 0.5", torch.sqrt, lambda d: d.uniform(0.0, 4.0, 3, 4)),
    ]
    for name, call, fn, draw in unary:
        case = f"builtin_{name}"
        x = draw(Draw(case))
        write_case(case, f"fn main(x: f64[3, 4]) -> f64[3, 4] = {call}\n", fn(x), inputs={"x": x},
                   description=f"{call} elementwise", grad=lambda v, fn=fn: fn(v["x"]))

    case = "builtin_sign"
    x = Draw(case).normal(3, 4)
    x[0, 1] = 0.0
    x[2, 3] = -0.0
    write_case(case, "fn main(x: f64[3, 4]) -> f64[3, 4] = sign(x)\n", torch.sign(x), inputs={"x": x},
               description="sign, with sign(0) = 0", grad=lambda v: torch.sign(v["x"]))

    case = "builtin_pow_tensor"
    d = Draw(case)
    x, y = d.uniform(0.1, 3.0, 3, 4), d.normal(3, 4)
    write_case(case, "fn main(x: f64[3, 4], y: f64[3, 4]) -> f64[3, 4] = x ^ y\n", torch.pow(x, y),
               inputs={"x": x, "y": y}, description="elementwise power of two tensors",
               grad=lambda v: torch.pow(v["x"], v["y"]))

    case = "builtin_pow_right_assoc"
    x = Draw(case).uniform(0.5, 1.5, 3, 4)
    write_case(case, "fn main(x: f64[3, 4]) -> f64[3, 4] = x ^ 2 ^ 0.5\n", torch.pow(x, 2 ** 0.5),
               inputs={"x": x}, description="^ is right-associative: x ^ (2 ^ 0.5)",
               grad=lambda v: torch.pow(v["x"], 2 ** 0.5))

    case = "builtin_maximum_broadcast"
    d = Draw(case)
    a, b = d.normal(3, 4), d.normal(4)
    write_case(case, "fn main(a: f64[3, 4], b: f64[4]) -> f64[3, 4] = maximum(a, b)\n", torch.maximum(a, b),
               inputs={"a": a, "b": b}, description="maximum with a broadcast operand",
               grad=lambda v: torch.maximum(v["a"], v["b"]))

    case = "builtin_minimum"
    d = Draw(case)
    a, b = d.normal(3, 4), d.normal(3, 4)
    b[1, 2] = a[1, 2]
    # Adjoint gives a tie of minimum/maximum wholly to the second operand (torch.minimum halves it):
    # where(a < b, a, b) has the same values and that derivative.
    write_case(case, "fn main(a: f64[3, 4], b: f64[3, 4]) -> f64[3, 4] = minimum(a, b)\n", torch.minimum(a, b),
               inputs={"a": a, "b": b}, description="minimum, one tie",
               grad=lambda v: torch.where(v["a"] < v["b"], v["a"], v["b"]))

    case = "builtin_maximum_scalar_literal"
    x = Draw(case).normal(3, 4)
    write_case(case, "fn main(x: f64[3, 4]) -> f64[3, 4] = maximum(x, 0.25)\n", torch.clamp(x, min=0.25),
               inputs={"x": x}, description="maximum with a float literal",
               grad=lambda v: torch.clamp(v["x"], min=0.25))

    case = "builtin_where"
    d = Draw(case)
    c, a, b = d.bools(3, 4), d.normal(3, 4), d.normal(3, 4)
    write_case(case, "fn main(c: bool[3, 4], a: f64[3, 4], b: f64[3, 4]) -> f64[3, 4] = where(c, a, b)\n",
               torch.where(c, a, b), inputs={"c": c, "a": a, "b": b}, description="where with a bool input",
               grad=lambda v: torch.where(v["c"], v["a"], v["b"]))

    case = "builtin_where_literal_branch"
    x = Draw(case).normal(3, 4)
    write_case(case, "fn main(x: f64[3, 4]) -> f64[3, 4] = where(x > 0.5, x, 0.0)\n",
               torch.where(x > 0.5, x, torch.zeros_like(x)), inputs={"x": x},
               description="where with a comparison and a literal branch",
               grad=lambda v: torch.where(v["x"] > 0.5, v["x"], torch.zeros_like(v["x"])))

    case = "builtin_where_broadcast"
    d = Draw(case)
    c, a, b = d.bools(4), d.normal(3, 1), d.normal(3, 4)
    write_case(case, "fn main(c: bool[4], a: f64[3, 1], b: f64[3, 4]) -> f64[3, 4] = where(c, a, b)\n",
               torch.where(c, a, b), inputs={"c": c, "a": a, "b": b}, description="where broadcasts all three",
               grad=lambda v: torch.where(v["c"], v["a"], v["b"]))

    case = "builtin_maximum_ties"
    d = Draw(case)
    a, b = d.normal(3, 4), d.normal(3, 4)
    a[0, 0], a[1, 2], a[2, 3] = b[0, 0], b[1, 2], b[2, 3]
    # Adjoint gives a tie of maximum wholly to the second operand (torch.maximum halves it):
    # where(a > b, a, b) has the same values and that derivative.
    write_case(case, "fn main(a: f64[3, 4], b: f64[3, 4]) -> f64[3, 4] = maximum(a, b)\n", torch.maximum(a, b),
               inputs={"a": a, "b": b}, description="maximum with three ties: their gradient goes to b",
               grad=lambda v: torch.where(v["a"] > v["b"], v["a"], v["b"]))

    case = "builtin_compare"
    d = Draw(case)
    a, b = d.normal(3, 4), d.normal(3, 4)
    a[0, 0] = b[0, 0]
    outs = (a < b, a <= b, a > b, a >= b, a == b, a != b)
    write_case(case, """
        fn main(a: f64[3, 4], b: f64[3, 4])
            -> (bool[3, 4], bool[3, 4], bool[3, 4], bool[3, 4], bool[3, 4], bool[3, 4]) {
          return (a < b, a <= b, a > b, a >= b, a == b, a != b)
        }
        """, outs, inputs={"a": a, "b": b}, description="the six comparisons, one tie, as a tuple")

    case = "builtin_not"
    x = Draw(case).normal(3, 4)
    write_case(case, "fn main(x: f64[3, 4]) -> bool[3, 4] = !(x > 0)\n", ~(x > 0), inputs={"x": x},
               description="logical not of a comparison")

    case = "builtin_arith_broadcast"
    d = Draw(case)
    a, b, c = d.normal(2, 1, 4), d.normal(3, 1), d.uniform(0.5, 2.0, 4)
    fn = lambda a, b, c: a * b - c / 2 + (a - c) * 3 - b / c
    write_case(case, """
        fn main(a: f64[2, 1, 4], b: f64[3, 1], c: f64[4]) -> f64[2, 3, 4] =
          a * b - c / 2 + (a - c) * 3 - b / c
        """, fn(a, b, c), inputs={"a": a, "b": b, "c": c},
               description="+ - * / with NumPy broadcasting and integer literals",
               grad=lambda v: fn(v["a"], v["b"], v["c"]))

    case = "builtin_precedence"
    d = Draw(case)
    a, b, c = d.normal(3, 4), d.normal(3, 4), d.uniform(0.5, 2.0, 3, 4)
    fn = lambda a, b, c: a + b * c ** 2 - (-(a ** 2)) / c
    write_case(case, "fn main(a: f64[3, 4], b: f64[3, 4], c: f64[3, 4]) -> f64[3, 4] = a + b * c ^ 2 - -a ^ 2 / c\n",
               fn(a, b, c),
               inputs={"a": a, "b": b, "c": c},
               description="^ binds tighter than unary minus: -a ^ 2 is -(a ^ 2)",
               grad=lambda v: fn(v["a"], v["b"], v["c"]))

    case = "builtin_cast_i32_to_f64"
    n = Draw(case).ints(-50, 50, 2, 5)
    write_case(case, "fn main(n: i32[2, 5]) -> f64[2, 5] = cast(n, f64) / 4\n", n.to(torch.float64) / 4,
               inputs={"n": n}, description="cast i32 to f64")

    case = "builtin_cast_f64_to_i32"
    x = Draw(case).uniform(-6.0, 6.0, 3, 4)
    x[0, 0], x[0, 1] = -2.75, 2.75
    write_case(case, "fn main(x: f64[3, 4]) -> i32[3, 4] = cast(x, i32)\n", x.to(torch.int32), inputs={"x": x},
               description="cast f64 to i32 truncates toward zero")

    case = "builtin_cast_bool_to_f64"
    x = Draw(case).normal(3, 4)
    write_case(case, "fn main(x: f64[3, 4]) -> f64[3, 4] = cast(x > 0, f64) * x\n", (x > 0).to(torch.float64) * x,
               inputs={"x": x}, description="cast bool to f64",
               grad=lambda v: (v["x"] > 0).to(torch.float64) * v["x"])

    case = "builtin_int_meets_float"
    d = Draw(case)
    n, x = d.ints(-5, 5, 3, 4), d.normal(3, 4)
    write_case(case, "fn main(n: i32[3, 4], x: f64[3, 4]) -> f64[3, 4] = n * x + n\n",
               n.to(torch.float64) * x + n.to(torch.float64), inputs={"n": n, "x": x},
               description="i32 meeting f64 becomes f64",
               grad=lambda v: v["n"].to(torch.float64) * v["x"] + v["n"].to(torch.float64))


def reductions():
    def red(name, call, expected_fn, out_type, shape=(3, 4, 5), draw=None, description=""):
        case = f"builtin_{name}"
        d = Draw(case)
        x = draw(d) if draw else d.normal(*shape)
        in_type = "f64[" + ", ".join(map(str, shape)) + "]"
        write_case(case, f"fn main(x: {in_type}) -> {out_type} = {call}\n", expected_fn(x),
                   inputs={"x": x}, description=description or call, grad=lambda v: expected_fn(v["x"]))

    # max/min: random inputs have no ties; torch.amax/amin share a tie's cotangent equally, as Adjoint.
    red("sum_all", "sum(x)", lambda x: x.sum(), "f64")
    red("sum_axis", "sum(x, axis=1)", lambda x: x.sum(1), "f64[3, 5]")
    red("sum_axis_positional", "sum(x, 0)", lambda x: x.sum(0), "f64[4, 5]")
    red("sum_axis_list", "sum(x, axis=[0, 2])", lambda x: x.sum((0, 2)), "f64[4]")
    red("sum_negative_keepdims", "sum(x, axis=-1, keepdims=true)", lambda x: x.sum(-1, keepdim=True),
        "f64[3, 4, 1]")
    red("mean_all", "mean(x)", lambda x: x.mean(), "f64")
    red("mean_negative", "mean(x, axis=-2)", lambda x: x.mean(-2), "f64[3, 5]")
    red("mean_list_keepdims", "mean(x, axis=[0, -1], keepdims=true)", lambda x: x.mean((0, 2), keepdim=True),
        "f64[1, 4, 1]")
    red("max_all", "max(x)", lambda x: x.amax(), "f64")
    red("max_axis", "max(x, axis=0)", lambda x: x.amax(0), "f64[4, 5]")
    red("max_keepdims", "max(x, axis=-1, keepdims=true)", lambda x: x.amax(-1, keepdim=True), "f64[3, 4, 1]")
    red("max_list", "max(x, axis=[0, 1])", lambda x: x.amax((0, 1)), "f64[5]")
    red("min_all", "min(x)", lambda x: x.amin(), "f64")
    red("min_list", "min(x, axis=[1, 2])", lambda x: x.amin((1, 2)), "f64[3]")
    red("min_negative", "min(x, axis=-3)", lambda x: x.amin(-3), "f64[4, 5]")
    red("prod_last", "prod(x, axis=-1)", lambda x: x.prod(-1), "f64[3, 4]",
        draw=lambda d: d.uniform(0.5, 1.5, 3, 4, 5) * torch.sign(d.normal(3, 4, 5)))
    red("prod_all", "prod(x)", lambda x: x.prod(), "f64", shape=(2, 3),
        draw=lambda d: d.uniform(0.5, 2.0, 2, 3))
    red("prod_list_keepdims", "prod(x, axis=[0, 2], keepdims=true)",
        lambda x: x.prod(2, keepdim=True).prod(0, keepdim=True), "f64[1, 4, 1]",
        draw=lambda d: d.uniform(0.6, 1.4, 3, 4, 5))
    red("var_last", "var(x, axis=-1)", lambda x: x.var(-1, unbiased=False), "f64[3, 4]",
        description="var is the biased variance")
    red("var_axis0", "var(x, axis=0)", lambda x: x.var(0, unbiased=False), "f64[4, 5]")
    red("var_list_keepdims", "var(x, axis=[0, 2], keepdims=true)",
        lambda x: x.var((0, 2), unbiased=False, keepdim=True), "f64[1, 4, 1]")


def reduction_ties():
    case = "builtin_max_min_ties"
    x = Draw(case).normal(3, 4)
    x[0, 1] = x[0, 3] = x[0].max() + 1.0             # two maxima
    x[1, 0] = x[1, 2] = x[1, 3] = x[1].min() - 1.0   # three minima
    x[2, :] = 0.5                                    # all four tie for both
    # torch.amax/amin share a tie's cotangent equally among the tied elements, as Adjoint does.
    fn = lambda x: x.amax(-1) + 2 * x.amin(-1)
    write_case(case, "fn main(x: f64[3, 4]) -> f64[3] = max(x, axis=-1) + 2 * min(x, axis=-1)\n", fn(x),
               inputs={"x": x}, description="max and min reductions with ties: the cotangent is shared equally",
               grad=lambda v: fn(v["x"]))

    case = "builtin_max_ties_index_notation"
    x = Draw(case).normal(2, 3, 4)
    x[0, 0, 1] = x[0, 0, 2] = x[0, 0].max()
    x[1, 2, :] = -1.0
    write_case(case, """
        fn main(x: f64[2, 3, 4]) -> f64[2, 3] {
          let y[b, t] = max[c](x[b, t, c])
          return y
        }
        """, x.amax(-1), inputs={"x": x}, description="max[c] with ties in index notation",
               grad=lambda v: v["x"].amax(-1))


def tuples():
    case = "builtin_tuple_float"
    d = Draw(case)
    x, y = d.normal(3, 4), d.normal(4)
    fn = lambda x, y: (x * y, torch.exp(y).sum(), x.sum(0) - y)
    write_case(case, """
        fn main(x: f64[3, 4], y: f64[4]) -> (f64[3, 4], f64, f64[4]) {
          return (x * y, sum(exp(y)), sum(x, axis=0) - y)
        }
        """, fn(x, y), inputs={"x": x, "y": y},
               description="a tuple of floats: its gradient seeds every member with ones",
               grad=lambda v: fn(v["x"], v["y"]))


def shapes():
    def one(name, in_shape, call, out_type, expected_fn, description="", draw=None):
        case = f"builtin_{name}"
        d = Draw(case)
        x = draw(d) if draw else d.normal(*in_shape)
        in_type = "f64[" + ", ".join(map(str, in_shape)) + "]"
        write_case(case, f"fn main(x: {in_type}) -> {out_type} = {call}\n", expected_fn(x), inputs={"x": x},
                   description=description or call, grad=lambda v: expected_fn(v["x"]))

    one("reshape_minus_one", (4, 3, 2), "reshape(x, [2, -1, 3])", "f64[2, 4, 3]", lambda x: x.reshape(2, -1, 3))
    one("reshape_flatten", (4, 3, 2), "reshape(x, [-1])", "f64[24]", lambda x: x.reshape(-1))
    one("reshape_add_axes", (6,), "reshape(x, [1, 2, 3, 1])", "f64[1, 2, 3, 1]", lambda x: x.reshape(1, 2, 3, 1))
    one("permute", (2, 3, 4), "permute(x, [2, 0, 1])", "f64[4, 2, 3]", lambda x: x.permute(2, 0, 1))
    one("permute_4d", (2, 3, 4, 5), "permute(x, [0, 2, 1, 3])", "f64[2, 4, 3, 5]", lambda x: x.permute(0, 2, 1, 3))
    one("permute_negative", (2, 3, 4), "permute(x, [-1, 0, 1])", "f64[4, 2, 3]", lambda x: x.permute(2, 0, 1),
        description="permute with a negative axis (LANGUAGE.md 8: every axis argument may be negative)")
    one("transpose", (2, 3, 4), "transpose(x)", "f64[2, 4, 3]", lambda x: x.transpose(-1, -2))
    one("dot_T_2d", (3, 5), "x.T", "f64[5, 3]", lambda x: x.T)
    one("dot_T_3d", (2, 3, 4), "x.T", "f64[2, 4, 3]", lambda x: x.transpose(-1, -2),
        description=".T swaps the last two axes")
    one("expand", (3, 1), "expand(x, [2, 3, 4])", "f64[2, 3, 4]", lambda x: x.expand(2, 3, 4),
        description="expand is broadcast_to: the full shape, adding a leading axis")
    one("expand_same_rank", (1, 4), "expand(x, [3, 4])", "f64[3, 4]", lambda x: x.expand(3, 4))
    one("squeeze", (3, 1, 4), "squeeze(x, 1)", "f64[3, 4]", lambda x: x.squeeze(1))
    one("squeeze_negative", (3, 4, 1), "squeeze(x, -1)", "f64[3, 4]", lambda x: x.squeeze(-1))
    one("squeeze_keyword", (1, 3, 4), "squeeze(x, axis=0)", "f64[3, 4]", lambda x: x.squeeze(0))
    one("unsqueeze_front", (3, 4), "unsqueeze(x, 0)", "f64[1, 3, 4]", lambda x: x.unsqueeze(0))
    one("unsqueeze_negative", (3, 4), "unsqueeze(x, -1)", "f64[3, 4, 1]", lambda x: x.unsqueeze(-1),
        description="unsqueeze -1 adds the last axis of the result")
    one("unsqueeze_negative_middle", (3, 4), "unsqueeze(x, axis=-2)", "f64[3, 1, 4]", lambda x: x.unsqueeze(-2),
        description="unsqueeze -2 counts from the end of the result")
    one("slice", (3, 6), "slice(x, 1, 1, 4)", "f64[3, 3]", lambda x: x[:, 1:4])
    one("slice_negative", (3, 6), "slice(x, -1, -3, -1)", "f64[3, 2]", lambda x: x[:, -3:-1],
        description="slice with a negative axis and negative bounds")
    one("slice_axis0_mixed", (5, 2), "slice(x, 0, -4, 3)", "f64[2, 2]", lambda x: x[-4:3])
    one("zeros_like", (3, 4), "zeros_like(x)", "f64[3, 4]", torch.zeros_like)
    one("ones_like", (2, 3), "ones_like(x) * 2 + x", "f64[2, 3]", lambda x: torch.ones_like(x) * 2 + x)

    case = "builtin_concat_last"
    d = Draw(case)
    a, b = d.normal(3, 2), d.normal(3, 4)
    write_case(case, "fn main(a: f64[3, 2], b: f64[3, 4]) -> f64[3, 6] = concat([a, b], axis=-1)\n",
               torch.cat([a, b], -1), inputs={"a": a, "b": b}, description="concat along the last axis",
               grad=lambda v: torch.cat([v["a"], v["b"]], -1))

    case = "builtin_concat_three"
    d = Draw(case)
    a, b, c = d.normal(2, 3), d.normal(1, 3), d.normal(3, 3)
    write_case(case, "fn main(a: f64[2, 3], b: f64[1, 3], c: f64[3, 3]) -> f64[6, 3] = concat([a, b, c], 0)\n",
               torch.cat([a, b, c], 0), inputs={"a": a, "b": b, "c": c}, description="concat of three, axis given positionally",
               grad=lambda v: torch.cat([v["a"], v["b"], v["c"]], 0))

    case = "builtin_stack_default"
    d = Draw(case)
    a, b = d.normal(3, 4), d.normal(3, 4)
    write_case(case, "fn main(a: f64[3, 4], b: f64[3, 4]) -> f64[2, 3, 4] = stack([a, b])\n",
               torch.stack([a, b]), inputs={"a": a, "b": b}, description="stack on a new first axis",
               grad=lambda v: torch.stack([v["a"], v["b"]]))

    case = "builtin_stack_axis"
    d = Draw(case)
    a, b, c = d.normal(3, 4), d.normal(3, 4), d.normal(3, 4)
    write_case(case, "fn main(a: f64[3, 4], b: f64[3, 4], c: f64[3, 4]) -> f64[3, 3, 4] = stack([a, b, c], axis=1)\n",
               torch.stack([a, b, c], 1), inputs={"a": a, "b": b, "c": c}, description="stack on axis 1",
               grad=lambda v: torch.stack([v["a"], v["b"], v["c"]], 1))

    case = "builtin_stack_negative"
    d = Draw(case)
    a, b = d.normal(3, 4), d.normal(3, 4)
    write_case(case, "fn main(a: f64[3, 4], b: f64[3, 4]) -> f64[3, 4, 2] = stack([a, b], axis=-1)\n",
               torch.stack([a, b], -1), inputs={"a": a, "b": b}, description="stack on a new last axis",
               grad=lambda v: torch.stack([v["a"], v["b"]], -1))

    case = "builtin_arange"
    write_case(case, "fn main() -> i32[5] = arange(5)\n", torch.arange(5, dtype=torch.int32),
               description="arange gives i32")

    case = "builtin_arange_dim"
    write_case(case, """
        dim N

        fn main() -> i32[N] = arange(N)
        """, torch.arange(6, dtype=torch.int32), dims={"N": 6}, description="arange of a run-time size")

    case = "builtin_arange_times_float"
    x = Draw(case).normal(4)
    write_case(case, "fn main(x: f64[4]) -> f64[4] = x * arange(4)\n", x * torch.arange(4, dtype=torch.float64),
               inputs={"x": x}, description="an i32 arange meeting f64 becomes f64",
               grad=lambda v: v["x"] * torch.arange(4, dtype=torch.float64))

    case = "builtin_dims_from_inputs"
    d = Draw(case)
    x, y = d.normal(3, 5), d.normal(5)
    write_case(case, """
        dim B, T

        fn main(x: f64[B, T], y: f64[T]) -> f64[B, T] = x * y + sum(x, axis=-1, keepdims=true)
        """, x * y + x.sum(-1, keepdim=True), inputs={"x": x, "y": y},
               description="dims bound from the shapes of the inputs",
               grad=lambda v: v["x"] * v["y"] + v["x"].sum(-1, keepdim=True))


def matmul():
    def mm(name, a_shape, b_shape, out_shape, call="a @ b", b_fn=lambda b: b, description=""):
        case = f"builtin_{name}"
        d = Draw(case)
        a, b = d.normal(*a_shape), d.normal(*b_shape)
        t = lambda s: "f64[" + ", ".join(map(str, s)) + "]" if s else "f64"
        write_case(case, f"fn main(a: {t(a_shape)}, b: {t(b_shape)}) -> {t(out_shape)} = {call}\n",
                   torch.matmul(a, b_fn(b)), inputs={"a": a, "b": b}, description=description or call,
                   grad=lambda v: torch.matmul(v["a"], b_fn(v["b"])))

    mm("matmul_vec_vec", (4,), (4,), (), description="1-D @ 1-D is a scalar")
    mm("matmul_vec_mat", (4,), (4, 3), (3,), description="1-D @ 2-D")
    mm("matmul_mat_vec", (3, 4), (4,), (3,), description="2-D @ 1-D")
    mm("matmul_mat_mat", (3, 4), (4, 5), (3, 5))
    mm("matmul_batched", (2, 3, 4), (2, 4, 5), (2, 3, 5), description="batched @")
    mm("matmul_broadcast_batch", (2, 1, 3, 4), (3, 4, 5), (2, 3, 3, 5), description="@ broadcasting batch axes")
    mm("matmul_batched_vec", (2, 3, 4), (4,), (2, 3), description="batched @ 1-D")
    mm("matmul_vec_batched", (4,), (2, 4, 5), (2, 5), description="1-D @ batched")
    mm("matmul_mat_batched", (3, 4), (2, 4, 5), (2, 3, 5), description="2-D @ batched broadcasts the 2-D side")
    mm("matmul_transposed", (3, 4), (5, 4), (3, 5), call="a @ b.T", b_fn=lambda b: b.T)
    mm("matmul_batched_transposed", (2, 3, 4), (2, 5, 4), (2, 3, 5), call="a @ b.T",
       b_fn=lambda b: b.transpose(-1, -2), description="q @ k.T shape")


def indexing():
    def one(name, in_shape, call, out_type, expected_fn, extra="", description=""):
        case = f"builtin_{name}"
        x = Draw(case).normal(*in_shape)
        in_type = "f64[" + ", ".join(map(str, in_shape)) + "]"
        write_case(case, f"{extra}fn main(x: {in_type}) -> {out_type} = {call}\n", expected_fn(x),
                   inputs={"x": x}, description=description or call, grad=lambda v: expected_fn(v["x"]))

    one("index_first", (4, 3, 2), "x[0]", "f64[3, 2]", lambda x: x[0])
    one("index_last", (4, 3, 2), "x[-1]", "f64[3, 2]", lambda x: x[-1])
    one("index_second_axis", (4, 3, 2), "x[:, 0]", "f64[4, 2]", lambda x: x[:, 0])
    one("index_second_axis_negative", (4, 3, 2), "x[:, -1]", "f64[4, 2]", lambda x: x[:, -1])
    one("index_slice", (5, 3), "x[1:3]", "f64[2, 3]", lambda x: x[1:3])
    one("index_slice_open", (5, 3), "x[2:] + x[:3]", "f64[3, 3]", lambda x: x[2:] + x[:3],
        description="slices with one bound left out")
    one("index_const", (4, 3), "x[K]", "f64[3]", lambda x: x[2], extra="const K = 2\n\n",
        description="select with a const")
    one("index_vector_element", (5,), "x[1] * x[-2]", "f64", lambda x: x[1] * x[-2],
        description="selecting from a 1-D tensor gives a scalar")


def in_place_state():
    """update_slice and dynamic_slice (docs/language.md, "In-place state"): the start is clamped into
    the axis as XLA's dynamic_update_slice / dynamic_slice are, computed here by hand."""
    def clamp(start, extent, window):
        return max(0, min(start, extent - window))

    def update(target, value, axis, start):
        s = clamp(start, target.shape[axis], value.shape[axis])
        index = torch.arange(s, s + value.shape[axis])
        return target.index_copy(axis, index, value)

    def window(x, axis, start, size):
        return x.narrow(axis, clamp(start, x.shape[axis], size), size)

    program = ("fn main(cache: f64[2, 6, 3], v: f64[2, 2, 3], pos: i32) -> f64[2, 6, 3] =\n"
               "  update_slice(cache, v * v, 1, pos) * 2\n")
    for name, pos in (("update_slice", 3), ("update_slice_clamped", 7), ("update_slice_negative", -2)):
        case = f"builtin_{name}"
        d = Draw(case)
        cache, v = d.normal(2, 6, 3), d.normal(2, 2, 3)
        p = torch.tensor(pos, dtype=torch.int32)
        write_case(case, program, update(cache, v * v, 1, pos) * 2, inputs={"cache": cache, "v": v, "pos": p},
                   description=f"update_slice at run-time position {pos} (clamped into the axis)",
                   grad=lambda a, pos=pos: update(a["cache"], a["v"] * a["v"], 1, pos) * 2)

    case = "builtin_dynamic_slice"
    d = Draw(case)
    x = d.normal(4, 5)
    p = torch.tensor(2, dtype=torch.int32)
    write_case(case, "fn main(x: f64[4, 5], pos: i32) -> f64[4, 3] = sin(dynamic_slice(x, -1, pos, 3))\n",
               torch.sin(window(x, 1, 2, 3)), inputs={"x": x, "pos": p},
               description="dynamic_slice of 3 elements from a run-time start",
               grad=lambda a: torch.sin(window(a["x"], 1, 2, 3)))

    # One decode step: write the new key at the position, attend over the cache masked by position.
    case = "builtin_update_slice_decode"
    d = Draw(case)
    cache, k, q = d.normal(2, 6, 4), d.normal(2, 1, 4), d.normal(2, 1, 4)
    pos = 2

    def decode(a):
        c = update(a["cache"], a["k"], 1, pos)
        mask = torch.where(torch.arange(6) <= pos, 0.0, float("-inf")).to(torch.float64)
        p = torch.softmax(a["q"] @ c.transpose(1, 2) / 2.0 + mask, dim=-1)
        return c, p @ c

    write_case(case, "const T = 6\n"
               "fn main(cache: f64[2, T, 4], k: f64[2, 1, 4], q: f64[2, 1, 4], pos: i32) -> (f64[2, T, 4], f64[2, 1, 4]) {\n"
               "  let c = update_slice(cache, k, 1, pos)\n"
               "  return (c, attention(q, c, c, where(arange(T) <= pos, 0.0, -inf)))\n"
               "}\n",
               decode({"cache": cache, "k": k, "q": q}),
               inputs={"cache": cache, "k": k, "q": q, "pos": torch.tensor(pos, dtype=torch.int32)},
               description="a decode step: the key written at a run-time position, attention masked by position",
               grad=decode)

    case = "builtin_update_slice_chain"
    d = Draw(case)
    k, kv, vv = d.normal(3, 4), d.normal(1, 4), d.normal(1, 4)
    p = torch.tensor(1, dtype=torch.int32)
    write_case(case, "fn main(k: f64[3, 4], kv: f64[1, 4], vv: f64[1, 4], pos: i32) -> f64[3, 4] =\n"
               "  update_slice(update_slice(k, kv, 0, pos), vv, 0, 2) * k\n",
               update(update(k, kv, 0, 1), vv, 0, 2) * k, inputs={"k": k, "kv": kv, "vv": vv, "pos": p},
               description="two writes, one at a run-time and one at a constant start, read alongside the target",
               grad=lambda a: update(update(a["k"], a["kv"], 0, 1), a["vv"], 0, 2) * a["k"])


def index_notation():
    case = "builtin_ix_diagonal"
    x = Draw(case).normal(4, 4)
    write_case(case, """
        fn main(x: f64[4, 4]) -> f64[4] {
          let d[i] = x[i, i]
          return d
        }
        """, torch.diagonal(x), inputs={"x": x}, description="diagonal read x[i, i]",
               grad=lambda v: torch.diagonal(v["x"]))

    case = "builtin_ix_trace"
    x = Draw(case).normal(5, 5)
    write_case(case, """
        fn main(x: f64[5, 5]) -> f64 {
          let s = sum[i](x[i, i])
          return s
        }
        """, torch.trace(x), inputs={"x": x}, description="a scalar let of a reduction over the diagonal",
               grad=lambda v: torch.trace(v["x"]))

    case = "builtin_ix_batched_diagonal"
    x = Draw(case).normal(2, 3, 3)
    write_case(case, """
        fn main(x: f64[2, 3, 3]) -> f64[2, 3] {
          let d[a, i] = x[a, i, i]
          return d
        }
        """, torch.diagonal(x, dim1=1, dim2=2), inputs={"x": x}, description="x[a, i, i] reads the diagonals",
               grad=lambda v: torch.diagonal(v["x"], dim1=1, dim2=2))

    case = "builtin_ix_shift_back"
    x = Draw(case).normal(3, 5)
    prev = lambda x: torch.cat([torch.zeros(3, 1), x[:, :-1]], 1)
    write_case(case, """
        fn main(x: f64[3, 5]) -> f64[3, 5] {
          let diff[i, j] = x[i, j] - where(j >= 1, x[i, j - 1], 0.0)
          return diff
        }
        """, x - prev(x), inputs={"x": x}, description="a shifted read x[i, j - 1] guarded by where",
               grad=lambda v: v["x"] - prev(v["x"]))

    case = "builtin_ix_shift_forward"
    x = Draw(case).normal(3, 5)
    nxt = lambda x: torch.cat([x[:, 1:], torch.zeros(3, 1)], 1)
    write_case(case, """
        const W = 5

        fn main(x: f64[3, W]) -> f64[3, W] {
          let y[i, j] = x[i, j] + 2 * where(j + 1 < W, x[i, j + 1], 0.0)
          return y
        }
        """, x + 2 * nxt(x), inputs={"x": x}, description="a shifted read x[i, j + 1] guarded by where",
               grad=lambda v: v["x"] + 2 * nxt(v["x"]))

    case = "builtin_ix_matmul"
    d = Draw(case)
    a, b = d.normal(3, 4), d.normal(4, 5)
    write_case(case, """
        fn main(a: f64[3, 4], b: f64[4, 5]) -> f64[3, 5] {
          let c[i, k] = sum[j](a[i, j] * b[j, k])
          return c
        }
        """, torch.einsum("ij,jk->ik", a, b), inputs={"a": a, "b": b}, description="matrix product by sum[j]",
               grad=lambda v: torch.einsum("ij,jk->ik", v["a"], v["b"]))

    case = "builtin_ix_attention_scores"
    d = Draw(case)
    q, k = d.normal(2, 2, 3, 4), d.normal(2, 2, 5, 4)
    write_case(case, """
        fn main(q: f64[2, 2, 3, 4], k: f64[2, 2, 5, 4]) -> f64[2, 2, 3, 5] {
          let scores[b, h, i, j] = sum[d](q[b, h, i, d] * k[b, h, j, d]) / sqrt(4)
          return scores
        }
        """, torch.einsum("bhid,bhjd->bhij", q, k) / 2.0, inputs={"q": q, "k": k},
               description="attention scores in index notation (LANGUAGE.md 4)",
               grad=lambda v: torch.einsum("bhid,bhjd->bhij", v["q"], v["k"]) / 2.0)

    case = "builtin_ix_max_plus_bias"
    d = Draw(case)
    x, bias = d.normal(2, 3, 4), d.normal(5)
    write_case(case, """
        fn main(x: f64[2, 3, 4], bias: f64[5]) -> f64[2, 3, 5] {
          let y[b, t, e] = max[c](x[b, t, c]) + bias[e]
          return y
        }
        """, x.amax(-1)[:, :, None] + bias, inputs={"x": x, "bias": bias},
               description="max reduction plus a bias indexed by a free index",
               grad=lambda v: v["x"].amax(-1)[:, :, None] + v["bias"])

    case = "builtin_ix_other_reductions"
    x = Draw(case).uniform(0.5, 1.5, 3, 4)
    write_case(case, """
        fn main(x: f64[3, 4]) -> f64[3] {
          let y[i] = mean[j](x[i, j]) + min[j](x[i, j]) * prod[j](x[i, j])
          return y
        }
        """, x.mean(1) + x.amin(1) * x.prod(1), inputs={"x": x}, description="mean, min and prod reductions",
               grad=lambda v: v["x"].mean(1) + v["x"].amin(1) * v["x"].prod(1))

    case = "builtin_ix_sum_two_indices"
    d = Draw(case)
    x, y = d.normal(2, 3, 4), d.normal(2, 4, 3)
    write_case(case, """
        fn main(x: f64[2, 3, 4], y: f64[2, 4, 3]) -> f64[2] {
          let s[b] = sum[i, j](x[b, i, j] * y[b, j, i])
          return s
        }
        """, torch.einsum("bij,bji->b", x, y), inputs={"x": x, "y": y}, description="sum over two indices",
               grad=lambda v: torch.einsum("bij,bji->b", v["x"], v["y"]))

    case = "builtin_ix_outer"
    d = Draw(case)
    a, b = d.normal(3), d.normal(4)
    write_case(case, """
        fn main(a: f64[3], b: f64[4]) -> f64[3, 4] {
          let o[i, j] = a[i] * b[j]
          return o
        }
        """, torch.outer(a, b), inputs={"a": a, "b": b}, description="outer product",
               grad=lambda v: torch.outer(v["a"], v["b"]))

    case = "builtin_ix_transpose"
    x = Draw(case).normal(3, 5)
    write_case(case, """
        fn main(x: f64[3, 5]) -> f64[5, 3] {
          let t[j, i] = x[i, j]
          return t
        }
        """, x.T.contiguous(), inputs={"x": x}, description="transpose by index order",
               grad=lambda v: v["x"].T)

    case = "builtin_ix_index_values"
    m = torch.arange(3)[:, None] * 4 + torch.arange(4)[None, :]
    write_case(case, """
        fn main() -> i32[3, 4] {
          let m[i: 3, j: 4] = i * 4 + j
          return m
        }
        """, m, description="indices used as integer values, ranges given on the left")

    case = "builtin_ix_causal"
    mask = torch.triu(torch.full((4, 4), float("-inf")), diagonal=1)
    write_case(case, """
        dim T

        fn main() -> f32[T, T] {
          let causal[i: T, j: T] = where(j <= i, 0.0, -inf)
          return causal
        }
        """, mask, dims={"T": 4}, description="a causal mask in index notation (f32 literals), size from --dim")

    case = "builtin_ix_index_as_float"
    x = Draw(case).normal(3, 4)
    fn = lambda x: x * torch.arange(4, dtype=torch.float64)[None, :] + torch.arange(3, dtype=torch.float64)[:, None]
    write_case(case, """
        fn main(x: f64[3, 4]) -> f64[3, 4] {
          let y[i, j] = x[i, j] * j + i
          return y
        }
        """, fn(x), inputs={"x": x}, description="index values meeting f64 become f64",
               grad=lambda v: fn(v["x"]))


if __name__ == "__main__":
    elementwise()
    reductions()
    reduction_ties()
    tuples()
    shapes()
    matmul()
    indexing()
    in_place_state()
    index_notation()
    done("goldens_builtins.py")
