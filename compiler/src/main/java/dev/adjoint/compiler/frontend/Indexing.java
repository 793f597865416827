package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Ordinary indexing outside index notation: {@code x[0]}, {@code x[-1]}, {@code x[:, 0]}, {@code x[a:b]}. */
final class Indexing {
  private Indexing() {}

  static Value index(Elaborator elab, Expr.Index ix, Scope scope) {
    Value target = elab.eval(ix.target(), scope);
    if (target instanceof Value.Poison) return target;
    Node x = elab.tensor(target, ix.target().span());
    if (ix.subscripts().size() > x.type().rank()) {
      throw new ElabError(ix.span(), "too many subscripts: " + x.type() + " has " + x.type().rank()
          + (x.type().rank() == 1 ? " axis" : " axes"));
    }
    List<Integer> dropped = new ArrayList<>();
    for (int axis = 0; axis < ix.subscripts().size(); axis++) {
      switch (ix.subscripts().get(axis)) {
        case Expr.At at -> {
          if (at.index() instanceof Expr.Ref r && scope.lookup(r.name().text()).isEmpty()) {
            throw new ElabError(r.span(), "index '" + r.name().text() + "' is not bound: wrap it in sum["
                + r.name().text() + "](...) or define it with let y[" + r.name().text() + "] = ...");
          }
          Value v = elab.eval(at.index(), scope);
          long i = Shapes.constant(v, at.span(), "an index");
          Dim size = x.type().shape().dim(axis);
          long at0 = i < 0 ? (size.isConstant() ? size.constant() + i : -1) : i;
          if (at0 < 0 || (size.isConstant() && at0 >= size.constant())) {
            if (!(i < 0 && !size.isConstant())) {
              throw new ElabError(at.span(), "index " + i + " is out of range for axis " + axis + " of " + x.type());
            }
          }
          Dim start = i < 0 ? size.plus(Dim.of(i)) : Dim.of(i);
          x = elab.ops.add(new dev.adjoint.compiler.ir.Slice(axis, start, Dim.of(1), 1), at.span(), x);
          dropped.add(axis);
        }
        case Expr.Range range -> {
          Optional<Value> lo = range.low().map(e -> elab.eval(e, scope));
          Optional<Value> hi = range.high().map(e -> elab.eval(e, scope));
          x = Shapes.slice(elab.ops, x, axis, lo.orElse(null), hi.orElse(null), range.span(), range.span());
        }
      }
    }
    List<Dim> dims = new ArrayList<>();
    for (int a = 0; a < x.type().rank(); a++) if (!dropped.contains(a)) dims.add(x.type().shape().dim(a));
    return new Value.Tensor(elab.ops.reshape(x, Shape.of(dims), ix.span()));
  }
}
