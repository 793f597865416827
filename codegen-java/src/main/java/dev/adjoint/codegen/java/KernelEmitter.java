package dev.adjoint.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.CFamilyOps;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.schedule.ContractionPattern;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.ExpF32;
import dev.adjoint.runtime.exec.KernelMath;
import dev.adjoint.runtime.exec.RunContext;
import dev.adjoint.runtime.exec.vector.RowKernels;
import dev.adjoint.runtime.exec.vector.RowMaps;
import dev.adjoint.runtime.math.SpecialFunctions;
import dev.adjoint.runtime.random.Philox4x32;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;

/**
 * Prints one kernel as a private static method: its buffers, sizes and (when it needs threads or
 * random numbers) the run context as parameters, loops as Java loops, lets as {@code final}
 * locals, accumulators as mutable locals and arrays, loads and stores as array accesses.
 *
 * <p>Every operation is printed so that Java computes exactly what {@code KernelInterpreter}
 * computes: f32 arithmetic in {@code float} (for + − × ÷ the float result equals the double result
 * rounded to float), f64 in {@code double}, functions in double and then narrowed, bf16 and f16
 * rounded after every operation by {@link KernelMath}, i32 {@code /} and
 * {@code %} as floor operations (plain {@code /} and {@code %} where both operands are known to be
 * non-negative), and {@code where} as a conditional expression, which evaluates one branch.
 *
 * <p>The outermost parallel loop nest is split across the pool's threads with
 * {@link RunContext#parallelFor}; perfectly nested parallel loops are flattened into one range so
 * that small leading extents (a batch of 2) still give every thread work. A loop that adds into a
 * buffer ({@code +=}), or that touches a mutable local declared outside it, runs on one thread,
 * unless the adds are at the innermost loop's own index: then threads split that loop and each runs
 * every row ({@link #columnSplit}).
 *
 * <p>Two schedules replace the loops where the kernel's shape allows: a contraction kernel becomes
 * one blocked matrix product ({@link ContractionPattern}, printed by {@link BlockedProductEmitter});
 * dot products and accumulator updates over contiguous f32 runs become {@code RowKernels} calls
 * ({@link RowLoopPattern}).
 */
final class KernelEmitter {
  // Java operator precedence, loosest first: the shared C-family op table's levels.
  private static final int TERNARY = level(CFamilyOps.Level.TERNARY);
  private static final int OR = level(CFamilyOps.Level.OR);
  private static final int AND = level(CFamilyOps.Level.AND);
  private static final int EQUALITY = level(CFamilyOps.Level.EQUALITY);
  private static final int RELATION = level(CFamilyOps.Level.RELATION);
  private static final int ADDITIVE = level(CFamilyOps.Level.ADDITIVE);
  private static final int MULTIPLICATIVE = level(CFamilyOps.Level.MULTIPLICATIVE);
  private static final int UNARY = level(CFamilyOps.Level.PREFIX);
  private static final int PRIMARY = level(CFamilyOps.Level.PRIMARY);

  private static int level(CFamilyOps.Level level) {
    return level.ordinal() + 1;
  }

  /** A printed expression: its code, how tightly it binds, and whether its text starts with a minus. */
  private record Code(CodeBlock code, int precedence, boolean leadingMinus) {
    static Code of(int precedence, String format, Object... args) {
      return new Code(CodeBlock.of(format, args), precedence, false);
    }
  }

  private enum Kind { LOOP, LET, DECLARE, ARRAY }

  /** A name of the kernel IR bound to a Java local; {@code lambda} is the lambda depth it was bound at. */
  private record Binding(String java, DType dtype, Kind kind, boolean nonNegative, int lambda) {}

  /** Thrown when a loop body run on other threads would touch a mutable local of the enclosing code. */
  private static final class CapturesMutable extends RuntimeException {
    CapturesMutable() {
      super(null, null, false, false);
    }
  }

  /** Names visible at a point of the kernel: a copy per block, as the interpreter scopes them. */
  static final class Env {
    final JavaNames.Scope names;
    final Map<String, Binding> scalars;
    final Map<String, Binding> arrays;
    final int lambda;
    /** The scratch rows of the enclosing lambda, or null where loops draw one number at a time. */
    final RandomRows.Scratch scratch;
    /** Rows already drawn here, by what they hold: sibling loops along the same row share one. */
    final Map<Row, String> rows;
    /** Random draws that read a drawn row here. */
    final Map<DrawSite, Drawn> drawn;

    Env(JavaNames.Scope names, Map<String, Binding> scalars, Map<String, Binding> arrays, int lambda) {
      this(names, scalars, arrays, lambda, null, new HashMap<>(), new HashMap<>());
    }

    private Env(JavaNames.Scope names, Map<String, Binding> scalars, Map<String, Binding> arrays, int lambda,
        RandomRows.Scratch scratch, Map<Row, String> rows, Map<DrawSite, Drawn> drawn) {
      this.names = names;
      this.scalars = scalars;
      this.arrays = arrays;
      this.lambda = lambda;
      this.scratch = scratch;
      this.rows = rows;
      this.drawn = drawn;
    }

    Env child() {
      return new Env(names.child(), new HashMap<>(scalars), new HashMap<>(arrays), lambda, scratch,
          new HashMap<>(rows), new HashMap<>(drawn));
    }

    Env lambda() {
      return new Env(names.child(), new HashMap<>(scalars), new HashMap<>(arrays), lambda + 1);
    }

    /**
     * This lambda's scope, with scratch rows for the random draws of {@code body}; call it before
     * the body opens any block, so that the rows' names are taken before any local's.
     */
    Env withScratch(List<KStmt> body) {
      int draws = RandomRows.draws(body);
      if (draws == 0) return this;
      return new Env(names, scalars, arrays, lambda, new RandomRows.Scratch(names, draws), rows, drawn);
    }
  }

  /**
   * The numbers of random site {@code site} from index {@code base} on (as printed: Java names of
   * finals, so the same text is the same value), over {@code range} of a loop.
   */
  record Row(int site, String base, String range) {}

  /** A draw in the kernel: its site and index. */
  record DrawSite(int site, KExpr index) {}

  /** Where a draw's number is: {@code array[var - first]}, or {@code array[var]} when {@code first} is null. */
  record Drawn(String array, String var, CodeBlock first) {}

  /** The fewest columns (when known at compile time) that {@link #columnSplit} splits across threads. */
  private static final int MIN_SPLIT_COLUMNS = 64;

  private final Kernel kernel;
  private final Map<Buffer, String> bufferNames;
  private final Map<String, String> sizeNames;
  private final Set<String> programNames;
  private final Set<Buffer> readable = new LinkedHashSet<>();
  private final Set<Buffer> writable = new LinkedHashSet<>();
  private final Set<Buffer> accumulated = new LinkedHashSet<>();
  private final Set<String> usedSizes = new TreeSet<>();
  private final Set<String> irNames = new TreeSet<>();
  private final boolean usesRandom;
  private String contextName;
  private String seedName;
  private String stepName;
  private boolean usesContext;
  /** While a row block's body prints: its precomputed dot products, their Java names, and its first row. */
  private HoistedDots hoisted;
  private List<String> hoistedNames;
  private String hoistedRow;
  private String hoistedFirst;
  /** Per-row weight (and scale) arrays declared once per lambda, by the loop that fills them. */
  private final Map<KStmt, String[]> rowArrays = new java.util.IdentityHashMap<>();
  /** Weighted rows a row block reads from its own contiguous copy, by loop: the copy's Java name. */
  private final Map<KStmt, String> copiedRows = new java.util.IdentityHashMap<>();

  /**
   * Rows {@code 0 <= r < rows} of {@code x}, {@code length} elements from {@code start + r * stride}:
   * the same for every row of a block, copied once per block into array {@code name}.
   */
  private record RowCopy(String name, Buffer x, KExpr start, KExpr stride, KExpr rows, KExpr length) {
    RowCopy named(String n) {
      return new RowCopy(n, x, start, stride, rows, length);
    }
  }
  /** Loops of a row block that run as whole-row operations, by loop, with the scratch rows declared for them. */
  private final Map<KStmt, PlannedProgram> rowPrograms = new java.util.IdentityHashMap<>();

  /**
   * A loop's {@link RowProgram} and the Java names of its scratch rows. For a sum ({@code sum} not
   * null, the loop's last statement) the last row holds the terms; for an online softmax
   * ({@code softmax} not null) it holds the scores.
   */
  private record PlannedProgram(RowProgram program, List<String> rows, KStmt.Assign sum, OnlineSoftmax.Match softmax) {}

  private KernelEmitter(Kernel kernel, Map<Buffer, String> bufferNames, Map<String, String> sizeNames,
      Set<String> programNames) {
    this.kernel = kernel;
    this.bufferNames = bufferNames;
    this.sizeNames = sizeNames;
    this.programNames = programNames;
    readable.addAll(kernel.reads());
    readable.addAll(kernel.writes());
    writable.addAll(kernel.writes());
    this.usesRandom = scan(kernel.body());
  }

  /** What the program-level code needs to call a kernel method. */
  record Emitted(MethodSpec method, List<Buffer> buffers, List<String> sizes, boolean needsContext) {}

  /**
   * Prints {@code kernel} as method {@code methodName}, at loop level ({@link Kernel#flatten}): the
   * recognisers work its structure out from the loops.
   *
   * @param bufferNames the Java name of every buffer of the program
   * @param sizeNames the Java name of every size symbol the program may use
   * @param programNames every name the program-level code uses (kept out of the kernel's locals)
   * @param gemmPlan the class's constant holding the GEMM plan the schedule chose, or null
   */
  static Emitted emit(Kernel kernel, String methodName, Map<Buffer, String> bufferNames, Map<String, String> sizeNames,
      Set<String> programNames, String gemmPlan) {
    return new KernelEmitter(kernel.flatten(), bufferNames, sizeNames, programNames).method(methodName, gemmPlan);
  }

  /**
   * The kernel as a method; {@code gemmPlan}, when not null, names the class's constant with the
   * {@link dev.adjoint.runtime.exec.gemm.GemmPlan} its schedule chose (the schedule's routine is the GEMM).
   */
  private Emitted method(String methodName, String gemmPlan) {
    JavaNames.Scope scope = new JavaNames.Scope();
    for (String n : programNames) scope.claim(n);
    contextName = "context";
    Env env = new Env(scope, new HashMap<>(), new HashMap<>(), 0);

    CodeBlock.Builder body = CodeBlock.builder();
    if (usesRandom) {
      seedName = scope.claim("seed");
      stepName = scope.claim("step");
      body.addStatement("final long $N = $N.seed()", seedName, contextName);
      body.addStatement("final int $N = $N.step()", stepName, contextName);
    }
    CodeBlock.Builder statements = CodeBlock.builder();
    Env top = env.child();
    ContractionPattern.Recognition recognition = ContractionPattern.recognise(kernel);
    if (gemmPlan != null && recognition instanceof ContractionPattern.Product p) {
      BlockedProductEmitter.emit(this, p.pattern(), gemmPlan, top, statements);
    } else {
      if (kernel.kind() == KernelKind.CONTRACTION && recognition instanceof ContractionPattern.NotAProduct n) {
        statements.add("// Scalar loops, not a blocked matrix product: $L.\n", JavaNames.commentText(n.reason()));
      }
      for (KStmt s : kernel.body()) {
        if (s instanceof KStmt.Loop l && l.parallel()) parallelLoop(l, top, statements);
        else if (s instanceof KStmt.Loop l) onCallingThread(l, top, statements);
        else statement(s, top, statements);
      }
    }
    if (!accumulated.isEmpty()) {
      body.add("// Zeroed first: the kernel adds into $L.\n",
          String.join(", ", accumulated.stream().map(bufferNames::get).toList()));
      for (Buffer b : accumulated) {
        body.addStatement("$T.fill($N, $L)", Arrays.class, bufferNames.get(b), zero(b.type().dtype()));
      }
    }
    body.add(statements.build());

    List<Buffer> buffers = new ArrayList<>(readable);
    MethodSpec.Builder m = MethodSpec.methodBuilder(methodName)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L", javadoc());
    for (Buffer b : buffers) m.addParameter(ArrayTypeName.of(javaType(b.type().dtype())), bufferNames.get(b));
    for (String s : usedSizes) m.addParameter(TypeName.INT, sizeNames.get(s));
    boolean needsContext = usesRandom || usesContext;
    if (needsContext) m.addParameter(RunContext.class, contextName);
    m.addCode(body.build());
    return new Emitted(m.build(), buffers, List.copyOf(usedSizes), needsContext);
  }

  private String javadoc() {
    StringBuilder out = new StringBuilder();
    out.append("{@code ").append(JavaNames.commentText(kernel.name())).append("}: ")
        .append(JavaNames.commentText(kernel.kind().label())).append(" kernel");
    if (kernel.fusedNodes() > 0) out.append(" of ").append(kernel.fusedNodes()).append(" graph nodes");
    String origins = kernel.sourceLines();
    if (!origins.isEmpty()) out.append(", from ").append(JavaNames.commentText(origins));
    out.append(".\n");
    StringJoiner io = new StringJoiner("; ");
    if (!kernel.reads().isEmpty()) io.add("Reads " + bufferList(kernel.reads()));
    if (!kernel.writes().isEmpty()) io.add((kernel.reads().isEmpty() ? "Writes " : "writes ") + bufferList(kernel.writes()));
    if (io.length() > 0) out.append("\n<p>").append(io).append(".\n");
    return out.toString();
  }

  private String bufferList(List<Buffer> buffers) {
    StringJoiner out = new StringJoiner(", ");
    for (Buffer b : buffers) out.add("{@code " + bufferNames.get(b) + "}");
    return out.toString();
  }
  private IllegalArgumentException error(String message) {
    return new IllegalArgumentException("kernel " + kernel.name() + ": " + message);
  }

  // ---- analysis

  /** Collects IR names and finds random draws; true when the kernel draws random numbers. */
  private boolean scan(List<KStmt> stmts) {
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

  private static Buffer accumulates(List<KStmt> stmts) {
    for (KStmt s : stmts) {
      Buffer found = switch (s) {
        case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
            + st.getClass().getSimpleName());
        case KStmt.Accumulate a -> a.buffer();
        case KStmt.Loop l -> accumulates(l.body());
        default -> null;
      };
      if (found != null) return found;
    }
    return null;
  }

  private static boolean containsLoop(List<KStmt> stmts) {
    return stmts.stream().anyMatch(s -> s instanceof KStmt.Loop);
  }


  // ---- statements

  /**
   * A top-level parallel loop: split across threads when nothing stops it. Perfectly nested
   * parallel loops with invariant extents become one range; the innermost of them stays a loop
   * of its own when its body is straight-line code, so that each thread gets rows, not elements.
   */
  private void parallelLoop(KStmt.Loop loop, Env env, CodeBlock.Builder out) {
    Buffer shared = accumulates(loop.body());
    if (shared != null) {
      if (columnSplit(loop, env, out)) return;
      out.add("// One thread: iterations add into $N, so they run in order and the sums come out the same every run.\n",
          bufferNames.get(shared));
      onCallingThread(loop, env, out);
      return;
    }
    List<KStmt.Loop> nest = new ArrayList<>(List.of(loop));
    KStmt.Loop last = loop;
    while (last.body().size() == 1 && last.body().get(0) instanceof KStmt.Loop inner && inner.parallel()
        && AffineIndex.invariant(inner.extent())) {
      nest.add(inner);
      last = inner;
    }
    if (nest.size() > 1 && !containsLoop(last.body())) {
      nest.removeLast();
      last = nest.getLast();
    }
    CodeBlock.Builder split = CodeBlock.builder();
    Set<String> sizesBefore = new TreeSet<>(usedSizes);
    try {
      splitLoop(nest, env, split);
    } catch (CapturesMutable e) {
      usedSizes.clear();
      usedSizes.addAll(sizesBefore);
      // The abandoned split planned this nest's row programs and arrays with declarations printed into
      // the lambda it threw away; the one-thread loop must not use them (fuzz finding crash-8e843b01).
      // Plans serve only the nest being printed, so none from before is lost.
      rowPrograms.clear();
      rowArrays.clear();
      copiedRows.clear();
      out.add("// One thread: the loop updates locals declared before it.\n");
      onCallingThread(loop, env, out);
      return;
    }
    usesContext = true;
    out.add(split.build());
  }

  /**
   * A row nest whose innermost loop adds into buffers at its own index ({@code out[i2] += ...}, the
   * column sums of a layer norm's backward pass): threads split that innermost loop, and each runs
   * every row, in order. Each sum then adds its rows in the single-threaded order, on one thread;
   * what the rows compute before the split loop is computed by every thread, and stored by the
   * one whose range starts at 0. False, having printed nothing, when the nest has another shape.
   */
  private boolean columnSplit(KStmt.Loop loop, Env env, CodeBlock.Builder out) {
    List<KStmt.Loop> outer = new ArrayList<>(List.of(loop));
    KStmt.Loop split = null;
    while (split == null) {
      List<KStmt> body = outer.getLast().body();
      if (body.isEmpty() || !(body.getLast() instanceof KStmt.Loop next)) return false;
      for (KStmt st : body.subList(0, body.size() - 1)) {
        if (st instanceof KStmt.Accumulate || st instanceof KStmt.Loop l && containsWrite(l.body())) return false;
      }
      if (body.getLast() instanceof KStmt.Loop inner && inner.body().stream().anyMatch(x -> x instanceof KStmt.Accumulate)) {
        split = inner;
      } else {
        outer.add(next);
      }
    }
    if (!split.parallel() || !AffineIndex.invariant(split.extent()) || containsLoop(split.body())) return false;
    // A few columns are not worth every thread computing every row's statistics.
    if (split.extent() instanceof KExpr.Const c && c.value() < MIN_SPLIT_COLUMNS) return false;
    for (KStmt st : split.body()) {
      if (st instanceof KStmt.Accumulate a && !(a.index() instanceof KExpr.Var v && v.name().equals(split.var()))) {
        return false;
      }
    }
    CodeBlock.Builder code = CodeBlock.builder();
    Set<String> sizesBefore = new TreeSet<>(usedSizes);
    Set<Buffer> accumulatedBefore = new LinkedHashSet<>(accumulated);
    Map<String, DType> perRow = rowPhaseValues(outer, split);
    try {
      if (perRow != null) {
        rowsThenColumns(outer, split, perRow, env, code);
        usesContext = true;
        out.add(code.build());
        return true;
      }
      Env inner = env.lambda();
      String start = inner.names.claim("start");
      String end = inner.names.claim("end");
      inner = inner.withScratch(List.of(loop));
      Code count = index(split.extent(), env, "extent of loop " + split.var());
      StringJoiner sums = new StringJoiner(", ");
      for (KStmt st : split.body()) {
        if (st instanceof KStmt.Accumulate a) sums.add(bufferNames.get(a.buffer()));
      }
      code.add("// Threads split $L, the index $L add at; each runs every row in order, so every sum adds its rows in order.\n",
          JavaNames.commentText(split.var()), sums.toString());
      code.add("$N.parallelFor($L, ($N, $N) -> {\n", contextName, count.code(), start, end);
      code.indent();
      CodeBlock.Builder rows = CodeBlock.builder();
      splitRows(outer, 0, split, start, end, inner, rows);
      code.add(scratchDeclarations(inner)).add(rows.build());
      code.unindent();
      code.add("});\n");
    } catch (CapturesMutable e) {
      usedSizes.clear();
      usedSizes.addAll(sizesBefore);
      accumulated.clear();
      accumulated.addAll(accumulatedBefore);
      return false;
    }
    usesContext = true;
    out.add(code.build());
    return true;
  }

  /**
   * The values the split loop of {@code outer} reads from its row's statements, by kernel IR name,
   * when computing those statements once per row is worth a phase of its own: the innermost row
   * runs a loop before the split one (a row statistic, a sum over the row), the outer rows bind
   * only lets, and the row statements draw no random numbers and declare no arrays the split loop
   * reads. Null otherwise.
   */
  private static Map<String, DType> rowPhaseValues(List<KStmt.Loop> outer, KStmt.Loop split) {
    for (KStmt.Loop l : outer.subList(0, outer.size() - 1)) {
      List<KStmt> body = l.body();
      for (KStmt st : body.subList(0, body.size() - 1)) if (!(st instanceof KStmt.Let)) return null;
    }
    List<KStmt> body = outer.getLast().body();
    List<KStmt> prelude = body.subList(0, body.size() - 1);
    if (prelude.stream().noneMatch(st -> st instanceof KStmt.Loop) || RandomRows.draws(prelude) > 0) return null;
    Map<String, DType> bound = new java.util.LinkedHashMap<>();
    for (KStmt st : prelude) {
      switch (st) {
        case KStmt.Let l -> bound.put(l.var(), l.value().dtype());
        case KStmt.Declare d -> bound.put(d.var(), d.dtype());
        case KStmt.DeclareArray d -> bound.put(d.var(), null);
        default -> {}
      }
    }
    Map<String, DType> read = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, DType> e : bound.entrySet()) {
      if (!RowProgram.mentions(split, e.getKey())) continue;
      if (e.getValue() == null) return null;
      read.put(e.getKey(), e.getValue());
    }
    return read;
  }

  /**
   * {@link #columnSplit} in two phases. First the rows split across threads: each row runs its
   * statements once (its statistics, its stores) and keeps the values the split loop reads in
   * per-row arrays. Then the split loop's columns split across threads, each running every row in
   * order with those values: the same sums in the same order, without every thread computing every
   * row's statistics.
   */
  private void rowsThenColumns(List<KStmt.Loop> outer, KStmt.Loop split, Map<String, DType> perRow, Env env,
      CodeBlock.Builder out) {
    KExpr rowCount = outer.get(0).extent();
    for (int i = 1; i < outer.size(); i++) rowCount = KExpr.mul(rowCount, outer.get(i).extent());
    Code rows = index(rowCount, env, "number of rows");
    Map<String, String> arrays = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, DType> e : perRow.entrySet()) {
      String name = env.names.claim(JavaNames.identifier(e.getKey(), "v") + "ByRow");
      TypeName element = javaType(e.getValue());
      out.addStatement("final $T $N = new $T[$L]", ArrayTypeName.of(element), name, element, rows.code());
      arrays.put(e.getKey(), name);
    }
    // Phase 1: rows across threads.
    Env lambda = env.lambda();
    String start = lambda.names.claim("start");
    String end = lambda.names.claim("end");
    out.add("// Each row's statements once, rows split across threads; the values the column phase reads are kept by row.\n");
    out.add("$N.parallelFor($L, ($N, $N) -> {\n", contextName, rows.code(), start, end);
    out.indent();
    Env body = lambda.child();
    String row = body.names.claim("row");
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", row, start, row, end, row);
    KExpr rowVar = new KExpr.Var(bindSynthetic(row, body), DType.I32);
    for (int i = 0; i < outer.size(); i++) {
      decodeLoopVar(outer, i, rowVar, KExpr.Const.index(1), body, out);
      List<KStmt> levelBody = outer.get(i).body();
      statements(levelBody.subList(0, levelBody.size() - 1), body, out);
    }
    for (Map.Entry<String, String> e : arrays.entrySet()) {
      out.addStatement("$N[$N] = $N", e.getValue(), row, scalar(e.getKey(), body).java());
    }
    out.endControlFlow();
    out.unindent();
    out.add("});\n");
    // Phase 2: columns across threads, every row in order.
    Env columns = env.lambda();
    String first = columns.names.claim("start");
    String last = columns.names.claim("end");
    columns = columns.withScratch(List.of(split));
    StringJoiner sums = new StringJoiner(", ");
    for (KStmt st : split.body()) {
      if (st instanceof KStmt.Accumulate a) sums.add(bufferNames.get(a.buffer()));
    }
    CodeBlock.Builder phase = CodeBlock.builder();
    phase.add("// Threads split $L, the index $L add at; each runs every row in order, so every sum adds its rows in order.\n",
        JavaNames.commentText(split.var()), sums.toString());
    Code count = index(split.extent(), env, "extent of loop " + split.var());
    phase.add("$N.parallelFor($L, ($N, $N) -> {\n", contextName, count.code(), first, last);
    phase.indent();
    CodeBlock.Builder loops = CodeBlock.builder();
    keptRows(outer, 0, KExpr.Const.index(0), split, arrays, perRow, first, last, columns, loops);
    phase.add(scratchDeclarations(columns)).add(loops.build());
    phase.unindent();
    phase.add("});\n");
    out.add(phase.build());
  }

  /** The column phase's rows: outer lets as they were, the innermost row's values read from their arrays. */
  private void keptRows(List<KStmt.Loop> outer, int level, KExpr flat, KStmt.Loop split, Map<String, String> arrays,
      Map<String, DType> perRow, String start, String end, Env env, CodeBlock.Builder out) {
    KStmt.Loop loop = outer.get(level);
    Code extent = index(loop.extent(), env, "extent of loop " + loop.var());
    Env inner = env.child();
    String v = bindLoopVar(loop.var(), inner);
    KExpr index = KExpr.add(KExpr.mul(flat, loop.extent()), new KExpr.Var(loop.var(), DType.I32));
    out.beginControlFlow("for (int $N = 0; $N < $L; $N++)", v, v, operand(extent, RELATION + 1), v);
    List<KStmt> body = loop.body();
    if (level + 1 < outer.size()) {
      statements(body.subList(0, body.size() - 1), inner, out);
      keptRows(outer, level + 1, index, split, arrays, perRow, start, end, inner, out);
    } else {
      Code at = index(index, inner, "row index");
      for (Map.Entry<String, String> e : arrays.entrySet()) {
        DType dtype = perRow.get(e.getKey());
        String local = inner.names.claim(JavaNames.identifier(e.getKey(), "v"));
        out.addStatement("final $T $N = $N[$L]", javaType(dtype), local, e.getValue(), at.code());
        inner.scalars.put(e.getKey(), new Binding(local, dtype, Kind.LET, false, inner.lambda));
      }
      splitColumns(split, start, end, inner, out);
    }
    out.endControlFlow();
  }

  /** The split loop over this thread's columns {@code [start, end)}, with the runs it draws drawn first. */
  private void splitColumns(KStmt.Loop split, String start, String end, Env row, CodeBlock.Builder out) {
    Env columns = row.child();
    String c = bindLoopVar(split.var(), columns);
    columns.drawn.putAll(drawRows(split.body(), split.var(), CodeBlock.of("$N", start),
        CodeBlock.of("$N - $N", end, start), row, out));
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", c, start, c, end, c);
    block(split.body(), columns, out);
    out.endControlFlow();
  }

  private void splitRows(List<KStmt.Loop> outer, int level, KStmt.Loop split, String start, String end, Env env,
      CodeBlock.Builder out) {
    KStmt.Loop loop = outer.get(level);
    Code extent = index(loop.extent(), env, "extent of loop " + loop.var());
    Env inner = env.child();
    String v = bindLoopVar(loop.var(), inner);
    out.beginControlFlow("for (int $N = 0; $N < $L; $N++)", v, v, operand(extent, RELATION + 1), v);
    List<KStmt> body = loop.body();
    for (KStmt st : body.subList(0, body.size() - 1)) {
      if (st instanceof KStmt.Store) {
        out.beginControlFlow("if ($N == 0)", start);
        statement(st, inner, out);
        out.endControlFlow();
      } else {
        statement(st, inner, out);
      }
    }
    if (level + 1 < outer.size()) {
      splitRows(outer, level + 1, split, start, end, inner, out);
    } else {
      splitColumns(split, start, end, inner, out);
    }
    out.endControlFlow();
  }

  private static boolean containsWrite(List<KStmt> stmts) {
    for (KStmt s : stmts) {
      if (s instanceof KStmt.Store || s instanceof KStmt.Accumulate) return true;
      if (s instanceof KStmt.Loop l && containsWrite(l.body())) return true;
    }
    return false;
  }

  private void splitLoop(List<KStmt.Loop> nest, Env env, CodeBlock.Builder out) {
    HoistedDots dots = HoistedDots.find(nest, writable);
    if (!dots.isEmpty()) {
      blockedRows(nest, dots, env, out);
      return;
    }
    KExpr count = nest.get(0).extent();
    for (int i = 1; i < nest.size(); i++) count = KExpr.mul(count, nest.get(i).extent());
    Code countCode = index(count, env, "extent of loop " + nest.get(0).var());

    Env inner = env.lambda();
    String start = inner.names.claim("start");
    String end = inner.names.claim("end");
    List<String> vars = new ArrayList<>();
    StringJoiner shown = new StringJoiner(", ");
    if (nest.size() == 1) {
      KStmt.Loop loop = nest.get(0);
      String v = bindLoopVar(loop.var(), inner);
      out.add("// Iterations of $N are independent: split them across the pool's threads.\n", v);
      out.add("$N.parallelFor($L, ($N, $N) -> {\n", contextName, countCode.code(), start, end);
      out.indent();
      Env rows = inner.withScratch(loop.body());
      CodeBlock.Builder body = CodeBlock.builder();
      body.beginControlFlow("for (int $N = $N; $N < $N; $N++)", v, start, v, end, v);
      block(loop.body(), rows, body);
      body.endControlFlow();
      out.add(scratchDeclarations(rows)).add(body.build());
    } else {
      // The flat row index, bound under a name no statement of the kernel uses.
      String rowKey = "row";
      for (int n = 2; irNames.contains(rowKey); n++) rowKey = "row" + n;
      String row = inner.names.claim("row");
      inner.scalars.put(rowKey, new Binding(row, DType.I32, Kind.LOOP, true, inner.lambda));
      KExpr rowVar = new KExpr.Var(rowKey, DType.I32);
      CodeBlock.Builder header = CodeBlock.builder();
      for (int i = 0; i < nest.size(); i++) {
        KExpr stride = KExpr.Const.index(1);
        for (int j = i + 1; j < nest.size(); j++) stride = KExpr.mul(stride, nest.get(j).extent());
        KExpr value = KExpr.div(rowVar, stride);
        if (i > 0) value = KExpr.mod(value, nest.get(i).extent());
        Code code = index(value, inner, "index of loop " + nest.get(i).var());
        String v = bindLoopVar(nest.get(i).var(), inner);
        vars.add(v);
        header.addStatement("final int $N = $L", v, code.code());
      }
      for (String v : vars) shown.add(v);
      out.add("// Iterations of $L are independent: split them across the pool's threads.\n", shown.toString());
      out.add("$N.parallelFor($L, ($N, $N) -> {\n", contextName, countCode.code(), start, end);
      out.indent();
      Env rows = inner.withScratch(nest.getLast().body());
      CodeBlock.Builder body = CodeBlock.builder();
      body.beginControlFlow("for (int $N = $N; $N < $N; $N++)", row, start, row, end, row);
      body.add(header.build());
      block(nest.getLast().body(), rows, body);
      body.endControlFlow();
      out.add(scratchDeclarations(rows)).add(body.build());
    }
    out.unindent();
    out.add("});\n");
  }

  /** Rows of a nest whose dot products {@link HoistedDots} computes a block at a time. */
  private static final int DOT_BLOCK_ROWS = 64;

  /**
   * A row nest split across threads by blocks of up to {@link #DOT_BLOCK_ROWS} rows of its
   * innermost loop: each block first computes its dot products with {@link RowKernels#dotProducts},
   * then runs its rows, which read them.
   */
  private void blockedRows(List<KStmt.Loop> nest, HoistedDots dots, Env env, CodeBlock.Builder method) {
    KStmt.Loop rows = nest.getLast();
    Env outer = env.child();
    Code rowCount = index(rows.extent(), outer, "extent of loop " + rows.var());
    String blocks = outer.names.claim(JavaNames.identifier(rows.var(), "i") + "Blocks");
    method.addStatement("final int $N = ($L + $L) / $L", blocks, operand(rowCount, ADDITIVE), DOT_BLOCK_ROWS - 1,
        DOT_BLOCK_ROWS);
    KExpr blockCount = new KExpr.Var(bindSynthetic(blocks, outer), DType.I32);
    KExpr count = blockCount;
    for (int i = nest.size() - 2; i >= 0; i--) count = KExpr.mul(nest.get(i).extent(), count);
    Code countCode = index(count, outer, "extent of loop " + nest.get(0).var());

    Env lambda = outer.lambda();
    String start = lambda.names.claim("start");
    String end = lambda.names.claim("end");
    Env inner = lambda.withScratch(rows.body());
    StringJoiner shown = new StringJoiner(", ");
    for (KStmt.Loop l : nest.subList(0, nest.size() - 1)) shown.add(JavaNames.commentText(l.var()));
    String rowName = JavaNames.commentText(rows.var());
    method.add("// Rows of $L run in blocks of up to $L$L: a block first computes every dot product its rows read, as\n",
        rowName, DOT_BLOCK_ROWS, shown.length() == 0 ? "" : " per (" + shown + ")");
    method.add("// small matrix products, so each row of the other operand is read once per block, not once per row.\n");
    method.add("$N.parallelFor($L, ($N, $N) -> {\n", contextName, countCode.code(), start, end);
    method.indent();
    // The lambda's body, printed after the scratch rows its random draws claim.
    CodeBlock.Builder out = CodeBlock.builder();
    List<String> names = new ArrayList<>();
    for (HoistedDots.Products p : dots.products()) {
      String name = inner.names.claim(dots.products().size() == 1 ? "products" : "products" + (names.size() + 1));
      names.add(name);
      Code size = index(KExpr.mul(KExpr.Const.index(DOT_BLOCK_ROWS), p.columns()), inner, "size of a block of products");
      out.addStatement("final float[] $N = new float[$L]", name, size.code());
    }
    List<RowCopy> copies = new ArrayList<>();
    for (KStmt s : rows.body()) {
      if (s instanceof KStmt.Loop loop && AffineIndex.invariant(loop.extent())
          && weightedRowsOf(loop) instanceof WeightedRows.Match m) {
        Code extent = index(loop.extent(), inner, "extent of loop " + loop.var());
        String weights = inner.names.claim("weights");
        String scales = m.add().scale() == null ? null : inner.names.claim("scales");
        out.addStatement("final float[] $N = new float[$L]", weights, extent.code());
        if (scales != null) out.addStatement("final float[] $N = new float[$L]", scales, extent.code());
        rowArrays.put(loop, new String[] {weights, scales});
        if (sameForTheBlock(m.start(), nest) && AffineIndex.invariant(m.stride())) {
          RowCopy copy = new RowCopy(null, m.add().x(), m.start(), m.stride(), loop.extent(), m.add().length());
          RowCopy shared = copies.stream().filter(c -> c.equals(copy.named(c.name()))).findFirst().orElse(null);
          if (shared == null) {
            shared = copy.named(inner.names.claim("valueRows"));
            copies.add(shared);
            Code size = index(KExpr.mul(loop.extent(), m.add().length()), inner, "size of a copy of rows");
            out.addStatement("final float[] $N = new float[$L]", shared.name(), size.code());
          }
          copiedRows.put(loop, shared.name());
        }
      }
    }
    planRowPrograms(rows.body(), dots, inner, out);
    String block = inner.names.claim("block");
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", block, start, block, end, block);
    Env body = inner.child();
    KExpr blockVar = new KExpr.Var(bindSynthetic(block, body), DType.I32);
    List<KStmt.Loop> outerRows = nest.subList(0, nest.size() - 1);
    for (int i = 0; i < outerRows.size(); i++) decodeLoopVar(outerRows, i, blockVar, blockCount, body, out);
    KExpr firstValue = KExpr.mul(nest.size() > 1 ? KExpr.mod(blockVar, blockCount) : blockVar,
        KExpr.Const.index(DOT_BLOCK_ROWS));
    String first = body.names.claim(JavaNames.identifier(rows.var(), "i") + "First");
    out.addStatement("final int $N = $L", first, index(firstValue, body, "first row of a block").code());
    String last = body.names.claim(JavaNames.identifier(rows.var(), "i") + "End");
    out.addStatement("final int $N = $T.min($N + $L, $L)", last, Math.class, first, DOT_BLOCK_ROWS, rowCount.code());
    KExpr firstVar = new KExpr.Var(bindSynthetic(first, body), DType.I32);
    for (int k = 0; k < names.size(); k++) {
      HoistedDots.Products p = dots.products().get(k);
      KExpr rowStart = KExpr.add(p.rowStart(), KExpr.mul(firstVar, p.rowStride()));
      // $W: the rows' operand, the columns' operand and the length wrap as groups on long lines.
      out.addStatement("$T.dotProducts($N,$W$N, $L, $L, $N - $N,$W$N, $L, $L, $L,$W$L)", RowKernels.class, names.get(k),
          bufferNames.get(p.rowBuffer()), index(rowStart, body, "offset into " + p.rowBuffer().name()).code(),
          index(p.rowStride(), body, "stride of " + p.rowBuffer().name()).code(), last, first,
          bufferNames.get(p.columnBuffer()), index(p.columnStart(), body, "offset into " + p.columnBuffer().name()).code(),
          index(p.columnStride(), body, "stride of " + p.columnBuffer().name()).code(),
          index(p.columns(), body, "columns of a block of products").code(),
          index(p.length(), body, "length of a dot product").code());
    }
    for (RowCopy c : copies) {
      out.add("// The rows every row of the block weights, copied together: read in order, not $L elements apart.\n",
          c.stride() instanceof KExpr.Const k ? String.valueOf((long) k.value()) : "a stride");
      out.addStatement("$T.copyRows($N, $N, $L, $L, $L, $L)", RowKernels.class, c.name(), bufferNames.get(c.x()),
          index(c.start(), body, "offset into " + c.x().name()).code(), index(c.stride(), body, "stride of " + c.x().name()).code(),
          index(c.rows(), body, "rows of a copy").code(), index(c.length(), body, "length of a copied row").code());
    }
    Env row = body.child();
    String v = bindLoopVar(rows.var(), row);
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", v, first, v, last, v);
    hoisted = dots;
    hoistedNames = names;
    hoistedRow = rows.var();
    hoistedFirst = first;
    try {
      block(rows.body(), row, out);
    } finally {
      hoisted = null;
    }
    out.endControlFlow();
    out.endControlFlow();
    method.add(scratchDeclarations(inner)).add(out.build());
    method.unindent();
    method.add("});\n");
  }

  /**
   * Finds the loops of a row body that run as whole-row operations ({@link RowProgram}): those that
   * compute weighted rows' weights (without the online softmax's scales) and sums over a row, and
   * declares the scratch rows they use, shared by loops of the same extent.
   */
  private void planRowPrograms(List<KStmt> body, HoistedDots dots, Env lambda, CodeBlock.Builder out) {
    Map<KExpr, List<String>> rowsByExtent = new HashMap<>();
    for (KStmt s : body) {
      if (!(s instanceof KStmt.Loop loop) || loop.parallel() || !AffineIndex.invariant(loop.extent())) continue;
      List<KStmt> statements = loop.body();
      RowProgram program = null;
      KStmt.Assign sum = null;
      OnlineSoftmax.Match softmax = null;
      if (weightedRowsOf(loop) instanceof WeightedRows.Match m) {
        int at = statements.indexOf(m.update());
        if (m.add().scale() == null && at == statements.size() - 1) {
          program = RowProgram.of(loop.var(), statements.subList(0, at), m.add().weight(), dots, writable);
        } else if (m.add().scale() != null && OnlineSoftmax.match(loop, m) instanceof OnlineSoftmax.Match o) {
          softmax = o;
          program = RowProgram.of(loop.var(), statements.subList(0, o.scoreEnd()),
              new KExpr.Var(o.score(), DType.F32), dots, writable);
        }
      } else if (sumTerm(statements) instanceof KStmt.Assign a) {
        sum = a;
        program = RowProgram.of(loop.var(), statements.subList(0, statements.size() - 1),
            ((KExpr.Binary) a.value()).b(), dots, writable);
      }
      if (program == null) continue;
      List<String> names = rowsByExtent.computeIfAbsent(loop.extent(), e -> new ArrayList<>());
      int needed = program.scratchRows() + (sum != null || softmax != null ? 1 : 0);
      Code extent = index(loop.extent(), lambda, "extent of loop " + loop.var());
      while (names.size() < needed) {
        String name = lambda.names.claim("row");
        out.addStatement("final float[] $N = new float[$L]", name, extent.code());
        names.add(name);
      }
      rowPrograms.put(loop, new PlannedProgram(program, names.subList(0, needed), sum, softmax));
    }
  }

  /**
   * The last statement of {@code statements} when it adds an f32 term to a declared scalar that no
   * other statement (nor the term) mentions: {@code acc = acc + term}; otherwise null.
   */
  private static KStmt.Assign sumTerm(List<KStmt> statements) {
    if (statements.isEmpty() || !(statements.getLast() instanceof KStmt.Assign a)
        || !(a.value() instanceof KExpr.Binary add) || add.fn() != Fn.ADD || add.dtype() != DType.F32
        || !(add.a() instanceof KExpr.Var self) || !self.name().equals(a.var())
        || AffineIndex.mentions(add.b(), a.var())) {
      return null;
    }
    for (KStmt s : statements.subList(0, statements.size() - 1)) {
      if (RowProgram.mentions(s, a.var())) return null;
    }
    return a;
  }

  /**
   * A loop that adds terms into a scalar, as whole-row operations that put every term in a scratch
   * row ({@link RowProgram}), then one {@link RowMaps#sum} that adds them in the loop's order.
   */
  private void rowSum(KStmt.Loop loop, PlannedProgram plan, Env env, CodeBlock.Builder out) {
    Binding acc = scalar(plan.sum().var(), env);
    if (acc.kind() != Kind.DECLARE || acc.dtype() != DType.F32) {
      throw error("sum into " + plan.sum().var() + ", which is not a declared f32 scalar");
    }
    Code extent = index(loop.extent(), env, "extent of loop " + loop.var());
    String terms = plan.rows().getLast();
    out.add("// Every term of the sum over $L at once, as whole-row operations; then added in order: the same bits.\n",
        JavaNames.commentText(loop.var()));
    rowProgram(plan, CodeBlock.of("$N, 0", terms), extent, env, out);
    out.addStatement("$N = $T.sum($N, $N, 0, $L)", acc.java(), RowMaps.class, acc.java(), terms, extent.code());
  }

  /** The calls of {@code plan}'s program; its last writes the run {@code destination} ({@code array, offset}). */
  private void rowProgram(PlannedProgram plan, CodeBlock destination, Code extent, Env env, CodeBlock.Builder out) {
    rowCalls(plan.program(), plan.rows(), destination, extent.code(), null, null, env, out);
  }

  /**
   * Prints {@code program}'s calls on rows of {@code length}: scratch row k is {@code rows.get(k)};
   * the last call, when it has no row of its own, writes {@code destination}. In a product's
   * epilogue, {@code tileRow} is where the tile's row starts and {@code columnStart} the first
   * column, added to every buffer offset (null in a loop, whose runs start at 0).
   */
  void rowCalls(RowProgram program, List<String> rows, CodeBlock destination, CodeBlock length, CodeBlock tileRow,
      CodeBlock columnStart, Env env, CodeBlock.Builder out) {
    for (RowProgram.Call call : program.steps()) {
      switch (call) {
        case RowProgram.Step step -> {
          CodeBlock into = step.out() == null ? destination : CodeBlock.of("$N, 0", rows.get(step.out().index()));
          RowProgram.Operand a = step.a();
          RowProgram.Operand b = step.b();
          // x + y, x * y, max and min are the same with their operands swapped: the run comes first.
          if (step.op().commutes && a instanceof RowProgram.Value && !(b instanceof RowProgram.Value)) {
            RowProgram.Operand swap = a;
            a = b;
            b = swap;
          }
          CodeBlock operands = b == null ? rowOperand(a, rows, tileRow, columnStart, env)
              : CodeBlock.of("$L, $L", rowOperand(a, rows, tileRow, columnStart, env),
                  rowOperand(b, rows, tileRow, columnStart, env));
          out.addStatement("$T.$L($L, $L, $L)", RowMaps.class, step.op().method, into, operands, length);
        }
        case RowProgram.Select sel -> {
          CodeBlock into = sel.out() == null ? destination : CodeBlock.of("$N, 0", rows.get(sel.out().index()));
          out.addStatement("$T.select($L, $T.$L, $L, $L,$W$L, $L, $L)", RowMaps.class, into, RowMaps.Compare.class,
              sel.cmp().name(), rowOperand(sel.x(), rows, tileRow, columnStart, env),
              rowOperand(sel.y(), rows, tileRow, columnStart, env), rowOperand(sel.a(), rows, tileRow, columnStart, env),
              rowOperand(sel.b(), rows, tileRow, columnStart, env), length);
        }
        case RowProgram.Write w -> {
          CodeBlock target = CodeBlock.of("$N, $L", target(w.buffer(), w.adds() ? "accumulates into" : "stores to"),
              offset(w.start(), w.buffer(), columnStart, env));
          if (w.adds()) {
            accumulated.add(w.buffer());
            out.addStatement("$T.add($L, $L, $L, $L)", RowMaps.class, target, target,
                rowOperand(w.value(), rows, tileRow, columnStart, env), length);
          } else if (w.value() instanceof RowProgram.Value v) {
            out.addStatement("$T.fill($L, $L, $L)", RowMaps.class, target, converted(v.value(), DType.F32, env).code(),
                length);
          } else {
            out.addStatement("$T.copy($L, $L, $L)", RowMaps.class, target,
                rowOperand(w.value(), rows, tileRow, columnStart, env), length);
          }
        }
      }
    }
  }

  /** Where a run of {@code buffer} that starts at {@code start} (at column 0) starts at the first column. */
  private CodeBlock offset(KExpr start, Buffer buffer, CodeBlock columnStart, Env env) {
    Code at = index(start, env, "offset into " + buffer.name());
    if (columnStart == null) return at.code();
    if (start instanceof KExpr.Const c && c.value() == 0) return columnStart;
    return CodeBlock.of("$L + $L", operand(at, ADDITIVE), columnStart);
  }

  /** A run as {@code array, offset}, or a value. */
  private CodeBlock rowOperand(RowProgram.Operand o, List<String> rows, CodeBlock tileRow, CodeBlock columnStart,
      Env env) {
    return switch (o) {
      case RowProgram.BufferRow r -> CodeBlock.of("$N, $L", bufferNames.get(r.buffer()),
          offset(r.start(), r.buffer(), columnStart, env));
      case RowProgram.ProductsRow p -> CodeBlock.of("$N, ($N - $N) * $L", hoistedNames.get(p.products()),
          scalar(hoistedRow, env).java(), hoistedFirst,
          operand(index(hoisted.products().get(p.products()).columns(), env, "columns of a block of products"),
              MULTIPLICATIVE + 1));
      case RowProgram.Scratch s -> CodeBlock.of("$N, 0", rows.get(s.index()));
      case RowProgram.Value v -> converted(v.value(), DType.F32, env).code();
      case RowProgram.TileRow t -> tileRow;
      case RowProgram.RandomRow r -> {
        Drawn drawn = env.drawn.get(new DrawSite(r.random().site(), r.random().index()));
        if (drawn == null) throw error("random site " + r.random().site() + " has no drawn row here");
        yield CodeBlock.of("$N, 0", drawn.array());
      }
      default -> throw new AssertionError(o);
    };
  }

  /** Whether index {@code e} names only the nest's outer loop variables and sizes: the same for a whole row block. */
  private static boolean sameForTheBlock(KExpr e, List<KStmt.Loop> nest) {
    java.util.Set<String> outer = new java.util.HashSet<>();
    for (KStmt.Loop l : nest.subList(0, nest.size() - 1)) outer.add(l.var());
    return AffineIndex.indexOnly(e, outer);
  }

  /**
   * Binds loop {@code i} of {@code loops} from a flat index {@code flat} that counts, outermost
   * first, every loop of {@code loops} and then {@code innermost} more: {@code flat / stride % extent}.
   */
  private void decodeLoopVar(List<KStmt.Loop> loops, int i, KExpr flat, KExpr innermost, Env env,
      CodeBlock.Builder out) {
    KExpr stride = innermost;
    for (int j = loops.size() - 1; j > i; j--) stride = KExpr.mul(loops.get(j).extent(), stride);
    KExpr value = KExpr.div(flat, stride);
    if (i > 0) value = KExpr.mod(value, loops.get(i).extent());
    Code code = index(value, env, "index of loop " + loops.get(i).var());
    String v = bindLoopVar(loops.get(i).var(), env);
    out.addStatement("final int $N = $L", v, code.code());
  }

  /** {@code float acc = products[(i - first) * columns + r]}: a dot product its row block computed. */
  private void precomputedDot(RowLoopPattern.Dot dot, HoistedDots.Use use, Env env, CodeBlock.Builder out) {
    HoistedDots.Products p = hoisted.products().get(use.products());
    String row = scalar(hoistedRow, env).java();
    String v = env.names.claim(JavaNames.identifier(dot.accumulator(), "v"));
    out.addStatement("$T $N = $N[($N - $N) * $L + $N]", TypeName.FLOAT, v, hoistedNames.get(use.products()), row,
        hoistedFirst, operand(index(p.columns(), env, "columns of a block of products"), MULTIPLICATIVE + 1),
        scalar(use.columnVar(), env).java());
    env.scalars.put(dot.accumulator(), new Binding(v, DType.F32, Kind.DECLARE, false, env.lambda));
  }

  /** A loop of the method's own code, with the scratch rows its random draws use declared just before it. */
  private void onCallingThread(KStmt.Loop loop, Env env, CodeBlock.Builder out) {
    Env scratch = env.withScratch(List.of(loop));
    CodeBlock.Builder code = CodeBlock.builder();
    statement(loop, scratch, code);
    out.add(scratchDeclarations(scratch)).add(code.build());
  }

  /** The declarations of the scratch rows a lambda's loops drew into, for its top; empty when none. */
  static CodeBlock scratchDeclarations(Env lambda) {
    return lambda.scratch == null ? CodeBlock.of("") : lambda.scratch.declarations();
  }

  String bindLoopVar(String irName, Env env) {
    String v = env.names.claim(JavaNames.identifier(irName, "i"));
    env.scalars.put(irName, new Binding(v, DType.I32, Kind.LOOP, true, env.lambda));
    return v;
  }

  // ---- what BlockedProductEmitter prints with

  /** An i32 expression printed as an index. */
  CodeBlock indexCode(KExpr e, Env env, String what) {
    return index(e, env, what).code();
  }

  CodeBlock exprCode(KExpr e, Env env) {
    return expr(e, env).code();
  }

  /** Binds the kernel IR name {@code irName} to a new {@code final} local of type {@code dtype}; returns its Java name. */
  String bindFinal(String irName, DType dtype, Env env) {
    String v = env.names.claim(JavaNames.identifier(irName, "v"));
    env.scalars.put(irName, new Binding(v, dtype, Kind.LET, false, env.lambda));
    return v;
  }

  /** Binds the Java index {@code javaName} under a kernel IR name no statement uses; returns that name. */
  String bindSynthetic(String javaName, Env env) {
    String key = "flat";
    for (int n = 2; irNames.contains(key) || env.scalars.containsKey(key); n++) key = "flat" + n;
    env.scalars.put(key, new Binding(javaName, DType.I32, Kind.LOOP, true, env.lambda));
    return key;
  }

  /** The buffers the kernel writes. */
  Set<Buffer> writable() {
    return writable;
  }

  /** The Java name of buffer {@code b}'s array. */
  String bufferName(Buffer b) {
    return bufferNames.get(b);
  }

  String contextName() {
    return contextName;
  }

  /** The kernel runs on the pool: its method takes the run context. */
  void markUsesContext() {
    usesContext = true;
  }

  private void block(List<KStmt> stmts, Env outer, CodeBlock.Builder out) {
    statements(stmts, outer.child(), out);
  }

  /** {@code stmts} in {@code env} itself: what they bind stays bound there. */
  private void statements(List<KStmt> stmts, Env env, CodeBlock.Builder out) {
    for (int i = 0; i < stmts.size(); i++) {
      KStmt s = stmts.get(i);
      RowLoopPattern.Dot dot = i + 1 < stmts.size() ? RowLoopPattern.dot(s, stmts.get(i + 1)) : null;
      HoistedDots.Use use = dot != null && hoisted != null ? hoisted.use(s) : null;
      if (use != null) {
        precomputedDot(dot, use, env, out);
        i++;
      } else if (dot != null && readable.contains(dot.x()) && readable.contains(dot.y())) {
        rowDot(dot, env, out);
        i++;
      } else if (RowLoopPattern.scaledAdd(s) instanceof RowLoopPattern.ScaledAdd add && readable.contains(add.x())) {
        rowScaledAdd(add, env, out);
      } else if (s instanceof KStmt.Loop loop && rowPrograms.get(loop) instanceof PlannedProgram plan
          && plan.sum() != null) {
        rowSum(loop, plan, env, out);
      } else if (s instanceof KStmt.Loop loop && weightedRowsOf(loop) instanceof WeightedRows.Match m
          && (AffineIndex.invariant(loop.extent()) || readsOnlyFinals(loop.extent(), env))) {
        weightedRows(loop, m, env, out);
      } else {
        statement(s, env, out);
      }
    }
  }

  /** {@code float acc = RowKernels.dot(...)}: the accumulator stays a mutable local, as its declaration made it. */
  private void rowDot(RowLoopPattern.Dot dot, Env env, CodeBlock.Builder out) {
    CodeBlock call = CodeBlock.of("$T.dot($N, $L, $N, $L, $L)", RowKernels.class, bufferNames.get(dot.x()),
        index(dot.xBase(), env, "offset into " + dot.x().name()).code(), bufferNames.get(dot.y()),
        index(dot.yBase(), env, "offset into " + dot.y().name()).code(),
        index(dot.length(), env, "length of a dot product").code());
    String v = env.names.claim(JavaNames.identifier(dot.accumulator(), "v"));
    out.addStatement("$T $N = $L", TypeName.FLOAT, v, call);
    env.scalars.put(dot.accumulator(), new Binding(v, DType.F32, Kind.DECLARE, false, env.lambda));
  }

  /** The weighted rows {@code loop} adds ({@link WeightedRows}), of a buffer this kernel reads; or null. */
  private WeightedRows.Match weightedRowsOf(KStmt.Loop loop) {
    WeightedRows.Match m = WeightedRows.match(loop, writable);
    return m != null && readable.contains(m.add().x()) ? m : null;
  }

  /**
   * A loop that adds a weighted row ({@link WeightedRows}): the loop keeps each row's weight (and
   * scale) where the update was, and one {@link RowKernels#addWeightedRows} call after it adds the
   * rows in order.
   */
  private void weightedRows(KStmt.Loop loop, WeightedRows.Match m, Env env, CodeBlock.Builder out) {
    RowLoopPattern.ScaledAdd add = m.add();
    Binding array = array(add.array(), env);
    if (array.dtype() != DType.F32) throw error("array " + add.array() + " is " + array.dtype() + " but updated as f32");
    Code extent = index(loop.extent(), env, "extent of loop " + loop.var());
    String[] declared = rowArrays.get(loop);
    String weights = declared != null ? declared[0] : env.names.claim("weights");
    String scales = add.scale() == null ? null : declared != null ? declared[1] : env.names.claim("scales");
    if (declared == null) {
      out.addStatement("final float[] $N = new float[$L]", weights, extent.code());
      if (scales != null) out.addStatement("final float[] $N = new float[$L]", scales, extent.code());
    }
    Code length = index(add.length(), env, "length of an accumulator update");
    String copied = copiedRows.get(loop);
    CodeBlock x = copied != null
        ? CodeBlock.of("$N, 0, $L, $L, $L", copied, length.code(), extent.code(), length.code())
        : CodeBlock.of("$N, $L,$W$L, $L, $L", bufferNames.get(add.x()),
            index(m.start(), env, "offset into " + add.x().name()).code(),
            index(m.stride(), env, "stride of " + add.x().name()).code(), extent.code(), length.code());
    if (rowPrograms.get(loop) instanceof PlannedProgram plan && plan.softmax() != null) {
      Binding max = scalar(plan.softmax().max(), env);
      Binding sum = scalar(plan.softmax().sum(), env);
      if (max.kind() != Kind.DECLARE || sum.kind() != Kind.DECLARE || max.dtype() != DType.F32
          || sum.dtype() != DType.F32) {
        throw error("online softmax over " + plan.softmax().max() + " and " + plan.softmax().sum()
            + ", which are not declared f32 scalars");
      }
      String scores = plan.rows().getLast();
      out.add("// The online softmax over every key at once (the loop's operations, in its order: the same bits): the\n");
      out.add("// scores as whole-row operations, each key's rescale and weight and the sum, the maximum, then the rows.\n");
      rowProgram(plan, CodeBlock.of("$N, 0", scores), extent, env, out);
      out.addStatement("$N = $T.onlineSoftmax($N, 0, $L, $N, $N, $N, $N)", sum.java(), RowKernels.class, scores,
          extent.code(), max.java(), sum.java(), scales, weights);
      out.addStatement("$N = $T.maxOf($N, $N, 0, $L)", max.java(), RowMaps.class, max.java(), scores, extent.code());
      out.addStatement("$T.scaleAddWeightedRows($N, $N, $N, $L)", RowKernels.class, array.java(), scales, weights, x);
      return;
    }
    if (rowPrograms.get(loop) instanceof PlannedProgram plan) {
      out.add("// Every row's weight at once, as whole-row operations (the loop's, in its order: the same bits);\n");
      out.add("// then the weighted rows are added in order, with $N held in registers.\n", array.java());
      rowProgram(plan, CodeBlock.of("$N, 0", weights), extent, env, out);
      out.addStatement("$T.addWeightedRows($N, $N, $L)", RowKernels.class, array.java(), weights, x);
      return;
    }
    out.add("// The weighted rows are added after the loop, in its order: the same sums, with $N held in registers.\n",
        array.java());
    Env inner = env.child();
    String v = bindLoopVar(loop.var(), inner);
    out.beginControlFlow("for (int $N = 0; $N < $L; $N++)", v, v, operand(extent, RELATION + 1), v);
    int at = 0;
    while (loop.body().get(at) != m.update()) at++;
    statements(loop.body().subList(0, at), inner, out);
    if (scales != null) out.addStatement("$N[$N] = $L", scales, v, converted(add.scale(), DType.F32, inner).code());
    out.addStatement("$N[$N] = $L", weights, v, converted(add.weight(), DType.F32, inner).code());
    statements(loop.body().subList(at + 1, loop.body().size()), inner, out);
    out.endControlFlow();
    if (scales == null) {
      out.addStatement("$T.addWeightedRows($N, $N, $L)", RowKernels.class, array.java(), weights, x);
    } else {
      out.addStatement("$T.scaleAddWeightedRows($N, $N, $N, $L)", RowKernels.class, array.java(), scales, weights, x);
    }
  }

  private void rowScaledAdd(RowLoopPattern.ScaledAdd add, Env env, CodeBlock.Builder out) {
    Binding array = array(add.array(), env);
    if (array.dtype() != DType.F32) throw error("array " + add.array() + " is " + array.dtype() + " but updated as f32");
    CodeBlock x = CodeBlock.of("$N, $L, $L", bufferNames.get(add.x()),
        index(add.xBase(), env, "offset into " + add.x().name()).code(),
        index(add.length(), env, "length of an accumulator update").code());
    if (add.scale() == null) {
      out.addStatement("$T.addScaled($N, $L, $L)", RowKernels.class, array.java(), expr(add.weight(), env).code(), x);
    } else {
      out.addStatement("$T.scaleAddScaled($N, $L, $L, $L)", RowKernels.class, array.java(), expr(add.scale(), env).code(),
          expr(add.weight(), env).code(), x);
    }
  }

  void statement(KStmt stmt, Env env, CodeBlock.Builder out) {
    switch (stmt) {
      case KStmt.Loop l -> {
        Code extent = index(l.extent(), env, "extent of loop " + l.var());
        if (!AffineIndex.invariant(l.extent()) && !readsOnlyFinals(l.extent(), env)) {
          // The interpreter evaluates an extent once; so does a final local.
          String n = env.names.claim(JavaNames.identifier(l.var(), "i") + "Count");
          out.addStatement("final int $N = $L", n, extent.code());
          extent = Code.of(PRIMARY, "$N", n);
        }
        Env inner = env.child();
        String v = bindLoopVar(l.var(), inner);
        if (AffineIndex.invariant(l.extent())) inner.drawn.putAll(drawRows(l.body(), l.var(), null, extent.code(), env, out));
        out.beginControlFlow("for (int $N = 0; $N < $L; $N++)", v, v, operand(extent, RELATION + 1), v);
        block(l.body(), inner, out);
        out.endControlFlow();
      }
      case KStmt.Let let -> {
        Code value = expr(let.value(), env);
        DType dtype = let.value().dtype();
        String v = env.names.claim(JavaNames.identifier(let.var(), "v"));
        out.addStatement("final $T $N = $L", javaType(dtype), v, value.code());
        env.scalars.put(let.var(), new Binding(v, dtype, Kind.LET, dtype == DType.I32 && nonNegative(let.value(), env),
            env.lambda));
      }
      case KStmt.Declare d -> {
        Code init = converted(d.init(), d.dtype(), env);
        String v = env.names.claim(JavaNames.identifier(d.var(), "v"));
        out.addStatement("$T $N = $L", javaType(d.dtype()), v, init.code());
        env.scalars.put(d.var(), new Binding(v, d.dtype(), Kind.DECLARE, false, env.lambda));
      }
      case KStmt.Assign a -> {
        Binding b = scalar(a.var(), env);
        if (b.kind() != Kind.DECLARE) {
          throw error("assignment to " + b.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + a.var()
              + "; only declared scalars can be assigned");
        }
        if (compound(a.value(), b.dtype()) instanceof KExpr.Binary sum && sum.a() instanceof KExpr.Var self
            && self.name().equals(a.var()) && self.dtype() == b.dtype()) {
          out.addStatement("$N += $L", b.java(), expr(sum.b(), env).code());
        } else {
          out.addStatement("$N = $L", b.java(), converted(a.value(), b.dtype(), env).code());
        }
      }
      case KStmt.DeclareArray d -> {
        Code length = index(d.length(), env, "length of array " + d.var());
        Code init = converted(d.init(), d.dtype(), env);
        String v = env.names.claim(JavaNames.identifier(d.var(), "a"));
        TypeName element = javaType(d.dtype());
        out.addStatement("final $T $N = new $T[$L]", ArrayTypeName.of(element), v, element, length.code());
        boolean zero = d.init() instanceof KExpr.Const c && roundConst(d.dtype(), c.value()) == 0;
        if (!zero) out.addStatement("$T.fill($N, $L)", Arrays.class, v, init.code());
        env.arrays.put(d.var(), new Binding(v, d.dtype(), Kind.ARRAY, false, env.lambda));
      }
      case KStmt.AssignElement a -> {
        Binding b = array(a.array(), env);
        Code idx = index(a.index(), env, "index of " + a.array());
        if (compound(a.value(), b.dtype()) instanceof KExpr.Binary sum && sum.a() instanceof KExpr.Element self
            && self.array().equals(a.array()) && self.index().equals(a.index()) && self.dtype() == b.dtype()) {
          out.addStatement("$N[$L] += $L", b.java(), idx.code(), expr(sum.b(), env).code());
        } else {
          out.addStatement("$N[$L] = $L", b.java(), idx.code(), converted(a.value(), b.dtype(), env).code());
        }
      }
      case KStmt.Store s -> {
        String buffer = target(s.buffer(), "stores to");
        Code idx = index(s.index(), env, "index of " + s.buffer().name());
        Code value = converted(s.value(), s.buffer().type().dtype(), env);
        out.addStatement("$N[$L] = $L", buffer, idx.code(), value.code());
      }
      case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
          + st.getClass().getSimpleName());
      case KStmt.Accumulate s -> {
        String buffer = target(s.buffer(), "accumulates into");
        accumulated.add(s.buffer());
        DType dtype = s.buffer().type().dtype();
        Code idx = index(s.index(), env, "index of " + s.buffer().name());
        Code value = expr(s.value(), env);
        if (s.value().dtype() == dtype && (dtype == DType.F32 || dtype == DType.F64 || dtype == DType.I32)) {
          out.addStatement("$N[$L] += $L", buffer, idx.code(), value.code());
        } else {
          // Sum in double, then round to the buffer's type, as the interpreter does.
          CodeBlock at = idx.code();
          if (!(s.index() instanceof KExpr.Var || s.index() instanceof KExpr.Const)) {
            String i = env.names.claim("index");
            out.addStatement("final int $N = $L", i, idx.code());
            at = CodeBlock.of("$N", i);
          }
          Code current = Code.of(PRIMARY, "$N[$L]", buffer, at);
          if (dtype != DType.F64) current = convert(current, dtype, DType.F64);
          Code sum = infix("+", ADDITIVE, current, toDouble(value, s.value().dtype()), true);
          out.addStatement("$N[$L] = $L", buffer, at, narrow(sum, dtype).code());
        }
      }
    }
  }

  /**
   * {@code x + y} at {@code dtype} when {@code x += y} means the same: f32, f64 and i32 compound
   * assignment does the operation at the variable's type, which is the interpreter's rounding.
   */
  /**
   * Whether computing {@code e} where a select might not have needed it is harmless and cheap:
   * literals, variables, sizes and arithmetic on them, with no array read (an index that only the
   * select kept in bounds), no integer division or remainder (a divisor it kept from zero) and no
   * function call.
   */
  private static boolean evaluatesSafely(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Var v -> true;
      case KExpr.Size z -> true;
      case KExpr.Binary b -> !(b.dtype() == DType.I32 && (b.fn() == Fn.DIV || b.fn() == Fn.MOD || b.fn() == Fn.POW))
          && evaluatesSafely(b.a()) && evaluatesSafely(b.b());
      case KExpr.Unary u -> u.fn() == dev.adjoint.compiler.ir.Unary.Fn.NEG && evaluatesSafely(u.x());
      case KExpr.Cast c -> evaluatesSafely(c.x());
      default -> false;
    };
  }

  private static KExpr compound(KExpr value, DType dtype) {
    boolean plain = dtype == DType.F32 || dtype == DType.F64 || dtype == DType.I32;
    return plain && value instanceof KExpr.Binary b && b.fn() == Fn.ADD && b.a().dtype() == dtype
        && b.b().dtype() == dtype ? b : null;
  }

  /** Whether evaluating {@code e} twice gives the same value: it reads no mutable local and no buffer. */
  private boolean readsOnlyFinals(KExpr e, Env env) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Size s -> true;
      case KExpr.Var v -> {
        Binding b = env.scalars.get(v.name());
        yield b != null && b.kind() != Kind.DECLARE;
      }
      case KExpr.Binary b -> readsOnlyFinals(b.a(), env) && readsOnlyFinals(b.b(), env);
      case KExpr.Unary u -> readsOnlyFinals(u.x(), env);
      case KExpr.Cast c -> readsOnlyFinals(c.x(), env);
      default -> false;
    };
  }

  private String target(Buffer b, String verb) {
    if (!writable.contains(b)) throw error(verb + " buffer " + b.name() + ", which is not in its writes");
    return bufferNames.get(b);
  }

  private Binding scalar(String name, Env env) {
    Binding b = env.scalars.get(name);
    if (b == null) throw error("variable " + name + " is not bound here");
    if (b.kind() == Kind.DECLARE && b.lambda() < env.lambda) throw new CapturesMutable();
    return b;
  }

  private Binding array(String name, Env env) {
    Binding b = env.arrays.get(name);
    if (b == null) throw error("array " + name + " is not declared here");
    if (b.lambda() < env.lambda) throw new CapturesMutable();
    return b;
  }

  // ---- expressions

  private Code index(KExpr e, Env env, String what) {
    if (e.dtype() != DType.I32) throw error(what + " must be i32, is " + e.dtype());
    return expr(e, env);
  }

  /** {@code e} rounded to {@code dtype}, as stores, declarations and assignments round. */
  private Code converted(KExpr e, DType dtype, Env env) {
    return convert(expr(e, env), e.dtype(), dtype);
  }

  private Code expr(KExpr e, Env env) {
    return switch (e) {
      case KExpr.Const c -> literal(c.dtype(), c.value());
      case KExpr.Var v -> {
        Binding b = scalar(v.name(), env);
        if (b.dtype() != v.dtype()) throw error("variable " + v.name() + " is " + b.dtype() + " but read as " + v.dtype());
        yield Code.of(PRIMARY, "$N", b.java());
      }
      case KExpr.Size s -> size(s);
      case KExpr.Load l -> {
        if (!readable.contains(l.buffer())) {
          throw error("loads from buffer " + l.buffer().name() + ", which is not in its reads or writes");
        }
        Code idx = index(l.index(), env, "index of " + l.buffer().name());
        yield Code.of(PRIMARY, "$N[$L]", bufferNames.get(l.buffer()), idx.code());
      }
      case KExpr.Element el -> {
        Binding b = array(el.array(), env);
        if (b.dtype() != el.dtype()) throw error("array " + el.array() + " is " + b.dtype() + " but read as " + el.dtype());
        Code idx = index(el.index(), env, "index of " + el.array());
        yield Code.of(PRIMARY, "$N[$L]", b.java(), idx.code());
      }
      case KExpr.Unary u -> unary(u, env);
      case KExpr.Binary b -> binary(b, env);
      case KExpr.Select s -> {
        if (s.a().dtype() != s.b().dtype()) throw error("where of " + s.a().dtype() + " and " + s.b().dtype());
        Code c = convert(expr(s.condition(), env), s.condition().dtype(), DType.BOOL);
        Code a = expr(s.a(), env);
        Code b = expr(s.b(), env);
        // A float select whose values are cheap and cannot throw (no array reads, no integer
        // division) is computed without a branch: on masks drawn from data a branch mispredicts.
        if (s.dtype().isFloating() && evaluatesSafely(s.a()) && evaluatesSafely(s.b())) {
          yield Code.of(PRIMARY, "$T.select($L, $L, $L)", KernelMath.class, c.code(), a.code(), b.code());
        }
        yield new Code(CodeBlock.of("$L ? $L : $L", operand(c, OR), operand(a, OR), operand(b, OR)), TERNARY,
            c.leadingMinus());
      }
      case KExpr.Cast c -> convert(expr(c.x(), env), c.x().dtype(), c.dtype());
      case KExpr.Random r -> {
        Drawn row = env.drawn.get(new DrawSite(r.site(), r.index()));
        if (row != null) {
          String v = scalar(row.var(), env).java();
          Code u = row.first() == null ? Code.of(PRIMARY, "$N[$N]", row.array(), v)
              : Code.of(PRIMARY, "$N[$N - $L]", row.array(), v, row.first());
          yield convert(u, DType.F32, r.dtype());
        }
        Code idx = index(r.index(), env, "index of random site " + r.site());
        Code u = Code.of(PRIMARY, "$T.uniform($N, $N, $L, $L)", Philox4x32.class, seedName, stepName,
            site(r), idx.code());
        yield convert(u, DType.F32, r.dtype());
      }
    };
  }

  private static String site(KExpr.Random r) {
    return "0x" + Integer.toHexString(r.site());
  }

  /**
   * Before a loop over {@code var} (its body {@code body}, its values {@code first} (null for 0) up to
   * {@code first + count}), draws each run of random numbers along it ({@link RandomRows}) into a
   * scratch row with one {@code Philox4x32.uniforms} call, or finds the row a sibling loop drew;
   * returns what the body reads instead of the draws, for its scope. {@code count} must be valid at
   * the top of the lambda: it sizes the row. Nothing is drawn where the lambda has no scratch rows.
   */
  Map<DrawSite, Drawn> drawRows(List<KStmt> body, String var, CodeBlock first, CodeBlock count, Env outside,
      CodeBlock.Builder out) {
    Map<DrawSite, Drawn> reads = new HashMap<>();
    if (outside.scratch == null) return reads;
    String range = (first == null ? "0" : first.toString()) + " + " + count;
    for (RandomRows.Draw d : RandomRows.along(body, var)) {
      if (!readsOnlyFinals(d.base(), outside)) continue;
      Code base = index(d.base(), outside, "index of random site " + d.random().site());
      Row row = new Row(d.random().site(), base.code().toString(), range);
      String array = outside.rows.get(row);
      if (array == null) {
        array = outside.scratch.take(count);
        if (array == null) continue;
        Code start = first == null ? base
            : d.base() instanceof KExpr.Const c && c.value() == 0 ? Code.of(PRIMARY, "$L", first)
            : infix("+", ADDITIVE, base, Code.of(PRIMARY, "$L", first), true);
        out.addStatement("$T.uniforms($N, $N, $L, $L, $N, 0, $L)", Philox4x32.class, seedName, stepName,
            site(d.random()), start.code(), array, count);
        outside.rows.put(row, array);
      }
      reads.put(new DrawSite(d.random().site(), d.random().index()), new Drawn(array, var, first));
    }
    return reads;
  }

  private Code unary(KExpr.Unary u, Env env) {
    Code x = expr(u.x(), env);
    DType d = u.dtype();
    var fn = u.fn();
    switch (fn) {
      case NEG -> {
        if (d == DType.BOOL) throw error("neg of bool");
        return prefix("-", x);
      }
      case NOT -> {
        if (d != DType.BOOL) throw error("not of " + d);
        return prefix("!", x);
      }
      case ABS -> {
        if (d == DType.BOOL) throw error("abs of bool");
        return Code.of(PRIMARY, "$T.abs($L)", Math.class, x.code());
      }
      case SIGN -> {
        if (d == DType.BOOL) throw error("sign of bool");
        return Code.of(PRIMARY, "$T.signum($L)", d == DType.I32 ? Integer.class : Math.class, x.code());
      }
      default -> {
        if (!d.isFloating()) throw error(fn.opName() + " of " + d);
        // f32 only: bf16 and f16 must round the interpreter's double exp to give its bits.
        if (fn == dev.adjoint.compiler.ir.Unary.Fn.EXP && d == DType.F32) {
          return Code.of(PRIMARY, "$T.exp($L)", ExpF32.class, x.code());
        }
        Code inDouble = switch (fn) {
          case EXP -> call("exp", x);
          case LOG -> call("log", x);
          case LOG1P -> call("log1p", x);
          case SQRT -> call("sqrt", x);
          case SIN -> call("sin", x);
          case COS -> call("cos", x);
          case TANH -> call("tanh", x);
          case RSQRT -> Code.of(MULTIPLICATIVE, "1.0 / $L", call("sqrt", x).code());
          case ERF -> Code.of(PRIMARY, "$T.erf($L)", SpecialFunctions.class, x.code());
          default -> throw new AssertionError(fn);
        };
        return narrow(inDouble, d);
      }
    }
  }

  private static Code call(String method, Code x) {
    return Code.of(PRIMARY, "$T.$L($L)", Math.class, method, x.code());
  }

  private Code binary(KExpr.Binary b, Env env) {
    DType t = b.a().dtype();
    if (t != b.b().dtype()) throw error(b.fn().opName() + " of " + t + " and " + b.b().dtype());
    Code x = expr(b.a(), env);
    Code y = expr(b.b(), env);
    Fn fn = b.fn();
    if (fn.isComparison()) {
      if (t == DType.BOOL && fn != Fn.EQ && fn != Fn.NE) throw error(fn.opName() + " of bool");
      return infix(operator(fn), level(CFamilyOps.level(fn)), x, y, CFamilyOps.chains(fn));
    }
    if (fn.isLogical()) {
      if (t != DType.BOOL) throw error(fn.opName() + " of " + t);
      return infix(CFamilyOps.infix(fn), level(CFamilyOps.level(fn)), x, y, CFamilyOps.chains(fn));
    }
    if (t == DType.BOOL) throw error(fn.opName() + " of bool");
    return switch (fn) {
      case ADD, SUB -> {
        // x + (-2) reads as x - 2, and is the same operation: IEEE subtraction adds the negation.
        if (b.b() instanceof KExpr.Const c && negativeLiteral(t, c.value())) {
          Code flipped = literal(t, -roundConst(t, c.value()));
          yield roundHalf(infix(fn == Fn.ADD ? "-" : "+", ADDITIVE, x, flipped, true), t);
        }
        yield roundHalf(infix(operator(fn), ADDITIVE, x, y, true), t);
      }
      case MUL -> roundHalf(infix(operator(fn), MULTIPLICATIVE, x, y, true), t);
      case DIV -> {
        if (t == DType.I32) {
          yield plainIntegerDivision(b, env) ? infix(operator(fn), MULTIPLICATIVE, x, y, true)
              : Code.of(PRIMARY, "$T.floorDiv($L, $L)", Math.class, x.code(), y.code());
        }
        yield roundHalf(infix(operator(fn), MULTIPLICATIVE, x, y, true), t);
      }
      case MOD -> {
        if (t == DType.I32) {
          yield plainIntegerDivision(b, env) ? infix(operator(fn), MULTIPLICATIVE, x, y, true)
              : Code.of(PRIMARY, "$T.floorMod($L, $L)", Math.class, x.code(), y.code());
        }
        yield narrow(Code.of(PRIMARY, "$T.floorMod($L, $L)", KernelMath.class, x.code(),
            y.code()), t);
      }
      case POW -> t == DType.I32
          ? Code.of(PRIMARY, "$T.intPow($L, $L)", KernelMath.class, x.code(), y.code())
          : narrow(Code.of(PRIMARY, "$T.pow($L, $L)", Math.class, x.code(), y.code()), t);
      // The larger or smaller operand is one of them, already of the type: nothing to round.
      case MAX -> Code.of(PRIMARY, "$T.max($L, $L)", Math.class, x.code(), y.code());
      case MIN -> Code.of(PRIMARY, "$T.min($L, $L)", Math.class, x.code(), y.code());
      default -> throw new AssertionError(fn);
    };
  }

  /** A literal whose sign bit is set and whose negation is a literal of the type too. */
  private static boolean negativeLiteral(DType t, double value) {
    double v = roundConst(t, value);
    if (Double.isNaN(v) || Double.doubleToRawLongBits(v) >= 0) return false;
    return t != DType.I32 || v != Integer.MIN_VALUE;
  }

  /** Integer {@code /} and {@code %} are the floor operations when neither operand can be negative. */
  private boolean plainIntegerDivision(KExpr.Binary b, Env env) {
    boolean zeroDivisor = b.b() instanceof KExpr.Const c && c.value() == 0;
    return !zeroDivisor && nonNegative(b.a(), env) && nonNegative(b.b(), env);
  }

  private boolean nonNegative(KExpr e, Env env) {
    return switch (e) {
      case KExpr.Const c -> c.dtype() == DType.I32 && roundConst(DType.I32, c.value()) >= 0;
      case KExpr.Size s -> SizeTerms.of(s.dim()).nonNegative();
      case KExpr.Var v -> {
        Binding b = env.scalars.get(v.name());
        yield b != null && b.nonNegative();
      }
      case KExpr.Binary b -> switch (b.fn()) {
        case ADD, MUL, DIV, MOD, MIN -> b.a().dtype() == DType.I32 && nonNegative(b.a(), env) && nonNegative(b.b(), env);
        case MAX -> b.a().dtype() == DType.I32 && (nonNegative(b.a(), env) || nonNegative(b.b(), env));
        default -> false;
      };
      default -> false;
    };
  }

  private static String operator(Fn fn) {
    String symbol = CFamilyOps.infix(fn);
    if (symbol == null || fn == Fn.AND || fn == Fn.OR) throw new AssertionError(fn);
    return symbol;
  }


  /**
   * {@code x op y}. A left-associative operator takes a left operand of its own precedence
   * unparenthesised ({@code a - b - c}); the right operand always needs a tighter one, so
   * {@code a - (b - c)} and {@code a + (b + c)} (not associative in floating point) keep theirs.
   */
  private static Code infix(String op, int precedence, Code x, Code y, boolean chains) {
    int min = chains ? precedence : precedence + 1;
    CodeBlock left = operand(x, min);
    // x * (-2.0) and x - (-y): a minus right after an arithmetic operator reads as a typo.
    boolean arithmetic = precedence == ADDITIVE || precedence == MULTIPLICATIVE;
    CodeBlock right = y.leadingMinus() && arithmetic ? parenthesized(y) : operand(y, precedence + 1);
    return new Code(CodeBlock.of("$L $L $L", left, op, right), precedence, x.leadingMinus() && x.precedence() >= min);
  }

  private static Code prefix(String op, Code x) {
    CodeBlock inner = x.leadingMinus() || x.precedence() < UNARY ? parenthesized(x) : x.code();
    return new Code(CodeBlock.of("$L$L", op, inner), UNARY, op.equals("-"));
  }

  private static Code cast(TypeName type, Code x) {
    CodeBlock inner = x.leadingMinus() || x.precedence() < UNARY ? parenthesized(x) : x.code();
    return new Code(CodeBlock.of("($T) $L", type, inner), UNARY, false);
  }

  private static CodeBlock operand(Code x, int min) {
    return x.precedence() < min ? parenthesized(x) : x.code();
  }

  private static CodeBlock parenthesized(Code x) {
    return CodeBlock.of("($L)", x.code());
  }

  /** A double-valued expression rounded to {@code d}, the interpreter's rounding after each operation. */
  private static Code narrow(Code inDouble, DType d) {
    return switch (d) {
      case F64 -> inDouble;
      case F32 -> cast(TypeName.FLOAT, inDouble);
      case F16 -> Code.of(PRIMARY, "$T.f16($L)", KernelMath.class, inDouble.code());
      case BF16 -> Code.of(PRIMARY, "$T.bf16($L)", KernelMath.class, inDouble.code());
      case I32 -> cast(TypeName.INT, cast(TypeName.LONG, inDouble));
      case BOOL -> infix("!=", EQUALITY, inDouble, Code.of(PRIMARY, "0.0"), false);
    };
  }

  /**
   * Float arithmetic on bf16 or f16 values, rounded to the half type: the float result is the
   * exact result rounded to float, as the interpreter's double result rounded to float is.
   */
  private static Code roundHalf(Code floatResult, DType d) {
    return d == DType.F16 || d == DType.BF16 ? narrow(floatResult, d) : floatResult;
  }

  private static Code toDouble(Code x, DType from) {
    return switch (from) {
      case F64 -> x;
      case BOOL -> Code.of(TERNARY, "$L ? 1.0 : 0.0", operand(x, OR));
      default -> x;
    };
  }

  /** {@code x} of type {@code from} converted to {@code to} as the interpreter rounds. */
  private static Code convert(Code x, DType from, DType to) {
    if (from == to) return x;
    if (from == DType.BOOL) {
      return switch (to) {
        case F64 -> Code.of(TERNARY, "$L ? 1.0 : 0.0", operand(x, OR));
        case I32 -> Code.of(TERNARY, "$L ? 1 : 0", operand(x, OR));
        default -> Code.of(TERNARY, "$L ? 1.0f : 0.0f", operand(x, OR));
      };
    }
    return switch (to) {
      case F64 -> cast(TypeName.DOUBLE, x);
      // bf16 and f16 values are floats already: widening is exact.
      case F32 -> from == DType.F64 || from == DType.I32 ? cast(TypeName.FLOAT, x) : x;
      case F16, BF16 -> narrow(x, to);
      case I32 -> cast(TypeName.INT, cast(TypeName.LONG, x));
      case BOOL -> infix("!=", EQUALITY, x, Code.of(PRIMARY, from == DType.I32 ? "0" : "0.0f"), false);
    };
  }

  private Code size(KExpr.Size s) {
    SizeTerms terms = SizeTerms.of(s.dim());
    if (terms.terms().isEmpty()) return Code.of(PRIMARY, "0");
    CodeBlock.Builder out = CodeBlock.builder();
    boolean first = true;
    boolean leadingMinus = false;
    int precedence = terms.terms().size() > 1 ? ADDITIVE : PRIMARY;
    for (SizeTerms.Term t : terms.terms()) {
      long c = t.coefficient();
      if (first) {
        if (c < 0) {
          out.add("-");
          leadingMinus = true;
          precedence = Math.min(precedence, UNARY);
        }
      } else {
        out.add(c < 0 ? " - " : " + ");
      }
      first = false;
      List<CodeBlock> factors = new ArrayList<>();
      long abs = Math.abs(c);
      if (abs != 1 || t.symbols().isEmpty()) factors.add(CodeBlock.of("$L", abs));
      for (String symbol : t.symbols()) {
        String name = sizeNames.get(symbol);
        if (name == null) throw error("size " + symbol + " is not a size of the program");
        usedSizes.add(symbol);
        factors.add(CodeBlock.of("$N", name));
      }
      if (factors.size() > 1) precedence = Math.min(precedence, MULTIPLICATIVE);
      out.add(CodeBlock.join(factors, " * "));
    }
    return new Code(out.build(), precedence, leadingMinus);
  }

  private static double roundConst(DType dtype, double v) {
    return switch (dtype) {
      case F64 -> v;
      case F32 -> (float) v;
      case F16 -> KernelMath.f16(v);
      case BF16 -> KernelMath.bf16(v);
      case I32 -> Double.isNaN(v) ? 0 : (double) (int) (long) v;
      case BOOL -> v != 0 ? 1 : 0;
    };
  }

  /** A literal of the dtype, with the value the interpreter gives the constant. */
  static Code literal(DType dtype, double value) {
    double v = roundConst(dtype, value);
    return switch (dtype) {
      case BOOL -> Code.of(PRIMARY, v != 0 ? "true" : "false");
      case I32 -> number(Integer.toString((int) v));
      case F64 -> Double.isNaN(v) ? Code.of(PRIMARY, "$T.NaN", Double.class)
          : Double.isInfinite(v) ? Code.of(PRIMARY, "$T.$L", Double.class, v > 0 ? "POSITIVE_INFINITY" : "NEGATIVE_INFINITY")
          : number(Double.toString(v));
      case F32, F16, BF16 -> Double.isNaN(v) ? Code.of(PRIMARY, "$T.NaN", Float.class)
          : Double.isInfinite(v) ? Code.of(PRIMARY, "$T.$L", Float.class, v > 0 ? "POSITIVE_INFINITY" : "NEGATIVE_INFINITY")
          : number(Float.toString((float) v) + "f");
    };
  }

  private static Code number(String text) {
    boolean negative = text.startsWith("-");
    return new Code(CodeBlock.of("$L", text), negative ? UNARY : PRIMARY, negative);
  }

  private static String zero(DType dtype) {
    return switch (dtype) {
      case F64 -> "0.0";
      case I32 -> "0";
      case BOOL -> "false";
      default -> "0.0f";
    };
  }

  /** The Java element type of a dtype: bf16 and f16 values live in floats. */
  static TypeName javaType(DType dtype) {
    return switch (dtype) {
      case F32, F16, BF16 -> TypeName.FLOAT;
      case F64 -> TypeName.DOUBLE;
      case I32 -> TypeName.INT;
      case BOOL -> TypeName.BOOLEAN;
    };
  }
}
