"""Shared helpers for the golden-case scripts of tools/reference/.

A golden case is a folder compiler/src/test/resources/goldens/<name>/ holding

    program.adj       the Adjoint program (self-contained: no imports)
    case.properties   entry=, dtype=f64, optional dims=, rtol=, atol=, description=,
                      as_written_rtol=, as_written_atol=
    input_<arg>.npy   one per argument of the entry point
    param_<name>.npy  one per param of the model, by its full dotted name
    output.npy        the result (or output_0.npy, output_1.npy, ... for a tuple)
    cotangent.npy     the seed of the gradient of a non-scalar single output (see below)
    grad_<name>.npy   the gradient for each floating-point argument and each param

The outputs come from PyTorch, computed in float64, independently of the .adj source.
dev.adjoint.compiler.golden.GoldenTest runs every folder through the reference interpreter,
GoldenGradientTest runs the gradient of every folder that has grad_*.npy files. Both run a case
with as_written_* tolerances a second time with its types as written (no f64 forced on its f32
parts) and compare with the same goldens at those tolerances.

Gradients: every case whose entry has a floating-point argument or param and whose outputs are all
floating-point gets them, from torch.autograd in float64 (write_case's `grad=`, a function of the
float arguments and params that recomputes the outputs). A scalar output is seeded with 1, a single
non-scalar output with a random cotangent c (cotangent.npy; the gradient is that of sum(c * output)),
a tuple with ones for every member (no cotangent.npy; the Java side passes none).
"""

from __future__ import annotations

import shutil
import textwrap
import zlib
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]
GOLDENS = REPO / "compiler" / "src" / "test" / "resources" / "goldens"
EXAMPLES = REPO / "examples" / "src" / "main" / "adjoint"

F64 = torch.float64
torch.set_default_dtype(F64)
# One thread: the same bits on every machine, whatever its core count.
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def rng(name: str) -> np.random.Generator:
    """A generator seeded from the case name, so adding a case never changes another."""
    return np.random.default_rng(zlib.crc32(name.encode("utf-8")))


class Draw:
    """Random float64/int tensors for one case, as torch tensors."""

    def __init__(self, name: str):
        self.g = rng(name)

    def normal(self, *shape, std=1.0, mean=0.0) -> torch.Tensor:
        return torch.from_numpy(self.g.normal(mean, std, size=shape).astype(np.float64))

    def uniform(self, lo, hi, *shape) -> torch.Tensor:
        return torch.from_numpy(self.g.uniform(lo, hi, size=shape).astype(np.float64))

    def ints(self, lo, hi, *shape) -> torch.Tensor:
        """Integers in [lo, hi)."""
        return torch.from_numpy(self.g.integers(lo, hi, size=shape).astype(np.int64))

    def bools(self, *shape) -> torch.Tensor:
        return torch.from_numpy(self.g.random(size=shape) < 0.5)

    def weight(self, fan_in, fan_out) -> torch.Tensor:
        """An [in, out] matrix with the scale of a trained layer (std 1/sqrt(in))."""
        return self.normal(fan_in, fan_out, std=fan_in ** -0.5)

    def bias(self, n) -> torch.Tensor:
        return self.normal(n, std=0.1)

    def gamma(self, n) -> torch.Tensor:
        return 1.0 + self.normal(n, std=0.2)

    def beta(self, n) -> torch.Tensor:
        return self.normal(n, std=0.2)


def to_numpy(value) -> np.ndarray:
    """float tensors as float64, integer tensors as int32, bool as bool; the shape kept (0-d too)."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    converted = _converted(array)
    assert converted.shape == array.shape
    return converted


def _converted(array: np.ndarray) -> np.ndarray:
    # (np.ascontiguousarray would turn a 0-d array into shape (1,); copy keeps shape ().)
    if array.dtype == np.bool_:
        return array.copy(order="C")
    if np.issubdtype(array.dtype, np.integer):
        if array.size and (array.min() < -(2 ** 31) or array.max() >= 2 ** 31):
            raise ValueError("integer value out of i32 range")
        return array.astype(np.int32, order="C")
    if np.issubdtype(array.dtype, np.floating):
        if array.dtype != np.float64:
            raise ValueError(f"float arrays must be float64, got {array.dtype}")
        return array.copy(order="C")
    raise ValueError(f"unsupported dtype {array.dtype}")


_written: list[str] = []
_gradient_cases: list[str] = []


def write_case(name: str, program: str, outputs, *, entry: str = "main", inputs=None, params=None,
               dims=None, rtol=None, atol=None, description: str = "", grad=None, grad_skip=None,
               no_grad: str = "", as_written_rtol=None, as_written_atol=None) -> None:
    """Writes (replacing) one case folder. `outputs` is a tensor or a tuple/list of tensors.

    grad: a function of one dict, {name: tensor} holding every input (by argument name) and every
    param (by full name), that recomputes `outputs` with PyTorch; the float ones are leaves that
    require grad. Needed by every case that has gradients (see the module doc). grad_skip:
    {name: reason} for a float argument or param whose gradient is deliberately not written (the
    reason goes to the script, the name to case.properties as grad_skip=). no_grad: the reason an
    eligible case has no gradients at all. as_written_rtol, as_written_atol: the case also runs with
    its types as written, compared at these tolerances (each defaults to the case's own), outputs
    and gradients alike.
    """
    inputs = inputs or {}
    params = params or {}
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad case name {name!r}")
    if name in _written:
        raise ValueError(f"case {name} written twice")
    _written.append(name)
    program = textwrap.dedent(program).strip("\n") + "\n"
    for arg in inputs:
        if f"{arg}:" not in program:
            raise ValueError(f"{name}: input {arg!r} is not an argument of the program")

    folder = GOLDENS / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "program.adj").write_text(program, encoding="utf-8")

    lines = [f"entry={entry}", "dtype=f64"]
    if dims:
        lines.append("dims=" + ",".join(f"{k}={v}" for k, v in dims.items()))
    if rtol is not None:
        lines.append(f"rtol={rtol!r}")
    if atol is not None:
        lines.append(f"atol={atol!r}")
    if as_written_rtol is not None:
        lines.append(f"as_written_rtol={as_written_rtol!r}")
    if as_written_atol is not None:
        lines.append(f"as_written_atol={as_written_atol!r}")
    grad_skip = grad_skip or {}
    if grad_skip:
        lines.append("grad_skip=" + ",".join(sorted(grad_skip)))
    if description:
        if not description.isascii() or "\n" in description or "\\" in description:
            raise ValueError(f"{name}: description must be one line of ASCII without backslashes")
        lines.append(f"description={description}")
    (folder / "case.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")

    for arg, value in inputs.items():
        np.save(folder / f"input_{arg}.npy", to_numpy(value))
    for param, value in params.items():
        array = to_numpy(value)
        if array.dtype != np.float64:
            raise ValueError(f"{name}: param {param} must be float")
        np.save(folder / f"param_{param}.npy", array)

    if isinstance(outputs, (tuple, list)):
        arrays = [to_numpy(o) for o in outputs]
        for i, array in enumerate(arrays):
            np.save(folder / f"output_{i}.npy", array)
    else:
        arrays = [to_numpy(outputs)]
        np.save(folder / "output.npy", arrays[0])
    for array in arrays:
        if array.dtype == np.float64 and np.isnan(array).any():
            raise ValueError(f"{name}: NaN in the expected output")

    _write_gradients(name, folder, outputs, arrays, inputs, params, grad, grad_skip, no_grad)


def _is_float(value) -> bool:
    return to_numpy(value).dtype == np.float64


def _write_gradients(name, folder, outputs, arrays, inputs, params, grad, grad_skip, no_grad):
    float_names = [k for k, v in inputs.items() if _is_float(v)] + list(params)
    eligible = bool(float_names) and all(a.dtype == np.float64 for a in arrays)
    if not eligible:
        if grad is not None or grad_skip:
            raise ValueError(f"{name}: grad= given, but the case has no float inputs or a non-float output")
        return
    if grad is None:
        if not no_grad:
            raise ValueError(f"{name}: the case has float inputs and float outputs: give grad= (or no_grad=reason)")
        return
    unknown = set(grad_skip) - set(float_names)
    if unknown:
        raise ValueError(f"{name}: grad_skip names {sorted(unknown)}, not float inputs or params")

    values = {}
    for k, v in list(inputs.items()) + list(params.items()):
        v = torch.as_tensor(v).detach().clone()
        values[k] = v.requires_grad_(True) if k in float_names else v
    recomputed = grad(values)
    recomputed = list(recomputed) if isinstance(recomputed, (tuple, list)) else [recomputed]
    if len(recomputed) != len(arrays):
        raise ValueError(f"{name}: grad= gives {len(recomputed)} outputs, expected {len(arrays)}")
    for i, (r, a) in enumerate(zip(recomputed, arrays)):
        r_np = r.detach().numpy()
        if r_np.shape != a.shape or not np.allclose(r_np, a, rtol=1e-13, atol=1e-13, equal_nan=False):
            diff = np.abs(r_np - a).max() if r_np.shape == a.shape else "shape " + str(r_np.shape)
            raise ValueError(f"{name}: grad= recomputes output {i} differently from the golden ({diff})")

    if len(recomputed) == 1 and recomputed[0].dim() > 0:
        c = Draw(name + "/cotangent").normal(*recomputed[0].shape)
        seeds = [c]
        np.save(folder / "cotangent.npy", to_numpy(c))
    else:
        # A scalar is seeded with 1; every member of a tuple with ones (as y.sum().backward()).
        seeds = [torch.ones_like(r) for r in recomputed]
    leaves = [values[k] for k in float_names]
    # An output that does not depend on any leaf (zeros_like(x)) contributes nothing.
    connected = [(r, c) for r, c in zip(recomputed, seeds) if r.requires_grad]
    if connected:
        grads = torch.autograd.grad([r for r, _ in connected], leaves, grad_outputs=[c for _, c in connected],
                                    allow_unused=True)
    else:
        grads = [None] * len(leaves)
    for k, leaf, g in zip(float_names, leaves, grads):
        if k in grad_skip:
            continue
        g = torch.zeros_like(leaf) if g is None else g
        array = to_numpy(g)
        if array.shape != tuple(leaf.shape):
            raise ValueError(f"{name}: gradient of {k} has shape {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"{name}: non-finite gradient for {k}")
        np.save(folder / f"grad_{k}.npy", array)
    _gradient_cases.append(name)


def example_source(file_name: str) -> str:
    """The text of an example program, copied verbatim into a case."""
    return (EXAMPLES / file_name).read_text(encoding="utf-8")


def done(script: str) -> None:
    print(f"{script}: wrote {len(_written)} cases ({len(_gradient_cases)} with gradients)"
          f" under {GOLDENS.relative_to(REPO)}")
