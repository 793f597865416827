package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.runtime.exec.gemm.Ownership;
import java.util.List;
import java.util.Objects;

/**
 * The sizes of a kernel recognised as a product ({@link ContractionPattern}), as the schedule
 * prints them: {@code batches} products of {@code rows × depth} by {@code depth × columns}, and
 * which threads may finish which tiles.
 */
public record ProductShape(String batches, String rows, String columns, String depth, Ownership ownership) {
  public ProductShape {
    Objects.requireNonNull(batches, "batches");
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(depth, "depth");
    Objects.requireNonNull(ownership, "ownership");
  }

  static ProductShape of(ContractionPattern p) {
    return new ProductShape(extent(p.batches()), extent(p.rows()), extent(p.columns()), extent(p.reduction()),
        p.ownership());
  }

  private static String extent(List<Axis> loops) {
    KExpr product = KExpr.Const.index(1);
    for (Axis l : loops) product = KExpr.mul(product, l.extent());
    return KernelPrinter.expr(product);
  }

  @Override
  public String toString() {
    return (batches.equals("1") ? "" : batches + " x ") + "[" + rows + " x " + depth + "] @ [" + depth + " x " + columns
        + "], " + switch (ownership) {
          case ANY -> "the epilogue stores (tiles on any thread)";
          case COLUMNS -> "the epilogue adds per column (a column's rows on one thread, in order)";
          case ROWS -> "the epilogue adds per row (a row's columns on one thread, in order)";
          case ONE_THREAD -> "the epilogue adds where rows and columns meet (one thread)";
        };
  }
}
