package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;
import java.util.List;

/** Shorthands for building kernels by hand in tests. */
final class K {
  private K() {}

  static Dim d(String symbol) {
    return Dim.symbol(symbol);
  }

  static Dim d(long value) {
    return Dim.of(value);
  }

  static Buffer buffer(int id, String name, DType dtype, Buffer.Role role, Dim... dims) {
    return new Buffer(id, name, new TensorType(dtype, Shape.of(dims)), role);
  }

  static KExpr.Var i(String name) {
    return new KExpr.Var(name, DType.I32);
  }

  static KExpr.Var var(String name, DType dtype) {
    return new KExpr.Var(name, dtype);
  }

  static KExpr.Const idx(long v) {
    return KExpr.Const.index(v);
  }

  static KExpr.Const f64(double v) {
    return new KExpr.Const(v, DType.F64);
  }

  static KExpr.Const f32(double v) {
    return new KExpr.Const(v, DType.F32);
  }

  static KExpr size(Dim dim) {
    return KExpr.size(dim);
  }

  static KExpr load(Buffer b, KExpr index) {
    return new KExpr.Load(b, index);
  }

  static KExpr bin(Fn fn, KExpr a, KExpr b) {
    return new KExpr.Binary(fn, a, b);
  }

  static KExpr add(KExpr a, KExpr b) {
    return bin(Fn.ADD, a, b);
  }

  static KExpr sub(KExpr a, KExpr b) {
    return bin(Fn.SUB, a, b);
  }

  static KExpr mul(KExpr a, KExpr b) {
    return bin(Fn.MUL, a, b);
  }

  static KExpr div(KExpr a, KExpr b) {
    return bin(Fn.DIV, a, b);
  }

  static KExpr max(KExpr a, KExpr b) {
    return bin(Fn.MAX, a, b);
  }

  static KExpr un(Unary.Fn fn, KExpr x) {
    return new KExpr.Unary(fn, x);
  }

  /** Row-major flat index {@code (i0 * d1 + i1) * d2 + i2 …}. */
  static KExpr flat(List<KExpr> indices, List<Dim> dims) {
    KExpr out = indices.get(0);
    for (int a = 1; a < indices.size(); a++) out = KExpr.add(KExpr.mul(out, KExpr.size(dims.get(a))), indices.get(a));
    return out;
  }

  static KStmt.Loop pfor(String var, KExpr extent, KStmt... body) {
    return new KStmt.Loop(var, extent, true, List.of(body));
  }

  static KStmt.Loop loop(String var, KExpr extent, KStmt... body) {
    return new KStmt.Loop(var, extent, false, List.of(body));
  }

  static Kernel kernel(String name, KernelKind kind, List<Buffer> reads, List<Buffer> writes, KStmt... body) {
    return new Kernel(name, kind, reads, writes, List.of(body), List.of(), 1);
  }
}
