package dev.adjoint.codegen.java;

import dev.adjoint.compiler.schedule.RowSchedule;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the printers of one kernel share: the kernel (at loop level), the Java names of its
 * buffers and sizes, and what printing it found out on the way (the sizes it reads, the buffers it
 * adds into, whether it needs the run context). Passed explicitly to each printer.
 */
final class KernelContext {
  /** The run context parameter's name. */
  static final String CONTEXT = "context";

  private final Kernel kernel;
  private final Map<Buffer, String> bufferNames;
  private final Map<String, String> sizeNames;
  private final Set<Buffer> readable = new LinkedHashSet<>();
  private final Set<Buffer> writable = new LinkedHashSet<>();
  private final Set<Buffer> accumulated = new LinkedHashSet<>();
  private final Set<String> usedSizes = new TreeSet<>();
  private final Set<String> irNames = new TreeSet<>();
  private final boolean usesRandom;
  private final RowSchedule rows;
  private String seedName;
  private String stepName;
  private boolean usesContext;

  KernelContext(Kernel kernel, Map<Buffer, String> bufferNames, Map<String, String> sizeNames, RowSchedule rows) {
    this.kernel = kernel;
    this.rows = java.util.Objects.requireNonNull(rows, "rows");
    this.bufferNames = bufferNames;
    this.sizeNames = sizeNames;
    readable.addAll(kernel.reads());
    readable.addAll(kernel.writes());
    writable.addAll(kernel.writes());
    this.usesRandom = scan(kernel.body());
  }

  Kernel kernel() {
    return kernel;
  }

  /** What the kernel's schedule runs on row kernels: the decisions the row printing follows. */
  RowSchedule rows() {
    return rows;
  }

  /** The Java name of buffer {@code b}'s array. */
  String bufferName(Buffer b) {
    return bufferNames.get(b);
  }

  /** The Java name of size symbol {@code symbol}, recorded as a parameter the method takes; null when the program has none. */
  String useSize(String symbol) {
    String name = sizeNames.get(symbol);
    if (name != null) usedSizes.add(symbol);
    return name;
  }

  /** The Java name of size symbol {@code symbol}. */
  String sizeName(String symbol) {
    return sizeNames.get(symbol);
  }

  /** The size symbols the printed code reads, sorted: the method's size parameters. */
  Set<String> usedSizes() {
    return Collections.unmodifiableSet(usedSizes);
  }

  /** The buffers the kernel reads or writes, in the kernel's order: the method's array parameters. */
  Set<Buffer> readable() {
    return Collections.unmodifiableSet(readable);
  }

  /** The buffers the kernel writes. */
  Set<Buffer> writable() {
    return Collections.unmodifiableSet(writable);
  }

  /** {@code b}'s Java name, for a write; an error when the kernel does not write it. */
  String target(Buffer b, String verb) {
    if (!writable.contains(b)) throw error(verb + " buffer " + b.name() + ", which is not in its writes");
    return bufferNames.get(b);
  }

  /** The printed code adds into {@code b}: the method zeroes it first. */
  void accumulate(Buffer b) {
    accumulated.add(b);
  }

  /** The buffers the printed code adds into, in the order they were found. */
  Set<Buffer> accumulated() {
    return Collections.unmodifiableSet(accumulated);
  }

  /** What printing has recorded so far, to undo a printing attempt that is thrown away. */
  record Recorded(Set<String> sizes, Set<Buffer> accumulated) {}

  Recorded recorded() {
    return new Recorded(new TreeSet<>(usedSizes), new LinkedHashSet<>(accumulated));
  }

  void restoreSizes(Recorded r) {
    usedSizes.clear();
    usedSizes.addAll(r.sizes());
  }

  void restore(Recorded r) {
    restoreSizes(r);
    accumulated.clear();
    accumulated.addAll(r.accumulated());
  }

  /** Every name the kernel IR binds or reads: synthetic names avoid them. */
  boolean isIrName(String name) {
    return irNames.contains(name);
  }

  boolean usesRandom() {
    return usesRandom;
  }

  /** Names the finals holding the run's seed and step (a kernel that draws random numbers declares them). */
  void nameRandomState(String seed, String step) {
    this.seedName = seed;
    this.stepName = step;
  }

  String seedName() {
    return seedName;
  }

  String stepName() {
    return stepName;
  }

  /** The kernel runs on the pool: its method takes the run context. */
  void markUsesContext() {
    usesContext = true;
  }

  boolean needsContext() {
    return usesRandom || usesContext;
  }

  IllegalArgumentException error(String message) {
    return new IllegalArgumentException("kernel " + kernel.name() + ": " + message);
  }

  // ---- analysis

  /** Collects IR names and finds random draws; true when the kernel draws random numbers. */
  private boolean scan(java.util.List<KStmt> stmts) {
    boolean random = false;
    for (KStmt s : stmts) {
      random |= switch (s) {
        case KStmt.Loop l -> {
          irNames.add(l.var());
          yield scan(l.extent()) | scan(l.body());
        }
        case KStmt.Let l -> {
          irNames.add(l.var());
          yield scan(l.value());
        }
        case KStmt.Declare d -> {
          irNames.add(d.var());
          yield scan(d.init());
        }
        case KStmt.Assign a -> scan(a.value());
        case KStmt.DeclareArray d -> {
          irNames.add(d.var());
          yield scan(d.length()) | scan(d.init());
        }
        case KStmt.AssignElement a -> scan(a.index()) | scan(a.value());
        case KStmt.Store st -> scan(st.index()) | scan(st.value());
        case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
            + st.getClass().getSimpleName());
        case KStmt.Accumulate a -> scan(a.index()) | scan(a.value());
      };
    }
    return random;
  }

  private boolean scan(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> false;
      case KExpr.Var v -> {
        irNames.add(v.name());
        yield false;
      }
      case KExpr.Size s -> false;
      case KExpr.Load l -> scan(l.index());
      case KExpr.Element el -> scan(el.index());
      case KExpr.Unary u -> scan(u.x());
      case KExpr.Binary b -> scan(b.a()) | scan(b.b());
      case KExpr.Select s -> scan(s.condition()) | scan(s.a()) | scan(s.b());
      case KExpr.Cast c -> scan(c.x());
      case KExpr.Random r -> {
        scan(r.index());
        yield true;
      }
    };
  }
}
