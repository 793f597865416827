#!/usr/bin/python3
"""Writes the reference array files that the runtime module's tests read.

NumPy writes the .npy files (numpy.save and numpy.lib.format.write_array), PyTorch makes the
tensors of the .safetensors files and rounds float32 to bfloat16, and NumPy rounds to float16.
These are implementations independent of ours, so the Java tests check our readers, writers and
conversions against them without running Python.

The safetensors Python package is not in Debian, so the .safetensors files are written by the small
writer below, which follows the format byte for byte as the reference Rust implementation writes
it: names sorted, compact JSON with the metadata first, the header padded with spaces to a multiple
of 8 bytes.

Run with Debian's interpreter, which has python3-numpy and python3-torch:

    /usr/bin/python3 tools/reference/write_array_files.py

Output (deterministic; commit it): runtime/src/test/resources/arrays/
    npy/*.npy, safetensors/*.safetensors,
    manifest.json     the expected dtype, shape and values of every array
    conversions.json  float32 -> bfloat16 (PyTorch), float32 -> float16 and float64 -> float16 (NumPy)
"""

import json
import math
import pathlib
import struct
import sys

import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parents[2] / "runtime" / "src" / "test" / "resources" / "arrays"

LANGUAGE_NAMES = {
    np.dtype("<f4"): "f32", np.dtype("<f8"): "f64", np.dtype("<f2"): "f16",
    np.dtype("<i4"): "i32", np.dtype("<i8"): "i32", np.dtype("|b1"): "bool",
}

SAFETENSORS_NAMES = {
    torch.float32: "F32", torch.float64: "F64", torch.bfloat16: "BF16", torch.float16: "F16",
    torch.int32: "I32", torch.int64: "I64", torch.bool: "BOOL",
}


def json_value(x):
    """A JSON value for one element: exact for every float (repr of a double round-trips);
    'nan', 'inf', '-inf' and '-0' as strings, since JSON has no such numbers (or may drop the sign)."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 and math.copysign(1, x) < 0:
        return "-0"  # a JSON reader may not keep the sign of -0.0
    return x


def describe_numpy(array):
    flat = np.ascontiguousarray(array).reshape(-1)
    entry = {
        "dtype": LANGUAGE_NAMES[array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype],
        "shape": list(array.shape),
        "values": [json_value(v) for v in flat.tolist()],
    }
    if array.dtype == np.float16:
        entry["bits"] = flat.view(np.uint16).tolist()
    return entry


def write_npy_files(manifest):
    folder = OUT / "npy"
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}

    def save(name, array, byte_identical, writer=None):
        path = folder / name
        if writer is None:
            np.save(path, array)
        else:
            with open(path, "wb") as f:
                writer(f, array)
        entry = describe_numpy(array)
        # Whether our writer must reproduce the file exactly: numpy.save of a C-order array of a
        # dtype we store unchanged.
        entry["byte_identical"] = byte_identical
        entries[name] = entry

    f32 = np.array([[1.0, 2.5, -3.0], [1.15, 1e-8, 3.4e38]], dtype=np.float32)
    save("f32_2x3.npy", f32, True)
    save("f64_2x3.npy", np.array([[0.1, -0.0, 1e300], [5e-324, math.pi, -2.0]], dtype=np.float64), True)
    save("f16_7.npy", np.array([1.0, 0.1, 65504.0, 6e-8, -0.0, np.inf, np.nan], dtype=np.float16), True)
    save("i32_2x2.npy", np.array([[0, -1], [2147483647, -2147483648]], dtype=np.int32), True)
    save("i64_3.npy", np.array([-2147483648, 0, 2147483647], dtype=np.int64), False)
    save("i64_too_big.npy", np.array([1, 2**32], dtype=np.int64), False)
    save("bool_4.npy", np.array([True, False, False, True]), True)
    save("f32_2x3x4.npy", np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4, True)
    save("f32_scalar.npy", np.array(1.5, dtype=np.float32), True)
    save("f64_scalar.npy", np.array(-0.25, dtype=np.float64), True)
    save("f32_empty_0x3.npy", np.zeros((0, 3), dtype=np.float32), True)
    save("i32_empty_0.npy", np.zeros((0,), dtype=np.int32), True)
    save("f32_long_1d.npy", np.arange(100, dtype=np.float32), True)
    save("f64_v2.npy", np.array([[1.0, 2.0], [3.0, 4.0]]), False,
         lambda f, a: np.lib.format.write_array(f, a, version=(2, 0)))
    save("f32_v3.npy", np.array([0.5, -0.5], dtype=np.float32), False,
         lambda f, a: np.lib.format.write_array(f, a, version=(3, 0)))
    save("f32_fortran_2x3.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)), False)
    save("i32_fortran_2x3x4.npy", np.asfortranarray(np.arange(24, dtype=np.int32).reshape(2, 3, 4)), False)
    save("f32_big_endian.npy", np.arange(3, dtype=">f4"), False)
    manifest["npy"] = entries


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        # NumPy has no bfloat16; the same 16 bits viewed as int16 are what goes in the file.
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """The safetensors format as the reference Rust implementation writes it."""
    header = {}
    if metadata:
        header["__metadata__"] = {key: metadata[key] for key in sorted(metadata)}
    blobs = []
    offset = 0
    for name in sorted(tensors):  # Python sorts str by code point, as Rust sorts by UTF-8 bytes
        t = tensors[name]
        data = tensor_bytes(t)
        header[name] = {"dtype": SAFETENSORS_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def describe_torch(t):
    language = {torch.float32: "f32", torch.float64: "f64", torch.bfloat16: "bf16", torch.float16: "f16",
                torch.int32: "i32", torch.int64: "i32", torch.bool: "bool"}[t.dtype]
    flat = t.contiguous().reshape(-1)
    entry = {"dtype": language, "shape": list(t.shape),
             "values": [json_value(v) for v in flat.to(torch.float64 if t.is_floating_point() else t.dtype).tolist()]}
    if t.dtype in (torch.bfloat16, torch.float16):
        entry["bits"] = [v & 0xFFFF for v in flat.view(torch.int16).tolist()]
    return entry


def write_safetensors_files(manifest):
    folder = OUT / "safetensors"
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "model.safetensors": (
            {
                "weight": torch.tensor([[1.0, -2.0, 3.5], [0.25, 1.15, -1e-3]], dtype=torch.float32),
                "bias": torch.tensor([0.1, -0.0, 1e300], dtype=torch.float64),
                "emb": torch.tensor([[1.15, -3.0e38], [1e-40, float("inf")]], dtype=torch.float32).to(torch.bfloat16),
                "half": torch.tensor([1.0, 0.1, 65504.0, 6e-8], dtype=torch.float16),
                "ids": torch.tensor([[0, -1], [2147483647, -2147483648]], dtype=torch.int32),
                "mask": torch.tensor([True, False, True]),
                "scalar": torch.tensor(2.5, dtype=torch.float32),
                "empty": torch.zeros((0, 2), dtype=torch.float32),
            },
            {"format": "pt", "source": "tools/reference/write_array_files.py"},
        ),
        "i64.safetensors": ({"counts": torch.tensor([-2147483648, 0, 2147483647], dtype=torch.int64)}, None),
        "names.safetensors": (
            {
                "b": torch.tensor([1.0], dtype=torch.float32),
                "a.weight": torch.tensor([2.0], dtype=torch.float32),
                "\u00f1": torch.tensor([3.0], dtype=torch.float32),
                "\u65e5\u672c": torch.tensor([4.0], dtype=torch.float32),
                "Z": torch.tensor([5.0], dtype=torch.float32),
            },
            {"note": "quote \" backslash \\ newline \n tab \t bell \x07 caf\u00e9"},
        ),
    }
    entries = {}
    for name, (tensors, metadata) in files.items():
        write_safetensors(folder / name, tensors, metadata)
        entries[name] = {
            "metadata": metadata or {},
            # Our writer stores I64 as I32, so only files without I64 must come out identical.
            "byte_identical": all(t.dtype != torch.int64 for t in tensors.values()),
            "tensors": {key: describe_torch(tensors[key]) for key in sorted(tensors)},
        }
    manifest["safetensors"] = entries


def write_conversions():
    rng = np.random.default_rng(20240601)

    # float32 -> bfloat16: random bit patterns (every exponent, NaNs included), exact ties and
    # near-ties around random bfloat16 values, and hand-picked edge cases.
    random_bits = rng.integers(0, 2**32, size=400, dtype=np.uint64).astype(np.uint32)
    bf16_upper = rng.integers(0, 2**16, size=100, dtype=np.uint32) << 16
    ties = np.concatenate([bf16_upper | 0x8000, bf16_upper | 0x7FFF, bf16_upper | 0x8001])
    edges = np.array([0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0xFFFF0001,
                      0x7F7FFFFF, 0x7F7F7FFF, 0x7F7F8000, 0x00000001, 0x00008000, 0x00018000, 0x007FFFFF,
                      0x3F808000, 0x3F818000, 0x3F80C000], dtype=np.uint32)
    f32_bits = np.concatenate([edges, random_bits, ties]).astype(np.uint32)
    bf16 = torch.from_numpy(f32_bits.view(np.float32).copy()).to(torch.bfloat16).view(torch.int16).numpy()
    f32_to_bf16 = [[int(a), int(b) & 0xFFFF] for a, b in zip(f32_bits, bf16)]

    # float32 -> float16 and float64 -> float16: random values across float16's range, ties
    # between neighbouring float16 values, and float64 values a hair off a tie, which rounding via
    # float32 gets wrong.
    half_bits = rng.integers(0, 0x7BFF, size=200, dtype=np.uint16)
    halves = half_bits.view(np.float16).astype(np.float64)
    following = (half_bits + 1).view(np.float16).astype(np.float64)
    midpoints = (halves + following) / 2
    f32_values = np.concatenate([
        np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 65504.0, 65519.99, 65520.0, 2.0**-24, 2.0**-25,
                  3 * 2.0**-26, 2.0**-14, 2.0**-15, 1e-8, 1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11]),
        rng.uniform(-70000, 70000, size=100), rng.standard_normal(100) * 1e-5, midpoints, -midpoints,
    ]).astype(np.float32)
    with np.errstate(over="ignore"):  # overflow to infinity is one of the cases
        f32_halves = f32_values.astype(np.float16)
    f32_to_f16 = [[int(a), int(b)] for a, b in zip(f32_values.view(np.uint32), f32_halves.view(np.uint16))]

    scale = 2.0 ** -30
    f64_values = np.concatenate([
        np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 65519.999999, 65520.0, 1.0 + 2.0**-11 + 2.0**-40,
                  1.0 + 2.0**-11 - 2.0**-40, 2.0**-25, 2.0**-25 + 2.0**-60, 1e300, -1e-300]),
        midpoints * (1 + scale), midpoints * (1 - scale), midpoints,
        rng.uniform(-70000, 70000, size=100),
    ]).astype(np.float64)
    with np.errstate(over="ignore"):
        f64_halves = f64_values.astype(np.float16)
    f64_to_f16 = [[int(a), int(b)] for a, b in zip(f64_values.view(np.uint64), f64_halves.view(np.uint16))]

    conversions = {
        "f32_to_bf16": f32_to_bf16,
        "f32_to_f16": f32_to_f16,
        "f64_to_f16": f64_to_f16,
    }
    (OUT / "conversions.json").write_text(json.dumps(conversions, separators=(",", ":"), allow_nan=False) + "\n")


def main():
    if sys.byteorder != "little":
        sys.exit("this script writes native-order bytes as little-endian; run it on a little-endian machine")
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {"numpy": np.__version__, "torch": torch.__version__.split("+")[0]}
    write_npy_files(manifest)
    write_safetensors_files(manifest)
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    write_conversions()
    print("wrote", OUT)


if __name__ == "__main__":
    main()
