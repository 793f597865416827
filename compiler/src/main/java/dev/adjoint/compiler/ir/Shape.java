package dev.adjoint.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shape of a tensor: one {@link Dim} per axis. While a generic signature is checked on its
 * own, its {@code ...} stands for one rigid symbolic axis named {@code ...}; graphs that run are
 * instantiated at real shapes.
 */
public record Shape(List<Dim> dims) {
  public static final Shape SCALAR = new Shape(List.of());

  public Shape {
    dims = List.copyOf(dims);
  }

  public static Shape of(List<Dim> dims) {
    return new Shape(dims);
  }

  public static Shape of(Dim... dims) {
    return new Shape(List.of(dims));
  }

  public static Shape ofConstants(long... sizes) {
    List<Dim> d = new ArrayList<>();
    for (long s : sizes) d.add(Dim.of(s));
    return new Shape(d);
  }

  public int rank() {
    return dims.size();
  }

  public Dim dim(int axis) {
    return dims.get(axis);
  }

  /** Number of elements, as a dim. */
  public Dim elementCount() {
    Dim n = Dim.of(1);
    for (Dim d : dims) n = n.times(d);
    return n;
  }

  public boolean isConstant() {
    return dims.stream().allMatch(Dim::isConstant);
  }

  public Shape withDims(List<Dim> newDims) {
    return new Shape(newDims);
  }

  /** Concrete sizes, given the run-time dims. */
  public int[] evaluate(Map<String, Long> sizes) {
    int[] out = new int[dims.size()];
    for (int i = 0; i < out.length; i++) out[i] = Math.toIntExact(dims.get(i).evaluate(sizes));
    return out;
  }

  /** {@code [B, T, 64]}, {@code []}. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Dim d : dims) parts.add(d.toString());
    return "[" + String.join(", ", parts) + "]";
  }
}
