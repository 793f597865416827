package dev.adjoint.compiler.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one kernel runs on one target, as the schedule rules decided it: the routine, the product's
 * shape, register tile and cache blocks (CPU GEMM), the block tile (CUDA product), the parallel
 * split, and the rules that decided, in order (a trace, as TVM records one). The kernel it applies
 * to stays as it is.
 *
 * @param kernel the kernel's name
 * @param target the target's name
 * @param steps each rule that applied and what it decided, in the order they applied
 * @param rows the row kernels' decisions (CPU: {@link RowRules}); {@link RowSchedule#NONE} for other kernels
 */
public record Schedule(String kernel, String target, Routine routine, Optional<ProductShape> product,
    Optional<MicroTile> tile, Optional<CacheBlocks> blocks, Optional<GpuTile> gpuTile, Parallel parallel,
    List<Step> steps, RowSchedule rows) {
  /** One rule that applied: its name and what it decided. */
  public record Step(String rule, String decision) {
    public Step {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(decision, "decision");
    }

    @Override
    public String toString() {
      return rule + ": " + decision;
    }
  }

  public Schedule {
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(routine, "routine");
    Objects.requireNonNull(product, "product");
    Objects.requireNonNull(tile, "tile");
    Objects.requireNonNull(blocks, "blocks");
    Objects.requireNonNull(gpuTile, "gpuTile");
    Objects.requireNonNull(parallel, "parallel");
    steps = List.copyOf(steps);
    Objects.requireNonNull(rows, "rows");
  }

  /** Before any rule: no routine, the calling thread. */
  public static Schedule start(String kernel, String target) {
    return new Schedule(kernel, target, Routine.UNSCHEDULED, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Parallel.none(), List.of(), RowSchedule.NONE);
  }

  public Schedule withRoutine(Routine r) {
    return new Schedule(kernel, target, r, product, tile, blocks, gpuTile, parallel, steps, rows);
  }

  public Schedule withProduct(ProductShape p) {
    return new Schedule(kernel, target, routine, Optional.of(p), tile, blocks, gpuTile, parallel, steps, rows);
  }

  public Schedule withTile(MicroTile t) {
    return new Schedule(kernel, target, routine, product, Optional.of(t), blocks, gpuTile, parallel, steps, rows);
  }

  public Schedule withBlocks(CacheBlocks b) {
    return new Schedule(kernel, target, routine, product, tile, Optional.of(b), gpuTile, parallel, steps, rows);
  }

  public Schedule withGpuTile(GpuTile g) {
    return new Schedule(kernel, target, routine, product, tile, blocks, Optional.of(g), parallel, steps, rows);
  }

  public Schedule withParallel(Parallel p) {
    return new Schedule(kernel, target, routine, product, tile, blocks, gpuTile, p, steps, rows);
  }

  public Schedule withRows(RowSchedule r) {
    return new Schedule(kernel, target, routine, product, tile, blocks, gpuTile, parallel, steps, r);
  }

  /** This schedule with {@code step} appended to its trace. */
  public Schedule recording(Step step) {
    List<Step> more = new ArrayList<>(steps);
    more.add(step);
    return new Schedule(kernel, target, routine, product, tile, blocks, gpuTile, parallel, more, rows);
  }

  /** The rule names that applied, in order. */
  public List<String> rules() {
    return steps.stream().map(Step::rule).toList();
  }

  /**
   * The schedule as text, one field a line at {@code indent}, then the trace: what
   * {@code adjoint dump --stage schedule} prints under each kernel.
   */
  public String print(String indent) {
    StringBuilder out = new StringBuilder();
    line(out, indent, "routine", routine.text());
    product.ifPresent(p -> line(out, indent, "product", p.toString()));
    tile.ifPresent(t -> line(out, indent, "tile", t.toString()));
    blocks.ifPresent(b -> line(out, indent, "blocks", b.toString()));
    gpuTile.ifPresent(g -> line(out, indent, "block tile", g.toString()));
    line(out, indent, "parallel", parallel.toString());
    for (String[] l : rows.lines()) line(out, indent, l[0], l[1]);
    for (Step s : steps) out.append(indent).append("# ").append(s).append('\n');
    return out.toString();
  }

  private static void line(StringBuilder out, String indent, String label, String value) {
    out.append(indent).append(label).append(" ".repeat(Math.max(1, 12 - label.length()))).append(value).append('\n');
  }
}
