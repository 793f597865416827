package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.runtime.DType;
import java.util.List;
import java.util.Objects;

/**
 * Expressions of the kernel IR: scalar values computed inside loops. Index arithmetic uses the
 * same expressions at type i32 (loop variables, run-time sizes, {@code +}, {@code *}, {@code /},
 * {@code %} on non-negative integers), so a backend prints one language.
 */
public sealed interface KExpr {
  DType dtype();

  /** The expressions this one is computed from, in order: none for literals, variables and sizes. */
  default List<KExpr> children() {
    return switch (this) {
      case Const c -> List.of();
      case Var v -> List.of();
      case Size s -> List.of();
      case Load l -> List.of(l.index());
      case Element el -> List.of(el.index());
      case Unary u -> List.of(u.x());
      case Binary b -> List.of(b.a(), b.b());
      case Select s -> List.of(s.condition(), s.a(), s.b());
      case Cast c -> List.of(c.x());
      case Random r -> List.of(r.index());
    };
  }

  /** A literal. */
  record Const(double value, DType dtype) implements KExpr {
    public Const {
      Objects.requireNonNull(dtype, "dtype");
    }

    public static Const index(long v) {
      return new Const(v, DType.I32);
    }
  }

  /** A loop variable, a {@code let}, or a mutable scalar. */
  record Var(String name, DType dtype) implements KExpr {
    public Var {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dtype, "dtype");
    }
  }

  /** A size known at run time ({@code B}, {@code T * H}), as an i32. */
  record Size(Dim dim) implements KExpr {
    @Override
    public DType dtype() {
      return DType.I32;
    }
  }

  /** {@code buffer[index]}: the element at a flat (C-order) index. */
  record Load(Buffer buffer, KExpr index) implements KExpr {
    @Override
    public DType dtype() {
      return buffer.type().dtype();
    }
  }

  /** {@code array[index]} of a local array (an accumulator row). */
  record Element(String array, KExpr index, DType dtype) implements KExpr {}

  record Unary(dev.adjoint.compiler.ir.Unary.Fn fn, KExpr x) implements KExpr {
    @Override
    public DType dtype() {
      return x.dtype();
    }
  }

  record Binary(dev.adjoint.compiler.ir.Binary.Fn fn, KExpr a, KExpr b) implements KExpr {
    @Override
    public DType dtype() {
      return fn.isComparison() || fn.isLogical() ? DType.BOOL : a.dtype();
    }
  }

  record Select(KExpr condition, KExpr a, KExpr b) implements KExpr {
    @Override
    public DType dtype() {
      return a.dtype();
    }
  }

  record Cast(DType dtype, KExpr x) implements KExpr {}

  /**
   * Philox-4x32-10 uniform in [0, 1) at (seed, step, site, index): the same numbers the graph's
   * random node draws, element by element.
   */
  record Random(int site, KExpr index, DType dtype) implements KExpr {}

  // Shorthands for index arithmetic, folding constants so printed indices stay readable.

  static KExpr add(KExpr a, KExpr b) {
    if (a instanceof Const x && x.value() == 0) return b;
    if (b instanceof Const y && y.value() == 0) return a;
    if (a instanceof Const x && b instanceof Const y) return Const.index((long) (x.value() + y.value()));
    return new Binary(dev.adjoint.compiler.ir.Binary.Fn.ADD, a, b);
  }

  static KExpr mul(KExpr a, KExpr b) {
    if (a instanceof Const x && x.value() == 0 || b instanceof Const y && y.value() == 0) return Const.index(0);
    if (a instanceof Const x && x.value() == 1) return b;
    if (b instanceof Const y && y.value() == 1) return a;
    if (a instanceof Const x && b instanceof Const y) return Const.index((long) (x.value() * y.value()));
    return new Binary(dev.adjoint.compiler.ir.Binary.Fn.MUL, a, b);
  }

  /** Floor division of non-negative indices. */
  static KExpr div(KExpr a, KExpr b) {
    if (b instanceof Const y && y.value() == 1) return a;
    if (a instanceof Const x && x.value() == 0) return a;
    return new Binary(dev.adjoint.compiler.ir.Binary.Fn.DIV, a, b);
  }

  static KExpr mod(KExpr a, KExpr b) {
    if (b instanceof Const y && y.value() == 1) return Const.index(0);
    return new Binary(dev.adjoint.compiler.ir.Binary.Fn.MOD, a, b);
  }

  /** A size as an index expression: a literal when constant. */
  static KExpr size(Dim d) {
    return d.isConstant() ? Const.index(d.constant()) : new Size(d);
  }
}
