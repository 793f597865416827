package dev.adjoint.compiler.fuzz;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Well-typed random programs, built from the top down with concrete sizes: every expression is
 * generated for the exact shape its context needs, so every program type-checks by construction.
 * Leaves are fresh f64 inputs (or, in a model, params), literals, or earlier {@code let}s of the
 * right shape, so programs share subexpressions the way real ones do. The constructs: elementwise
 * functions and operators with broadcasting, reductions with and without keepdims, matrix products
 * (batched, 1-D), transposes, permutes, reshapes, concats, slices, indexing, where, softmax, dropout,
 * and index-notation comprehensions with and without a reduced index.
 */
public final class ProgramGenerator {
  /** Where the generator's decisions come from (a fuzzer's bytes, or a seeded Random). */
  public interface Choices {
    /** In [0, n); 0 when the source has run dry. */
    int below(int n);

    double gaussian();
  }

  /**
   * A program, the entry to run, its inputs, and the run-time value of each size symbol its types
   * use ({@code dims}: empty unless generated with {@link #SYMBOLIC} sizes).
   */
  public record Generated(String source, String entry, Map<String, Tensor> inputs, boolean usesDropout,
      Map<String, Long> dims) {
    public Generated {
      dims = Map.copyOf(dims);
    }

    /** A program at constant sizes. */
    public Generated(String source, String entry, Map<String, Tensor> inputs, boolean usesDropout) {
      this(source, entry, inputs, usesDropout, Map.of());
    }
  }

  /** The sizes of axes (and of reduced and contracted indices): small ones, tiles' multiples among them. */
  public static final int[] SMALL = {1, 2, 3, 4};
  /**
   * Ragged sizes, multiples of no tile or vector width (1 and primes), for backends whose schedules
   * tile loops: every tiled loop has a remainder. With {@link #RAGGED_MAX_ELEMENTS}.
   */
  public static final int[] RAGGED = {1, 5, 7, 13};
  /** The largest tensor a ragged program builds before it takes a leaf. */
  public static final int RAGGED_MAX_ELEMENTS = 1024;
  /** The size symbols of {@link #SYMBOLIC} programs, and the ragged sizes they are bound to at run time. */
  public static final List<String> SYMBOL_NAMES = List.of("B", "T", "S");
  public static final long[] SYMBOL_SIZES = {7, 13, 37};
  /**
   * Sizes for programs whose types name size symbols ({@code x: f64[B, 5]}), bound at run time to
   * {@link #SYMBOL_SIZES} (multiples of no tile, as {@link #RAGGED}), so backends meet sizes they
   * learn only at run time. Symbol k is written -1 - k among the sizes; an axis of a symbolic size
   * is never split, padded or reshaped (concat, slice and reshape keep to constant axes), so every
   * type still checks by construction. With {@link #RAGGED_MAX_ELEMENTS}.
   */
  public static final int[] SYMBOLIC = {1, 5, -1, -2, -3};

  private static final String[] UNARY = {"tanh", "sin", "cos", "sigmoid", "relu", "abs", "gelu", "gelu_tanh", "silu",
      "softplus", "erf", "-", "stop_gradient"};
  private static final String[] GUARDED = {"exp(tanh(%s))", "log(abs(%s) + 1.0)", "sqrt(abs(%s) + 1.0)",
      "rsqrt(abs(%s) + 1.0)", "(%s) ^ 2", "(%s) ^ 3"};
  private static final String[] BINARY = {"+", "-", "*", "/", "maximum", "minimum"};
  private static final String[] REDUCE = {"sum", "mean", "max", "min"};
  private static final int MAX_ELEMENTS = 256;

  private final int[] sizes;
  private final int maxElements;
  private final Choices in;
  private final boolean model;
  private final List<String> statements = new ArrayList<>();
  private final Map<String, int[]> lets = new LinkedHashMap<>();
  private final Map<String, int[]> arguments = new LinkedHashMap<>();
  private final Map<String, int[]> params = new LinkedHashMap<>();
  private int budget;
  private int counter;
  private boolean dropout;

  private ProgramGenerator(Choices in, boolean model, int budget, int[] sizes, int maxElements) {
    this.in = in;
    this.sizes = sizes;
    this.maxElements = maxElements;
    this.model = model;
    this.budget = budget;
  }

  public static Generated generate(Choices in) {
    return generate(in, SMALL, MAX_ELEMENTS);
  }

  /** A program whose axes are of {@code sizes}, tensors of at most about {@code maxElements}. */
  public static Generated generate(Choices in, int[] sizes, int maxElements) {
    ProgramGenerator g = new ProgramGenerator(in, in.below(3) == 0, 6 + in.below(40), sizes.clone(), maxElements);
    int[] shape = g.shape(in.below(4));
    int depth = 2 + in.below(5);
    String result = g.expr(shape, depth);
    if (in.below(4) == 0) result = "(" + result + ", " + g.expr(g.shape(in.below(3)), depth - 1) + ")";
    return g.finish(result);
  }

  /** An axis's size at run time: itself, or the value of the symbol it stands for. */
  private static int value(int axis) {
    return axis >= 0 ? axis : (int) SYMBOL_SIZES[-1 - axis];
  }

  private static boolean symbolic(int[] shape) {
    return Arrays.stream(shape).anyMatch(d -> d < 0);
  }

  private Generated finish(String result) {
    StringBuilder src = new StringBuilder("// generated\n");
    Map<String, Long> dims = new LinkedHashMap<>();
    for (Map<String, int[]> shapes : List.of(arguments, params, lets)) {
      for (int[] shape : shapes.values()) {
        for (int d : shape) if (d < 0) dims.put(SYMBOL_NAMES.get(-1 - d), SYMBOL_SIZES[-1 - d]);
      }
    }
    if (!dims.isEmpty()) src.append("dim ").append(String.join(", ", dims.keySet())).append('\n');
    String header = arguments.entrySet().stream().map(e -> e.getKey() + ": " + type(e.getValue()))
        .collect(Collectors.joining(", "));
    String body = statements.stream().map(s -> "  " + s + "\n").collect(Collectors.joining()) + "  return " + result + "\n";
    String entry;
    if (model) {
      src.append("model M {\n");
      params.forEach((n, s) -> src.append("  param ").append(n).append(": ").append(type(s)).append(
          in.below(2) == 0 ? " = normal(0.0, 1.0)\n" : " = uniform(-1.0, 1.0)\n"));
      src.append("  fn forward(").append(header).append(") {\n").append(body.indent(2)).append("  }\n}\n");
      entry = "M.forward";
    } else {
      src.append("fn main(").append(header).append(") {\n").append(body).append("}\n");
      entry = "main";
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    arguments.forEach((n, s) -> {
      double[] v = new double[size(s)];
      for (int i = 0; i < v.length; i++) v[i] = in.gaussian();
      inputs.put(n, Tensor.ofDoubles(DType.F64, Arrays.stream(s).map(ProgramGenerator::value).toArray(), v));
    });
    return new Generated(src.toString(), entry, inputs, dropout, dims);
  }

  public static String type(int[] shape) {
    if (shape.length == 0) return "f64";
    return "f64" + Arrays.stream(shape).mapToObj(d -> d >= 0 ? Integer.toString(d) : SYMBOL_NAMES.get(-1 - d))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /** The number of elements of {@code shape} at run time. */
  public static int size(int[] shape) {
    int n = 1;
    for (int d : shape) n *= value(d);
    return n;
  }

  private int[] shape(int rank) {
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) s[i] = dim();
    return s;
  }

  /** An axis's size: {@code 1 + below(4)} with the small sizes. */
  private int dim() {
    return sizes[in.below(sizes.length)];
  }

  private String expr(int[] shape, int depth) {
    if (size(shape) > maxElements) return leaf(shape);
    if (depth <= 0 || --budget <= 0) return leaf(shape);
    int r = shape.length;
    switch (in.below(20)) {
      case 0, 1: return leaf(shape);
      case 2: return UNARY[in.below(UNARY.length)] + "(" + expr(shape, depth - 1) + ")";
      case 3: return "(" + GUARDED[in.below(GUARDED.length)].formatted(expr(shape, depth - 1)) + ")";
      case 4, 5: return binary(shape, depth);
      case 6: return reduce(shape, depth);
      case 7: return matmul(shape, depth);
      case 8:
        if (r < 2) return binary(shape, depth);
        return "(" + expr(swapLast(shape), depth - 1) + ").T";
      case 9: return permute(shape, depth);
      case 10: return reshape(shape, depth);
      case 11: return concat(shape, depth);
      case 12: return slice(shape, depth);
      case 13: return index(shape, depth);
      case 14:
        return "where(" + expr(shape, depth - 1) + " > " + expr(broadcastable(shape), depth - 1) + ", "
            + expr(broadcastable(shape), depth - 1) + ", " + expr(shape, depth - 1) + ")";
      case 15:
        if (r == 0) return leaf(shape);
        return (in.below(2) == 0 ? "softmax(" : "log_softmax(") + expr(shape, depth - 1) + ", axis=" + (in.below(r) - r) + ")";
      case 16: return bind(shape, depth);
      case 17: return comprehension(shape, depth);
      case 18:
        if (r == 0) return leaf(shape);
        int a = in.below(r);
        if (shape[a] == 1 && in.below(2) == 0) return "unsqueeze(" + expr(remove(shape, a), depth - 1) + ", " + a + ")";
        return "squeeze(" + expr(insert(shape, a, 1), depth - 1) + ", " + a + ")";
      default:
        dropout = true;
        return "dropout(" + expr(shape, depth - 1) + ", 0." + (1 + in.below(8)) + ")";
    }
  }

  private String leaf(int[] shape) {
    int choice = in.below(6);
    if (choice == 0) {
      for (var e : lets.entrySet()) if (Arrays.equals(e.getValue(), shape) && in.below(2) == 0) return e.getKey();
    }
    if (choice == 1) {
      for (var e : arguments.entrySet()) if (Arrays.equals(e.getValue(), shape)) return e.getKey();
    }
    if (model && choice <= 3) {
      for (var e : params.entrySet()) if (Arrays.equals(e.getValue(), shape) && in.below(2) == 0) return e.getKey();
      String name = "p" + params.size();
      params.put(name, shape);
      return name;
    }
    String name = "x" + arguments.size();
    arguments.put(name, shape);
    return name;
  }

  private String literal() {
    return switch (in.below(5)) {
      case 0 -> "2";
      case 1 -> "0.5";
      case 2 -> "1e-3";
      case 3 -> "(-1.5)";
      default -> "3.0";
    };
  }

  private String binary(int[] shape, int depth) {
    String op = BINARY[in.below(BINARY.length)];
    String a = expr(shape, depth - 1);
    String b = in.below(4) == 0 ? literal() : expr(broadcastable(shape), depth - 1);
    if (op.equals("/")) b = "(abs(" + b + ") + 1.0)";
    if (in.below(2) == 0) {
      String t = a;
      a = b;
      b = t;
      if (op.equals("/")) b = "(abs(" + b + ") + 1.0)";
    }
    if (op.equals("maximum") || op.equals("minimum")) return op + "(" + a + ", " + b + ")";
    return "(" + a + " " + op + " " + b + ")";
  }

  /** A shape that broadcasts to {@code shape}: leading axes dropped, some axes set to 1. */
  private int[] broadcastable(int[] shape) {
    int drop = in.below(shape.length + 1);
    int[] s = Arrays.copyOfRange(shape, drop, shape.length);
    for (int i = 0; i < s.length; i++) if (in.below(4) == 0) s[i] = 1;
    return s;
  }

  private String reduce(int[] shape, int depth) {
    String op = REDUCE[in.below(REDUCE.length)];
    int r = shape.length;
    int k = dim();
    if (r > 0 && in.below(3) == 0) {
      int a = in.below(r);
      if (shape[a] == 1) {
        int[] inner = shape.clone();
        inner[a] = k;
        return op + "(" + expr(inner, depth - 1) + ", axis=" + a + ", keepdims=true)";
      }
    }
    if (r == 0 && in.below(2) == 0) return op + "(" + expr(shape(1 + in.below(2)), depth - 1) + ")";
    int a = in.below(r + 1);
    String axis = in.below(2) == 0 ? Integer.toString(a) : Integer.toString(a - (r + 1));
    return op + "(" + expr(insert(shape, a, k), depth - 1) + ", axis=" + axis + ")";
  }

  private String matmul(int[] shape, int depth) {
    int k = dim();
    int r = shape.length;
    if (r == 0) return "(" + expr(new int[] {k}, depth - 1) + " @ " + expr(new int[] {k}, depth - 1) + ")";
    if (r == 1) return "(" + expr(new int[] {k}, depth - 1) + " @ " + expr(new int[] {k, shape[0]}, depth - 1) + ")";
    int[] lhs = shape.clone();
    lhs[r - 1] = k;
    int[] rhs = in.below(2) == 0 ? new int[] {k, shape[r - 1]} : shape.clone();
    rhs[rhs.length - 2] = k;
    rhs[rhs.length - 1] = shape[r - 1];
    return "(" + expr(lhs, depth - 1) + " @ " + expr(rhs, depth - 1) + ")";
  }

  private String permute(int[] shape, int depth) {
    int r = shape.length;
    if (r < 2) return binary(shape, depth);
    List<Integer> order = new ArrayList<>(IntStream.range(0, r).boxed().toList());
    for (int i = r - 1; i > 0; i--) java.util.Collections.swap(order, i, in.below(i + 1));
    // result axis i is input axis order[i]
    int[] inner = new int[r];
    for (int i = 0; i < r; i++) inner[order.get(i)] = shape[i];
    return "permute(" + expr(inner, depth - 1) + ", " + order + ")";
  }

  private String reshape(int[] shape, int depth) {
    if (symbolic(shape)) return binary(shape, depth);
    int n = size(shape);
    List<Integer> factors = new ArrayList<>();
    int m = n;
    for (int p = 2; p <= m; p++) while (m % p == 0) {
      factors.add(p);
      m /= p;
    }
    int rank = 1 + in.below(3);
    int[] inner = new int[rank];
    Arrays.fill(inner, 1);
    for (int f : factors) inner[in.below(rank)] *= f;
    String target = Arrays.toString(shape);
    if (shape.length > 0 && in.below(3) == 0) {
      String[] t = Arrays.stream(shape).mapToObj(Integer::toString).toArray(String[]::new);
      t[in.below(t.length)] = "-1";
      target = "[" + String.join(", ", t) + "]";
    }
    return "reshape(" + expr(inner, depth - 1) + ", " + target + ")";
  }

  private String concat(int[] shape, int depth) {
    int r = shape.length;
    if (r == 0) return binary(shape, depth);
    int a = in.below(r);
    if (shape[a] < 2) return binary(shape, depth);  // also a symbolic axis (negative)
    int first = 1 + in.below(shape[a] - 1);
    int[] s1 = shape.clone();
    s1[a] = first;
    int[] s2 = shape.clone();
    s2[a] = shape[a] - first;
    return "concat([" + expr(s1, depth - 1) + ", " + expr(s2, depth - 1) + "], " + a + ")";
  }

  private String slice(int[] shape, int depth) {
    int r = shape.length;
    if (r == 0) return binary(shape, depth);
    int a = in.below(r);
    if (shape[a] < 0) return binary(shape, depth);
    int extra = in.below(3);
    int[] inner = shape.clone();
    inner[a] = shape[a] + extra;
    int start = in.below(extra + 1);
    int end = start + shape[a];
    String endText = end == inner[a] && in.below(2) == 0 ? Integer.toString(-0 + end) : Integer.toString(end);
    if (in.below(3) == 0) {
      return "slice(" + expr(inner, depth - 1) + ", " + a + ", " + (start - inner[a]) + ", " + endText + ")";
    }
    if (a == 0 && in.below(2) == 0) return "(" + expr(inner, depth - 1) + ")[" + start + ":" + end + "]";
    return "slice(" + expr(inner, depth - 1) + ", " + a + ", " + start + ", " + endText + ")";
  }

  private String index(int[] shape, int depth) {
    int k = 1 + in.below(3);
    int i = in.below(k);
    String at = in.below(2) == 0 ? Integer.toString(i) : Integer.toString(i - k);
    if (shape.length > 0 && in.below(2) == 0) {
      return "(" + expr(insert(shape, 1, k), depth - 1) + ")[:, " + at + "]";
    }
    return "(" + expr(insert(shape, 0, k), depth - 1) + ")[" + at + "]";
  }

  private String bind(int[] shape, int depth) {
    String name = "t" + counter++;
    String value = expr(shape, depth - 1);
    statements.add("let " + name + (in.below(3) == 0 ? ": " + type(shape) : "") + " = " + value);
    lets.put(name, shape);
    return name;
  }

  /** {@code let t[i..] = [sum[k]](a[perm of i.., k] * b[subset])}: a transpose, product or contraction by index. */
  private String comprehension(int[] shape, int depth) {
    int r = shape.length;
    if (r == 0) return bind(shape, depth);
    boolean reduced = in.below(2) == 0;
    List<String> names = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < r; i++) {
      names.add("i" + i);
      sizes.add(shape[i]);
    }
    if (reduced) {
      names.add("k");
      sizes.add(dim());
    }
    List<Integer> order = new ArrayList<>(IntStream.range(0, names.size()).boxed().toList());
    for (int i = order.size() - 1; i > 0; i--) java.util.Collections.swap(order, i, in.below(i + 1));
    String a = namedOperand(order, sizes, depth);
    List<Integer> subset = new ArrayList<>();
    for (int i : order) if ((reduced && names.get(i).equals("k")) || in.below(2) == 0) subset.add(i);
    String b = subset.isEmpty() ? literal() : namedOperand(subset, sizes, depth);
    String term = a + "[" + order.stream().map(names::get).collect(Collectors.joining(", ")) + "]"
        + (in.below(2) == 0 ? " * " : " + ")
        + (subset.isEmpty() ? b : b + "[" + subset.stream().map(names::get).collect(Collectors.joining(", ")) + "]");
    String body = reduced ? "sum[k](" + term + ")" : term;
    String name = "t" + counter++;
    statements.add("let " + name + "[" + String.join(", ", names.subList(0, r)) + "] = " + body);
    lets.put(name, shape);
    return name;
  }

  private String namedOperand(List<Integer> axes, List<Integer> sizes, int depth) {
    int[] s = axes.stream().mapToInt(sizes::get).toArray();
    return bind(s, depth);
  }

  private static int[] swapLast(int[] shape) {
    int[] s = shape.clone();
    int r = s.length;
    s[r - 1] = shape[r - 2];
    s[r - 2] = shape[r - 1];
    return s;
  }

  private static int[] insert(int[] shape, int axis, int size) {
    int[] s = new int[shape.length + 1];
    for (int i = 0, j = 0; i < s.length; i++) s[i] = i == axis ? size : shape[j++];
    return s;
  }

  private static int[] remove(int[] shape, int axis) {
    int[] s = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) s[j++] = shape[i];
    return s;
  }
}
