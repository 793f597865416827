#!/usr/bin/env python3
"""Writes the unrolled Vector API GEMM micro-kernels of runtime/.../exec/gemm (VectorTile<MR>x<V>.java).

Each variant holds an MR x V-vector register tile in MR*V accumulators; C2 keeps locals in
registers, not arrays, so every accumulator is its own local. Run from the repository root:
    python3 tools/gemm/micro_kernels.py
and add the new class to MicroKernelF32's permits list and MicroKernels.VARIANTS.
"""
import os

VARIANTS = [(6, 2), (4, 3), (8, 2), (12, 2), (14, 2), (8, 3)]
OUT = "runtime/src/main/java/dev/adjoint/runtime/exec/gemm"


def kernel(mr, nv):
    name = f"VectorTile{mr}x{nv}"
    regs = mr * nv + nv + 1
    acc = [[f"s{r}_{j}" for j in range(nv)] for r in range(mr)]
    lines = []
    w = lines.append
    w("package dev.adjoint.runtime.exec.gemm;")
    w("")
    w("import jdk.incubator.vector.FloatVector;")
    w("import jdk.incubator.vector.VectorSpecies;")
    w("")
    w("/**")
    w(f" * The Vector API micro-kernel with a {mr} × {nv}V register tile (V lanes of the preferred species): {mr * nv}")
    w(f" * accumulators, plus {nv} vector{'s' if nv > 1 else ''} of the right panel and one broadcast of the left, {regs} vector registers")
    w(" * in all. Each step is one fused multiply-add per accumulator ({@code Math.fma}'s bits, in reduction")
    w(" * order), so every variant gives the same bits. Written by {@code tools/gemm/micro_kernels.py}.")
    w(" */")
    w(f"final class {name} implements MicroKernelF32 {{")
    w("  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;")
    w("  private static final int LANES = SPECIES.length();")
    w(f"  private static final int MR = {mr};")
    w(f"  private static final int NR = {nv} * LANES;")
    w("")
    w("  @Override")
    w("  public boolean fusesMultiplyAdd() {")
    w("    return true;")
    w("  }")
    w("")
    w("  @Override")
    w("  public int rows() {")
    w("    return MR;")
    w("  }")
    w("")
    w("  @Override")
    w("  public int columns() {")
    w("    return NR;")
    w("  }")
    w("")
    w("  @Override")
    w("  public int vectors() {")
    w(f"    return {nv};")
    w("  }")
    w("")
    w("  @Override")
    w("  public void multiply(int depth, float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, int cStride,")
    w("      boolean first) {")
    w("    int c0 = cOffset;")
    for r in range(1, mr):
        w(f"    int c{r} = c{r - 1} + cStride;")
    for r in range(mr):
        for j in range(nv):
            w(f"    FloatVector {acc[r][j]};")
    w("    if (first) {")
    w("      FloatVector zero = FloatVector.zero(SPECIES);")
    for r in range(mr):
        for j in range(nv):
            w(f"      {acc[r][j]} = zero;")
    w("    } else {")
    for r in range(mr):
        for j in range(nv):
            off = f"c{r}" if j == 0 else (f"c{r} + LANES" if j == 1 else f"c{r} + {j} * LANES")
            w(f"      {acc[r][j]} = FloatVector.fromArray(SPECIES, c, {off});")
    w("    }")
    w("    int ap = aOffset;")
    w("    int bp = bOffset;")
    w("    for (int p = 0; p < depth; p++, ap += MR, bp += NR) {")
    for j in range(nv):
        off = "bp" if j == 0 else ("bp + LANES" if j == 1 else f"bp + {j} * LANES")
        w(f"      FloatVector b{j} = FloatVector.fromArray(SPECIES, b, {off});")
    for r in range(mr):
        ai = "ap" if r == 0 else f"ap + {r}"
        w(f"      {'FloatVector x' if r == 0 else 'x'} = FloatVector.broadcast(SPECIES, a[{ai}]);")
        for j in range(nv):
            w(f"      {acc[r][j]} = x.fma(b{j}, {acc[r][j]});")
    w("    }")
    for r in range(mr):
        for j in range(nv):
            off = f"c{r}" if j == 0 else (f"c{r} + LANES" if j == 1 else f"c{r} + {j} * LANES")
            w(f"    {acc[r][j]}.intoArray(c, {off});")
    w("  }")
    w("")
    w("  @Override")
    w("  public String describe() {")
    w('    return "vector " + MR + "x" + NR + " (" + SPECIES.vectorBitSize() + "-bit)";')
    w("  }")
    w("}")
    with open(os.path.join(OUT, name + ".java"), "w") as f:
        f.write("\n".join(lines) + "\n")


for mr, nv in VARIANTS:
    kernel(mr, nv)
