package dev.adjoint.codegen.java;

import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dot products of a row nest that can be computed for a block of rows at once, before the
 * rows run: attention's scores, where row {@code i} of the queries meets key {@code r} inside a
 * loop over {@code r}.
 *
 * <pre>
 *   for i0, i1, i2 (rows)                        per (i0, i1) and block of i2:
 *     for r in 0..T                                products = every q row of the block . every k row
 *       var acc = 0.0                              for i2 in the block
 *       for d in 0..32 { acc += q[qBase(i2) + d]     for r in 0..T
 *                             * k[kBase(r) + d] }      acc = products[i2 - first, r]
 * </pre>
 *
 * A dot product qualifies when it sits directly in a loop (over {@code r}, of an extent fixed by
 * sizes) directly in the row body, one operand's start is affine in the row variable and the
 * other's in {@code r}, both otherwise depend only on the outer row variables, and the kernel
 * writes neither buffer. Dot products that differ only in the name of their loop variable share
 * one block of products.
 */
final class HoistedDots {
  /**
   * A block of products {@code rows} x {@code columns}: element (i, j) is the dot product of the
   * run of {@code rowBuffer} at {@code rowStart + i * rowStride} with the run of {@code columnBuffer}
   * at {@code columnStart + j * columnStride}, both {@code length} long; {@code rowStart} is at the
   * row variable 0 and {@code columnStart} at the column variable 0.
   */
  record Products(Buffer rowBuffer, KExpr rowStart, KExpr rowStride, Buffer columnBuffer, KExpr columnStart,
      KExpr columnStride, KExpr columns, KExpr length) {}

  /** Where a dot product's declaration reads its value: block {@code products}, column {@code columnVar}. */
  record Use(int products, String columnVar) {}

  private final List<Products> products;
  private final Map<KStmt, Use> uses;

  private HoistedDots(List<Products> products, Map<KStmt, Use> uses) {
    this.products = List.copyOf(products);
    this.uses = uses;
  }

  /** The blocks of products, in the order the body first uses them. */
  List<Products> products() {
    return products;
  }

  /** The use that {@code declare} (the declaration of a dot product's accumulator) is, or null. */
  Use use(KStmt declare) {
    return uses.get(declare);
  }

  boolean isEmpty() {
    return products.isEmpty();
  }

  /**
   * The qualifying dot products of {@code nest}'s innermost loop, whose variable is the row
   * variable; the loops before it are the outer row loops.
   */
  static HoistedDots find(List<KStmt.Loop> nest, Set<Buffer> written) {
    KStmt.Loop rows = nest.getLast();
    Set<String> outer = new HashSet<>();
    for (KStmt.Loop l : nest.subList(0, nest.size() - 1)) outer.add(l.var());
    List<Products> found = new ArrayList<>();
    Map<KStmt, Use> uses = new IdentityHashMap<>();
    if (!AffineIndex.invariant(rows.extent())) return new HoistedDots(found, uses);
    for (KStmt s : rows.body()) {
      if (!(s instanceof KStmt.Loop columns) || !AffineIndex.invariant(columns.extent())) continue;
      List<KStmt> body = columns.body();
      for (int i = 0; i + 1 < body.size(); i++) {
        RowLoopPattern.Dot dot = RowLoopPattern.dot(body.get(i), body.get(i + 1));
        if (dot == null || written.contains(dot.x()) || written.contains(dot.y())) continue;
        Products p = products(dot, rows.var(), columns.var(), outer, columns.extent());
        if (p == null) continue;
        int at = found.indexOf(p);
        if (at < 0) {
          found.add(p);
          at = found.size() - 1;
        }
        uses.put(body.get(i), new Use(at, columns.var()));
      }
    }
    return new HoistedDots(found, uses);
  }

  private static Products products(RowLoopPattern.Dot dot, String rowVar, String columnVar, Set<String> outer,
      KExpr columns) {
    if (!AffineIndex.invariant(dot.length())) return null;
    boolean xIsRow = AffineIndex.mentions(dot.xBase(), rowVar) && AffineIndex.mentions(dot.yBase(), columnVar);
    boolean yIsRow = AffineIndex.mentions(dot.yBase(), rowVar) && AffineIndex.mentions(dot.xBase(), columnVar);
    if (xIsRow == yIsRow) return null;
    Buffer rowBuffer = xIsRow ? dot.x() : dot.y();
    KExpr rowBase = xIsRow ? dot.xBase() : dot.yBase();
    Buffer columnBuffer = xIsRow ? dot.y() : dot.x();
    KExpr columnBase = xIsRow ? dot.yBase() : dot.xBase();
    Set<String> rowVars = new HashSet<>(outer);
    rowVars.add(rowVar);
    Set<String> columnVars = new HashSet<>(outer);
    columnVars.add(columnVar);
    if (!AffineIndex.indexOnly(rowBase, rowVars) || !AffineIndex.indexOnly(columnBase, columnVars)) return null;
    KExpr rowStride = AffineIndex.stride(rowBase, rowVar);
    KExpr columnStride = AffineIndex.stride(columnBase, columnVar);
    if (rowStride == null || columnStride == null) return null;
    KExpr zero = KExpr.Const.index(0);
    return new Products(rowBuffer, AffineIndex.substitute(rowBase, rowVar, zero), rowStride, columnBuffer,
        AffineIndex.substitute(columnBase, columnVar, zero), columnStride, columns, dot.length());
  }
}
