package dev.adjoint.codegen.java;

import dev.adjoint.compiler.schedule.RowSchedule;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.schedule.ContractionPattern;
import dev.adjoint.runtime.exec.RunContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import javax.lang.model.element.Modifier;

/**
 * Prints one kernel as a private static method: its buffers, sizes and (when it needs threads or
 * random numbers) the run context as parameters, a javadoc saying what it computes, the zeroing of
 * the buffers it adds into, and its body by the path its schedule chose: a contraction kernel
 * whose schedule's routine is the GEMM becomes one blocked matrix product
 * ({@link ContractionPattern}, printed by {@link BlockedProductEmitter}); any other kernel prints
 * its statements ({@link StatementPrinter}), its top-level parallel loops split across threads
 * ({@link ParallelLoops}).
 *
 * <p>The printers share one {@link KernelContext}; expressions print through
 * {@link JavaExpressions}, row-kernel calls through {@link RowKernelPrinter}.
 */
final class KernelEmitter {
  private final KernelContext context;
  private final Set<String> programNames;

  private KernelEmitter(Kernel kernel, Map<Buffer, String> bufferNames, Map<String, String> sizeNames,
      Set<String> programNames, RowSchedule rows) {
    this.context = new KernelContext(kernel, bufferNames, sizeNames, rows);
    this.programNames = programNames;
  }

  /** What the program-level code needs to call a kernel method. */
  record Emitted(MethodSpec method, List<Buffer> buffers, List<String> sizes, boolean needsContext) {}

  /**
   * Prints {@code kernel} as method {@code methodName}: its product, when its schedule runs one on
   * the GEMM, from its structured statements ({@link ContractionPattern}); anything else at loop
   * level ({@link Kernel#flatten}).
   *
   * @param bufferNames the Java name of every buffer of the program
   * @param sizeNames the Java name of every size symbol the program may use
   * @param programNames every name the program-level code uses (kept out of the kernel's locals)
   * @param gemmPlan the class's constant holding the GEMM plan the schedule chose, or null
   * @param rows what the kernel's schedule runs on row kernels ({@link RowSchedule#NONE}: nothing)
   */
  static Emitted emit(Kernel kernel, String methodName, Map<Buffer, String> bufferNames, Map<String, String> sizeNames,
      Set<String> programNames, String gemmPlan, RowSchedule rows) {
    return new KernelEmitter(kernel.flatten(), bufferNames, sizeNames, programNames, rows)
        .method(methodName, ContractionPattern.recognise(kernel), gemmPlan);
  }

  /**
   * The kernel as a method; {@code recognition} is the product its structure holds, or why it holds
   * none; {@code gemmPlan}, when not null, names the class's constant with the
   * {@link dev.adjoint.runtime.exec.gemm.GemmPlan} its schedule chose (the schedule's routine is the GEMM).
   */
  private Emitted method(String methodName, ContractionPattern.Recognition recognition, String gemmPlan) {
    Kernel kernel = context.kernel();
    JavaNames.Scope scope = new JavaNames.Scope();
    for (String n : programNames) scope.claim(n);
    String contextName = KernelContext.CONTEXT;
    Env env = new Env(scope, new HashMap<>(), new HashMap<>(), 0);

    CodeBlock.Builder body = CodeBlock.builder();
    if (context.usesRandom()) {
      context.nameRandomState(scope.claim("seed"), scope.claim("step"));
      body.addStatement("final long $N = $N.seed()", context.seedName(), contextName);
      body.addStatement("final int $N = $N.step()", context.stepName(), contextName);
    }
    JavaExpressions expressions = new JavaExpressions(context);
    StatementPrinter statements = new StatementPrinter(context, expressions);
    ParallelLoops parallel = new ParallelLoops(context, statements);
    CodeBlock.Builder code = CodeBlock.builder();
    Env top = env.child();
    if (gemmPlan != null && recognition instanceof ContractionPattern.Product p) {
      BlockedProductEmitter.emit(context, statements, p.pattern(), gemmPlan, top, code);
    } else {
      if (kernel.kind() == KernelKind.CONTRACTION && recognition instanceof ContractionPattern.NotAProduct n) {
        code.add("// Scalar loops, not a blocked matrix product: $L.\n", JavaNames.commentText(n.reason()));
      }
      for (KStmt s : kernel.body()) {
        if (s instanceof KStmt.Loop l && l.parallel()) parallel.parallelLoop(l, top, code);
        else if (s instanceof KStmt.Loop l) statements.onCallingThread(l, top, code);
        else statements.statement(s, top, code);
      }
    }
    if (!context.accumulated().isEmpty()) {
      body.add("// Zeroed first: the kernel adds into $L.\n",
          String.join(", ", context.accumulated().stream().map(context::bufferName).toList()));
      for (Buffer b : context.accumulated()) {
        body.addStatement("$T.fill($N, $L)", Arrays.class, context.bufferName(b),
            JavaExpressions.zero(b.type().dtype()));
      }
    }
    body.add(code.build());

    List<Buffer> buffers = new ArrayList<>(context.readable());
    MethodSpec.Builder m = MethodSpec.methodBuilder(methodName)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L", javadoc(kernel));
    for (Buffer b : buffers) {
      m.addParameter(ArrayTypeName.of(JavaExpressions.javaType(b.type().dtype())), context.bufferName(b));
    }
    for (String s : context.usedSizes()) m.addParameter(TypeName.INT, context.sizeName(s));
    boolean needsContext = context.needsContext();
    if (needsContext) m.addParameter(RunContext.class, contextName);
    m.addCode(body.build());
    return new Emitted(m.build(), buffers, List.copyOf(context.usedSizes()), needsContext);
  }

  private String javadoc(Kernel kernel) {
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
    for (Buffer b : buffers) out.add("{@code " + context.bufferName(b) + "}");
    return out.toString();
  }
}
