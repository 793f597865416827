package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.runtime.DType;
import java.util.List;

/**
 * What an expression means during elaboration: a graph node, or something known at compile time
 * (a size, a literal, a list of axes, an element type, a layer).
 */
sealed interface Value {
  /** A tensor computed by the graph. */
  record Tensor(Node node) implements Value {
    TensorType type() {
      return node.type();
    }
  }

  /**
   * A compile-time integer: a literal, a const, a {@code dim} or a shape variable. Sizes known only
   * at run time are symbolic dims; used as a tensor they become a {@code dim_size} node.
   */
  record StaticInt(Dim dim) implements Value {
    static StaticInt of(long v) {
      return new StaticInt(Dim.of(v));
    }
  }

  /** A float literal (or a fold of literals): weakly typed, it adopts the other operand's type. */
  record StaticFloat(double value) implements Value {}

  record StaticBool(boolean value) implements Value {}

  /** {@code [a, b]}: shapes and axis lists. */
  record ListValue(List<Value> items) implements Value {
    public ListValue {
      items = List.copyOf(items);
    }
  }

  /** An element type used as a value: {@code cast(x, f64)}. */
  record TypeValue(DType dtype) implements Value {}

  /** {@code (a, b)}: the result of a function returning a tuple. */
  record TupleValue(List<Value> items) implements Value {
    public TupleValue {
      items = List.copyOf(items);
    }
  }

  /** A layer of a model: calling it calls its {@code forward}. */
  record LayerValue(ModelInstance instance) implements Value {}

  /** {@code layer blocks: M * N}: calling it applies each copy in turn. */
  record StackValue(List<ModelInstance> instances) implements Value {
    public StackValue {
      instances = List.copyOf(instances);
    }
  }

  /**
   * A tensor in index notation: a node whose axes are named by index variables, in order. Only
   * exists while a comprehension is elaborated.
   */
  record Indexed(Node node, List<String> axes) implements Value {
    public Indexed {
      axes = List.copyOf(axes);
    }
  }

  /** {@code ...} inside a shape list: the leading axes of the operand, kept as they are. */
  record Rest() implements Value {}

  /** The value of an expression that already produced an error: silences follow-on errors. */
  record Poison() implements Value {}

  Poison POISON = new Poison();

  static String describe(Value v) {
    return switch (v) {
      case Tensor t -> t.type().toString();
      case StaticInt i -> (i.dim().isConstant() ? "integer " : "run-time size ") + i.dim();
      case StaticFloat f -> "number " + f.value();
      case StaticBool b -> "bool " + b.value();
      case ListValue l -> "list of " + l.items().size();
      case TypeValue t -> "element type " + t.dtype().name().toLowerCase(java.util.Locale.ROOT);
      case TupleValue t -> "tuple of " + t.items().size();
      case LayerValue l -> "layer '" + l.instance().path() + "'";
      case StackValue s -> "layer stack";
      case Indexed i -> i.node().type() + " indexed by " + i.axes();
      case Rest r -> "'...'";
      case Poison p -> "error";
    };
  }
}
