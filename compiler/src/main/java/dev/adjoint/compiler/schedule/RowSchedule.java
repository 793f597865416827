package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KernelPrinter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the row kernels of attention run on the CPU, as the row rules ({@link RowRules}) decided it
 * from the kernel's structured statements: which row nests run in blocks of rows whose dot
 * products are computed first ({@link RowBlock}: Halide's {@code compute_at}), which contractions
 * are dot products over contiguous runs ({@link RowDot}), which weighted sums add their rows with
 * {@code RowKernels} ({@link WeightedRows}), which loops over keys run as whole-row operations
 * ({@link Vectorised}: vectorisation legality), and which loops draw their random numbers a run at
 * a time ({@link RandomRun}). Backends print these; none of them looks for the shapes itself.
 */
public record RowSchedule(List<RowBlock> blocks, List<RowDot> dots, List<WeightedRows> weighted,
    List<Vectorised> vectorised, List<RandomRun> randomRuns) {
  /** No row decisions: a kernel without row structure. */
  public static final RowSchedule NONE = new RowSchedule(List.of(), List.of(), List.of(), List.of(), List.of());

  public RowSchedule {
    blocks = List.copyOf(blocks);
    dots = List.copyOf(dots);
    weighted = List.copyOf(weighted);
    vectorised = List.copyOf(vectorised);
    randomRuns = List.copyOf(randomRuns);
  }

  /**
   * The rows of a parallel nest's innermost axis {@code axis} run in blocks of {@code rows}: each
   * block first computes {@code products}, every dot product its rows read, as small matrix
   * products, so each row of the other operand is read once per block, not once per row.
   */
  public record RowBlock(String axis, int rows, List<HoistedProduct> products) {
    public RowBlock {
      Objects.requireNonNull(axis, "axis");
      if (rows < 1) throw new IllegalArgumentException("a block of " + rows + " rows");
      products = List.copyOf(products);
    }
  }

  /**
   * A block of dot products, {@code rows × columns}: element (i, j) is the dot product of the run
   * of {@code rowBuffer} at {@code rowStart + i · rowStride} with the run of {@code columnBuffer}
   * at {@code columnStart + j · columnStride}, both {@code length} long ({@code rowStart} at the
   * row axis 0, {@code columnStart} at the column axis 0). {@code uses} are the contractions that
   * read it instead of computing their sums.
   */
  public record HoistedProduct(Buffer rowBuffer, KExpr rowStart, KExpr rowStride, Buffer columnBuffer,
      KExpr columnStart, KExpr columnStride, KExpr columns, KExpr length, List<Use> uses) {
    public HoistedProduct {
      Objects.requireNonNull(rowBuffer, "rowBuffer");
      Objects.requireNonNull(columnBuffer, "columnBuffer");
      uses = List.copyOf(uses);
    }

    /** Whether it computes the same products as {@code other}, whoever uses them. */
    boolean sameProducts(HoistedProduct other) {
      return withUses(List.of()).equals(other.withUses(List.of()));
    }

    HoistedProduct withUses(List<Use> uses) {
      return new HoistedProduct(rowBuffer, rowStart, rowStride, columnBuffer, columnStart, columnStride, columns,
          length, uses);
    }

    @Override
    public String toString() {
      StringBuilder u = new StringBuilder();
      for (Use x : uses) u.append(u.isEmpty() ? "" : ", ").append(x.accumulator()).append(" at ").append(x.columnAxis());
      return rowBuffer.name() + "[" + expr(rowStart) + " + i * " + expr(rowStride) + "] . " + columnBuffer.name() + "["
          + expr(columnStart) + " + j * " + expr(columnStride) + "], " + expr(columns) + " columns, " + expr(length)
          + " long; read by " + u;
    }
  }

  /** A contraction into {@code accumulator} that reads column {@code columnAxis} of its block's products. */
  public record Use(String accumulator, String columnAxis) {}

  /**
   * A contraction into {@code accumulator} over {@code axis} that is a dot product of two
   * contiguous f32 runs: {@code x} from {@code xStart}, {@code y} from {@code yStart}, {@code length} long.
   */
  public record RowDot(String accumulator, String axis, Buffer x, KExpr xStart, Buffer y, KExpr yStart,
      KExpr length) {
    @Override
    public String toString() {
      return accumulator + " = dot(" + x.name() + "[" + expr(xStart) + " ..], " + y.name() + "[" + expr(yStart) + " ..], "
          + expr(length) + ")";
    }
  }

  /**
   * The weighted rows of a sum over {@code key} into the array {@code accumulator}: row {@code k}
   * of {@code buffer} starts at {@code start + k · stride} and is {@code length} long, added along
   * the lane loop {@code lane} with {@code weight}; with a {@code scale}, the array is rescaled by
   * it at every key (the online softmax). The loop keeps each key's weight (and scale), and the rows
   * are added after it, in order, the array held in registers. {@code copied}: the rows are the
   * same for every row of a {@link RowBlock} and are copied together once per block.
   */
  public record WeightedRows(String key, String accumulator, String lane, KExpr weight, Optional<KExpr> scale,
      Buffer buffer, KExpr start, KExpr stride, KExpr length, boolean copied) {
    public WeightedRows {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(accumulator, "accumulator");
      Objects.requireNonNull(lane, "lane");
      Objects.requireNonNull(weight, "weight");
      Objects.requireNonNull(scale, "scale");
      Objects.requireNonNull(buffer, "buffer");
    }

    /** Whether the array is rescaled at every key. */
    public boolean scaled() {
      return scale.isPresent();
    }

    WeightedRows copied(boolean c) {
      return new WeightedRows(key, accumulator, lane, weight, scale, buffer, start, stride, length, c);
    }

    @Override
    public String toString() {
      return key + ": " + accumulator + "[" + lane + "] = " + accumulator + "[" + lane + "]"
          + scale.map(x -> " * " + expr(x)).orElse("") + " + " + expr(weight) + " * " + buffer.name() + "["
          + expr(start) + " + " + key + " * " + expr(stride) + " + " + lane + "], " + expr(length) + " long"
          + (copied ? "; copied once per row block" : "");
    }
  }

  /** What a vectorised loop over keys computes as whole rows. */
  public enum Role {
    /** The weights of a weighted sum. */
    WEIGHTS,
    /** The scores of the online softmax: then one {@code RowKernels.onlineSoftmax} for the keys' rescales and weights. */
    SCORES,
    /** The terms of a sum, then added in order. */
    SUM_TERMS
  }

  /**
   * The loop over {@code key} computes its per-key value ({@code role}) for every key at once, as
   * the whole-row operations of {@code program}.
   *
   * @param max the online softmax's running maximum ("" otherwise)
   * @param sum the online softmax's running sum, or the sum's accumulator ("" for weights)
   */
  public record Vectorised(String key, Role role, String max, String sum, RowProgram program) {
    public Vectorised {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(max, "max");
      Objects.requireNonNull(sum, "sum");
      Objects.requireNonNull(program, "program");
    }

    @Override
    public String toString() {
      return key + ": " + role.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " as " + program;
    }
  }

  /**
   * Random numbers drawn along the loop over {@code loop}: {@code random} is {@code random(site,
   * base + loop)}, a run per loop, drawn with one call before it (Philox makes four numbers a block).
   */
  public record RandomRun(String loop, KExpr.Random random, KExpr base) {
    public RandomRun {
      Objects.requireNonNull(loop, "loop");
      Objects.requireNonNull(random, "random");
      Objects.requireNonNull(base, "base");
    }

    @Override
    public String toString() {
      return loop + ": site " + random.site() + " at " + expr(base) + " + " + loop;
    }
  }

  /** The block whose rows are {@code axis}, if its rows run in blocks. */
  public Optional<RowBlock> block(String axis) {
    return blocks.stream().filter(b -> b.axis().equals(axis)).findFirst();
  }

  /** The dot product into {@code accumulator}, if it is one. */
  public Optional<RowDot> dot(String accumulator) {
    return dots.stream().filter(d -> d.accumulator().equals(accumulator)).findFirst();
  }

  /** The weighted rows of the loop over {@code key}, if it adds them. */
  public Optional<WeightedRows> weightedRows(String key) {
    return weighted.stream().filter(w -> w.key().equals(key)).findFirst();
  }

  /** The whole-row operations of the loop over {@code key}, if it is vectorised. */
  public Optional<Vectorised> vectorised(String key) {
    return vectorised.stream().filter(v -> v.key().equals(key)).findFirst();
  }

  /** The run of {@code random} along a loop over {@code loop}, if it is drawn as one. */
  public Optional<RandomRun> randomRun(String loop, KExpr.Random random) {
    return randomRuns.stream().filter(r -> r.loop().equals(loop) && r.random().equals(random)).findFirst();
  }

  /** Whether no row rule decided anything. */
  public boolean isEmpty() {
    return blocks.isEmpty() && dots.isEmpty() && weighted.isEmpty() && vectorised.isEmpty() && randomRuns.isEmpty();
  }

  RowSchedule withBlock(RowBlock b) {
    return new RowSchedule(plus(blocks, b), dots, weighted, vectorised, randomRuns);
  }

  RowSchedule withDots(List<RowDot> d) {
    return new RowSchedule(blocks, d, weighted, vectorised, randomRuns);
  }

  RowSchedule withWeighted(List<WeightedRows> w) {
    return new RowSchedule(blocks, dots, w, vectorised, randomRuns);
  }

  RowSchedule withVectorised(List<Vectorised> v) {
    return new RowSchedule(blocks, dots, weighted, v, randomRuns);
  }

  RowSchedule withRandomRuns(List<RandomRun> r) {
    return new RowSchedule(blocks, dots, weighted, vectorised, r);
  }

  /** The decisions as the schedule dump prints them, one a line, each line {@code label value}. */
  List<String[]> lines() {
    List<String[]> out = new ArrayList<>();
    for (RowBlock b : blocks) {
      out.add(new String[] {"row block", b.axis() + ": " + b.rows() + " rows a block, " + b.products().size()
          + " block(s) of products first"});
      for (HoistedProduct p : b.products()) out.add(new String[] {"products", p.toString()});
    }
    for (RowDot d : dots) out.add(new String[] {"row dot", d.toString()});
    for (WeightedRows w : weighted) out.add(new String[] {"rows", w.toString()});
    for (Vectorised v : vectorised) out.add(new String[] {"whole rows", v.toString()});
    for (RandomRun r : randomRuns) out.add(new String[] {"draws", r.toString()});
    return out;
  }

  private static String expr(KExpr e) {
    return KernelPrinter.expr(e);
  }

  private static <T> List<T> plus(List<T> list, T x) {
    List<T> out = new ArrayList<>(list);
    out.add(x);
    return out;
  }
}
