package dev.adjoint.compiler.ir;

import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed shorthand for building nodes in derivative rules and rewrites: {@code e.mul(g, y)} rather
 * than {@code builder.add(new Binary(MUL), g, y)}. Operands must already have one shape; nothing
 * here broadcasts implicitly except where the name says so.
 */
public final class Emitter {
  private final GraphBuilder builder;

  public Emitter(GraphBuilder builder) {
    this.builder = builder;
  }

  public GraphBuilder builder() {
    return builder;
  }

  public Node node(Op op, Node... inputs) {
    return builder.add(op, inputs);
  }

  public Node binary(Binary.Fn fn, Node a, Node b) {
    return builder.add(new Binary(fn), a, b);
  }

  public Node add(Node a, Node b) {
    return binary(Binary.Fn.ADD, a, b);
  }

  public Node sub(Node a, Node b) {
    return binary(Binary.Fn.SUB, a, b);
  }

  public Node mul(Node a, Node b) {
    return binary(Binary.Fn.MUL, a, b);
  }

  public Node div(Node a, Node b) {
    return binary(Binary.Fn.DIV, a, b);
  }

  public Node unary(Unary.Fn fn, Node x) {
    return builder.add(new Unary(fn), x);
  }

  public Node neg(Node x) {
    return unary(Unary.Fn.NEG, x);
  }

  public Node select(Node c, Node a, Node b) {
    return builder.add(new Select(), c, a, b);
  }

  public Node cast(Node x, DType to) {
    return x.type().dtype() == to ? x : builder.add(new Cast(to), x);
  }

  /** A tensor of {@code like}'s type filled with {@code value}. */
  public Node full(double value, TensorType like) {
    return broadcast(builder.add(new Constant(value, like.dtype())), like.shape());
  }

  public Node fullLike(double value, Node like) {
    return full(value, like.type());
  }

  /** Broadcasts along new leading axes and stretched size-1 axes (NumPy, right-aligned). */
  public Node broadcast(Node x, Shape target) {
    if (x.type().shape().equals(target)) return x;
    int offset = target.rank() - x.type().rank();
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < x.type().rank(); i++) axes.add(i + offset);
    return builder.add(new Broadcast(target, axes), x);
  }

  public Node reshape(Node x, Shape shape) {
    return x.type().shape().equals(shape) ? x : builder.add(new Reshape(shape), x);
  }

  public Node transpose(Node x, List<Integer> perm) {
    for (int i = 0; i < perm.size(); i++) {
      if (perm.get(i) != i) return builder.add(new Transpose(perm), x);
    }
    return x;
  }

  public Node reduce(Reduce.Fn fn, Node x, List<Integer> axes) {
    return axes.isEmpty() ? x : builder.add(new Reduce(fn, axes.stream().sorted().toList()), x);
  }

  /** Sums {@code x} over the given axes, keeping them as size 1. */
  public Node sumKeep(Node x, List<Integer> axes) {
    Node r = reduce(Reduce.Fn.SUM, x, axes);
    List<Dim> dims = new ArrayList<>(x.type().shape().dims());
    for (int a : axes) dims.set(a, Dim.of(1));
    return reshape(r, Shape.of(dims));
  }
}
