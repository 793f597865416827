package dev.adjoint.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.schedule.Schedule;
import dev.adjoint.compiler.schedule.Scheduler;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.compiler.target.CpuTargets;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.Buffers;
import dev.adjoint.runtime.exec.CompiledKernels;
import dev.adjoint.runtime.exec.NumericsCheck;
import dev.adjoint.runtime.exec.RunContext;
import dev.adjoint.runtime.exec.Sizes;
import dev.adjoint.runtime.exec.gemm.GemmPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Modifier;

/**
 * Prints a {@link KernelProgram} as one Java class implementing {@link CompiledKernels}: a
 * {@code run} method that takes the buffers out of their slots, reads the sizes and calls one
 * private static method per kernel, in program order.
 *
 * <pre>{@code
 * public final class IndexAttention implements CompiledKernels {
 *   public void run(Buffers buffers, Sizes sizes, RunContext context) {
 *     final int B = sizes.get("B");
 *     final float[] q = buffers.f32(0);
 *     ...
 *     k0Attention(q, k, v, out, B, T, context);
 *   }
 *
 *   private static void k0Attention(float[] q, ..., int B, int T, RunContext context) { ... }
 * }
 * }</pre>
 *
 * <p>Buffers take the slots of {@link #slots}: arguments, params, outputs, temporaries, in the
 * program's order. Every identifier is derived from the program's names by {@link JavaNames}, so
 * hostile names cannot inject code, and the text depends only on the program: generating twice
 * gives the same bytes.
 */
public final class JavaGenerator {
  private JavaGenerator() {}

  /**
   * The buffer of each slot of {@link Buffers}: the program's arguments, params, outputs and
   * temporaries in that order, then any other buffer a kernel reads or writes; each buffer once.
   */
  public static List<Buffer> slots(KernelProgram program) {
    return Objects.requireNonNull(program, "program").buffers();
  }

  /**
   * The generated source of {@code program}.
   *
   * @param packageName a Java package name ({@code ""} for the unnamed package)
   * @param className a simple class name
   * @throws IllegalArgumentException if the names are not valid Java names, or the program is not
   *     well formed (an unbound variable, a load from a buffer the kernel does not list, ...)
   */
  public static JavaFile generate(KernelProgram program, String packageName, String className) {
    return generate(program, packageName, className, false);
  }

  /**
   * As {@link #generate(KernelProgram, String, String)}; with {@code checkNumerics}, {@code run}
   * checks every floating-point buffer a kernel writes as soon as the kernel returns, and stops at
   * the first NaN or infinity ({@link NumericsCheck}), naming the kernel and its source lines.
   */
  public static JavaFile generate(KernelProgram program, String packageName, String className, boolean checkNumerics) {
    return generate(program, packageName, className, new Instrumentation(checkNumerics, false));
  }

  /**
   * As {@link #generate(KernelProgram, String, String)}, with the checks and timing of
   * {@code instrumentation} between kernels.
   */
  public static JavaFile generate(KernelProgram program, String packageName, String className,
      Instrumentation instrumentation) {
    return generate(program, packageName, className, instrumentation, CpuTarget.forJava());
  }

  /**
   * As {@link #generate(KernelProgram, String, String, Instrumentation)}, scheduled for {@code target}
   * (a preset, to run another CPU's schedule here: its tiles and blocks, the same results).
   */
  public static JavaFile generate(KernelProgram program, String packageName, String className,
      Instrumentation instrumentation, CpuTarget target) {
    return generate(program, packageName, className, instrumentation, CpuTargets.of(target));
  }

  /**
   * As {@link #generate(KernelProgram, String, String, Instrumentation)}, scheduled for each of
   * {@code targets}: for {@link CpuTargets#everyFamily()}, a class that runs each product on the
   * plan of the machine it runs on ({@link dev.adjoint.runtime.exec.gemm.CpuFamily}), wherever it
   * was generated.
   */
  public static JavaFile generate(KernelProgram program, String packageName, String className,
      Instrumentation instrumentation, CpuTargets targets) {
    Objects.requireNonNull(program, "program");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(instrumentation, "instrumentation");
    Objects.requireNonNull(packageName, "packageName");
    Objects.requireNonNull(className, "className");
    if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
      throw new IllegalArgumentException("not a Java package name: '" + packageName + "'");
    }
    if (!SourceVersion.isIdentifier(className) || SourceVersion.isKeyword(className) || JavaNames.isReserved(className)) {
      throw new IllegalArgumentException("not a usable class name: '" + className
          + "' (it must be a Java identifier, and not the name of a type the generated code uses)");
    }

    TypeSpec type = kernelsType(program, className, false, instrumentation, targets,
        SharedRoutines.of(List.of(program)));
    return JavaFile.builder(packageName, type).skipJavaLangImports(true).indent("  ").build();
  }

  /**
   * The class of {@code program}'s kernels: public and top-level, or, when {@code nested}, a
   * private static class of a model class; scheduled for {@code targets}: its products run on the
   * register tile and cache blocks that the schedule picks for the target, or for the machine's
   * family among several, held in one {@code static final} {@link GemmPlan} per distinct plan
   * ({@link GemmPlanFields}). A kernel that computes what one printed before computes (in
   * this class, or in another nested class of the same model class: {@code shared}) calls that
   * method rather than being printed again.
   */
  static TypeSpec kernelsType(KernelProgram structured, String className, boolean nested,
      Instrumentation instrumentation, CpuTargets targets, SharedRoutines shared) {
    // Kernels are scheduled and printed from their structure (KernelEmitter prints what is not a
    // product from its loops); the flattened program has the same buffers, in the same slots.
    KernelProgram program = structured.flatten();
    List<Buffer> slots = slots(program);
    JavaNames.Scope names = new JavaNames.Scope();
    names.claim(className);
    String buffersParam = names.claim("buffers");
    String sizesParam = names.claim("sizes");
    String contextParam = names.claim("context");

    Map<String, String> sizeNames = new LinkedHashMap<>();
    for (String symbol : sizeSymbols(program)) sizeNames.put(symbol, names.claim(JavaNames.sizeIdentifier(symbol)));
    Map<Buffer, String> bufferNames = new LinkedHashMap<>();
    for (Buffer b : slots) bufferNames.put(b, names.claim(JavaNames.identifier(b.name(), "buffer")));
    Set<String> programNames = new LinkedHashSet<>();
    programNames.add(className);
    programNames.add(buffersParam);
    programNames.add(sizesParam);
    programNames.add(contextParam);
    programNames.addAll(sizeNames.values());
    programNames.addAll(bufferNames.values());

    // The schedule stage: each product's GEMM plan, for each target, becomes a constant of the class.
    GemmPlanFields plans = GemmPlanFields.of(structured, targets, names);
    for (int i = 0; i < program.kernels().size(); i++) if (plans.field(i) != null) programNames.add(plans.field(i));
    // What runs on row kernels: the row rules read the structured statements, and decide alike for every
    // target (the families differ in GEMM plans only), so the first target's schedules say it.
    List<Schedule> schedules = Scheduler.schedule(structured, targets.byFamily().values().iterator().next());

    JavaNames.Scope methodNames = new JavaNames.Scope();
    for (String reserved : List.of("run", "equals", "hashCode", "toString", "getClass", "notify", "notifyAll", "wait",
        "clone", "finalize")) {
      methodNames.claim(reserved);
    }
    // Each kernel's call: its own method, printed below, or a method printed before for the same computation.
    List<KernelCall> kernels = new ArrayList<>();
    List<MethodSpec> printed = new ArrayList<>();
    Set<String> usedPlans = new LinkedHashSet<>();
    for (int i = 0; i < structured.kernels().size(); i++) {
      Kernel k = structured.kernels().get(i);
      Schedule s = schedules.get(i);
      SharedRoutines.Lookup found = shared.find(k, sizeNames, plans.numbers(i), s.rows());
      if (found.routine() != null) {
        SharedRoutines.Routine r = found.routine();
        boolean here = r.owner().equals(className);
        kernels.add(new KernelCall(here ? null : r.owner(), r.method(), found.positional(),
            k.name() + " computes what " + r.kernel() + (here ? "" : " of " + r.owner()) + " computes"));
        continue;
      }
      String plan = plans.field(i);
      if (plan != null) usedPlans.add(plan);
      String method = methodNames.claim(JavaNames.identifier(k.name(), "kernel"));
      KernelEmitter.Emitted e = KernelEmitter.emit(k, method, bufferNames, sizeNames, programNames, plan, s.rows());
      shared.printed(found, className, method, k);
      printed.add(e.method());
      kernels.add(new KernelCall(null, method, e, null));
    }

    // run(): read the sizes and buffers the kernels use, then call the kernels in order.
    Set<String> usedSizes = new TreeSet<>();
    Set<Buffer> usedBuffers = new LinkedHashSet<>();
    for (KernelCall c : kernels) {
      usedSizes.addAll(c.emitted().sizes());
      usedBuffers.addAll(c.emitted().buffers());
    }
    CodeBlock.Builder run = CodeBlock.builder();
    for (String symbol : sizeNames.keySet()) {
      if (usedSizes.contains(symbol)) run.addStatement("final int $N = $N.get($L)", sizeNames.get(symbol), sizesParam, JavaNames.literal(symbol));
    }
    for (int slot = 0; slot < slots.size(); slot++) {
      Buffer b = slots.get(slot);
      if (!usedBuffers.contains(b)) continue;
      DType dtype = b.type().dtype();
      run.addStatement("final $T $N = $N.$L($L)", ArrayTypeName.of(JavaExpressions.javaType(dtype)), bufferNames.get(b),
          buffersParam, accessor(dtype), slot);
    }
    String clock = instrumentation.timeKernels() ? names.claim("clock") : null;
    if (clock != null) {
      run.add("// Each kernel's time runs from the end of the one before it, so the parts add up to the run.\n");
      run.addStatement("long $N = $T.nanoTime()", clock, System.class);
    }
    for (int i = 0; i < kernels.size(); i++) {
      KernelCall call = kernels.get(i);
      KernelEmitter.Emitted e = call.emitted();
      List<CodeBlock> args = new ArrayList<>();
      for (Buffer b : e.buffers()) args.add(CodeBlock.of("$N", bufferNames.get(b)));
      for (String s : e.sizes()) args.add(CodeBlock.of("$N", sizeNames.get(s)));
      if (e.needsContext()) args.add(CodeBlock.of("$N", contextParam));
      if (call.note() != null) run.add("// $L\n", JavaNames.commentText(call.note()));
      if (call.owner() != null) run.addStatement("$N.$N($L)", call.owner(), call.method(), CodeBlock.join(args, ", "));
      else run.addStatement("$N($L)", call.method(), CodeBlock.join(args, ", "));
      if (clock != null) run.addStatement("$N = $N.timed($L, $N)", clock, contextParam, i, clock);
      if (instrumentation.checkNumerics()) {
        Kernel k = program.kernels().get(i);
        for (Buffer b : k.writes()) {
          if (!b.type().dtype().isFloating()) continue;
          run.addStatement("$T.check($N, $L, $L, $L)", NumericsCheck.class, bufferNames.get(b), JavaNames.literal(b.name()),
              JavaNames.literal(k.name()), JavaNames.literal(k.sourceLines()));
        }
      }
    }

    MethodSpec runMethod = MethodSpec.methodBuilder("run")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .addParameter(Buffers.class, buffersParam)
        .addParameter(Sizes.class, sizesParam)
        .addParameter(RunContext.class, contextParam)
        .addCode(run.build())
        .build();

    TypeSpec.Builder type = TypeSpec.classBuilder(className)
        .addModifiers(nested ? new Modifier[] {Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL}
            : new Modifier[] {Modifier.PUBLIC, Modifier.FINAL})
        .addSuperinterface(CompiledKernels.class)
        .addJavadoc("$L", classJavadoc(program, slots, bufferNames))
        .addFields(plans.fields(usedPlans))
        .addMethod(runMethod);
    printed.forEach(type::addMethod);
    return type.build();
  }

  /**
   * How {@code run} calls one kernel: {@code method} of this class ({@code owner} null) or of
   * nested class {@code owner}, with the buffers and sizes {@code emitted} lists; {@code note} says
   * which routine a kernel that was not printed again runs.
   */
  private record KernelCall(String owner, String method, KernelEmitter.Emitted emitted, String note) {}

  /** The simple name of a class for {@code program}: {@code grad Encoder.forward} → {@code GradEncoderForward}. */
  public static String className(KernelProgram program) {
    return JavaNames.typeIdentifier(program.name(), "Kernels");
  }

  private static String accessor(DType dtype) {
    return switch (dtype) {
      case F32, F16, BF16 -> "f32";
      case F64 -> "f64";
      case I32 -> "i32";
      case BOOL -> "bool";
    };
  }

  private static String classJavadoc(KernelProgram program, List<Buffer> slots, Map<Buffer, String> bufferNames) {
    StringBuilder out = new StringBuilder();
    out.append("The kernels of {@code ").append(JavaNames.commentText(program.name()))
        .append("}, generated by Adjoint from its kernel IR. Do not edit.\n\n");
    out.append("<p>Buffer slots (bf16 and f16 buffers hold their values in floats):\n<pre>\n");
    int width = 1;
    for (Buffer b : slots) width = Math.max(width, bufferNames.get(b).length());
    for (int slot = 0; slot < slots.size(); slot++) {
      Buffer b = slots.get(slot);
      out.append(String.format(java.util.Locale.ROOT, "  %3d  %-" + width + "s  %-9s  %s\n", slot, bufferNames.get(b),
          b.role().name().toLowerCase(java.util.Locale.ROOT), JavaNames.commentText(b.name() + " : " + b.type())));
    }
    out.append("</pre>\n");
    return out.toString();
  }

  /** Every size symbol of the program's buffers and kernels, sorted. */
  private static Set<String> sizeSymbols(KernelProgram program) {
    Set<String> symbols = new TreeSet<>();
    for (Buffer b : slots(program)) for (Dim d : b.type().shape().dims()) symbols.addAll(d.symbols());
    for (Kernel k : program.kernels()) collectSymbols(k.body(), symbols);
    return symbols;
  }

  private static void collectSymbols(List<KStmt> stmts, Set<String> out) {
    for (KStmt s : stmts) {
      switch (s) {
        case KStmt.Loop l -> {
          collectSymbols(l.extent(), out);
          collectSymbols(l.body(), out);
        }
        case KStmt.Let l -> collectSymbols(l.value(), out);
        case KStmt.Declare d -> collectSymbols(d.init(), out);
        case KStmt.Assign a -> collectSymbols(a.value(), out);
        case KStmt.DeclareArray d -> {
          collectSymbols(d.length(), out);
          collectSymbols(d.init(), out);
        }
        case KStmt.AssignElement a -> {
          collectSymbols(a.index(), out);
          collectSymbols(a.value(), out);
        }
        case KStmt.Store st -> {
          collectSymbols(st.index(), out);
          collectSymbols(st.value(), out);
        }
        case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
            + st.getClass().getSimpleName());
        case KStmt.Accumulate a -> {
          collectSymbols(a.index(), out);
          collectSymbols(a.value(), out);
        }
      }
    }
  }

  private static void collectSymbols(KExpr e, Set<String> out) {
    if (e instanceof KExpr.Size s) out.addAll(s.dim().symbols());
    for (KExpr child : e.children()) collectSymbols(child, out);
  }

}
