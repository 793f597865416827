package dev.adjoint.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.frontend.ParamSpec;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.Buffers;
import dev.adjoint.runtime.exec.RunContext;
import dev.adjoint.runtime.exec.Sizes;
import dev.adjoint.runtime.exec.ThreadPool;
import dev.adjoint.runtime.exec.Workspace;
import dev.adjoint.runtime.exec.WorkspacePool;
import dev.adjoint.runtime.model.Arguments;
import dev.adjoint.runtime.model.ModelParam;
import dev.adjoint.runtime.model.ModelParams;
import dev.adjoint.runtime.model.TensorArrays;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Modifier;

/**
 * Prints one typed, documented Java class per model of a program (and one for its top-level
 * functions): a method per entry point taking one {@link Tensor} per argument, a
 * {@code valueAndGrad} method returning the results and the gradient of every param and floating
 * argument, the params (initialised from a seed as the compiler does, typed accessors, by name,
 * {@code .safetensors} load and save) and a thread-count setting.
 *
 * <p>The class needs only the runtime: the kernels of every entry and of its gradient are nested
 * classes of it ({@code ForwardKernels}, {@code ForwardGradientKernels}), and each method sizes
 * the buffers of its program from the run-time sizes it reads off the arguments' shapes, writing
 * temporaries and results into arrays the instance keeps between calls ({@link WorkspacePool}).
 * Identifiers come from {@link JavaNames} and every user name in a string is an ASCII literal, so
 * no name in the program can inject code; the text depends only on the program.
 */
public final class ModelGenerator {
  private static final ClassName LIST = ClassName.get(List.class);
  private static final ClassName MAP = ClassName.get(Map.class);
  private static final TypeName TENSOR = ClassName.get(Tensor.class);
  private static final TypeName TENSOR_LIST = ParameterizedTypeName.get(LIST, TENSOR);
  private static final TypeName TENSOR_MAP = ParameterizedTypeName.get(MAP, ClassName.get(String.class), TENSOR);

  /** Names of the class's own members, never given to anything derived from the program. */
  private static final List<String> FIXED_MEMBERS = List.of("PARAMS", "params", "seed", "step", "setStep", "pool",
      "param", "setParam",
      "loadParams", "saveParams", "load", "threads", "setThreads", "context", "releaseWorkspaces", "equals",
      "hashCode", "toString",
      "getClass", "notify", "notifyAll", "wait", "clone", "finalize");

  /** Javadoc is wrapped at this width, so that members of nested classes stay within 100 columns. */
  private static final int DOC_WIDTH = 92;

  private ModelGenerator() {}

  /** Javadoc text from a JavaPoet format, wrapped at {@link #DOC_WIDTH} (lines in {@code <pre>} are kept). */
  private static CodeBlock doc(String format, Object... args) {
    String text = CodeBlock.of(format, args).toString();
    StringBuilder out = new StringBuilder();
    boolean pre = false;
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("<pre>")) pre = true;
      if (line.startsWith("</pre>")) pre = false;
      String indent = line.startsWith("@") ? "    " : "";
      while (!pre && line.length() > DOC_WIDTH) {
        int cut = line.lastIndexOf(' ', DOC_WIDTH);
        if (cut <= indent.length()) break;
        out.append(line, 0, cut).append('\n');
        line = indent + line.substring(cut + 1);
      }
      out.append(line).append('\n');
    }
    out.setLength(out.length() - 1);
    return CodeBlock.of("$L", out);
  }

  /**
   * The model classes of a compiled program, in the order its models are declared, then the class
   * of its top-level functions, at the element types of {@code options} ({@code --dtype}), and in
   * training mode if {@code options} say so: dropout active, its masks keyed by the seed and the
   * step the instance is given.
   *
   * @param packageName a Java package name ({@code ""} for the unnamed package)
   * @throws IllegalArgumentException if the package name is not a Java package name, or a param's
   *     shape depends on a run-time size
   */
  public static List<JavaFile> generate(Compilation compilation, String packageName, RunOptions options) {
    return generate(compilation, packageName, options, CpuTarget.forJava());
  }

  /**
   * As {@link #generate(Compilation, String, RunOptions)}, with every product scheduled for
   * {@code target} (by default the CPU this JVM runs on, or the preset {@code -Dadjoint.cpu} names).
   */
  public static List<JavaFile> generate(Compilation compilation, String packageName, RunOptions options,
      CpuTarget target) {
    Objects.requireNonNull(packageName, "packageName");
    Objects.requireNonNull(target, "target");
    if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
      throw new IllegalArgumentException("not a Java package name: '" + packageName + "'");
    }
    List<ModelPlan> plans = ModelPlan.of(compilation, options);
    JavaNames.Scope classNames = new JavaNames.Scope();
    List<JavaFile> files = new ArrayList<>();
    for (ModelPlan plan : plans) {
      String className = classNames.claim(JavaNames.typeIdentifier(plan.name(), "Model"));
      TypeSpec type = new Printer(plan, packageName, className, options.training(), target).type();
      files.add(JavaFile.builder(packageName, type).skipJavaLangImports(true).indent("  ").build());
    }
    return List.copyOf(files);
  }

  /** Prints one class. */
  private static final class Printer {
    private final ModelPlan plan;
    private final String className;
    private final ClassName self;
    private final JavaNames.Scope members = new JavaNames.Scope();
    private final JavaNames.Scope types = new JavaNames.Scope();
    private final Map<String, Integer> paramIndex = new LinkedHashMap<>();
    private final TypeSpec.Builder type;
    private final boolean training;
    private final CpuTarget target;
    /** The field holding the workspaces of each entry and gradient method, by method name. */
    private final Map<String, String> workspaceFields = new LinkedHashMap<>();

    Printer(ModelPlan plan, String packageName, String className, boolean training, CpuTarget target) {
      this.plan = plan;
      this.training = training;
      this.target = target;
      this.className = className;
      this.self = ClassName.get(packageName, className);
      this.type = TypeSpec.classBuilder(className).addModifiers(Modifier.PUBLIC, Modifier.FINAL);
      types.claim(className);
      for (String m : FIXED_MEMBERS) members.claim(m);
      for (int i = 0; i < plan.params().size(); i++) paramIndex.put(plan.params().get(i).name(), i);
    }

    TypeSpec type() {
      // Entry methods first, so that their names are the functions' own wherever possible.
      Map<ModelPlan.Entry, String> entryMethods = new LinkedHashMap<>();
      for (ModelPlan.Entry e : plan.entries()) entryMethods.put(e, members.claim(JavaNames.identifier(e.function(), "entry")));
      ModelPlan.Entry objective = plan.trainingEntry().orElse(null);
      Map<ModelPlan.Entry, String> gradientMethods = new LinkedHashMap<>();
      for (ModelPlan.Entry e : plan.entries()) {
        if (e.gradient().isEmpty()) continue;
        String preferred = e == objective ? "valueAndGrad" : JavaNames.identifier(e.function(), "entry") + "ValueAndGrad";
        gradientMethods.put(e, members.claim(preferred));
      }
      List<String> getters = new ArrayList<>();
      List<String> setters = new ArrayList<>();
      for (ParamSpec p : plan.params()) {
        String getter = members.claim(JavaNames.identifier(p.name(), "param"));
        getters.add(getter);
        setters.add(members.claim("set" + Character.toUpperCase(getter.charAt(0)) + getter.substring(1)));
      }

      for (String method : entryMethods.values()) workspaceFields.put(method, members.claim(method + "Workspaces"));
      for (String method : gradientMethods.values()) workspaceFields.put(method, members.claim(method + "Workspaces"));

      boolean hasParams = !plan.params().isEmpty();
      type.addJavadoc(doc("$L", classJavadoc(entryMethods, gradientMethods)));
      if (hasParams) {
        type.addField(paramsConstant());
        type.addField(FieldSpec.builder(ModelParams.class, "params", Modifier.PRIVATE, Modifier.FINAL).build());
      }
      type.addField(FieldSpec.builder(TypeName.LONG, "seed", Modifier.PRIVATE, Modifier.FINAL).build());
      if (training) type.addField(FieldSpec.builder(TypeName.INT, "step", Modifier.PRIVATE, Modifier.VOLATILE).build());
      type.addField(FieldSpec.builder(ThreadPool.class, "pool", Modifier.PRIVATE, Modifier.VOLATILE)
          .initializer("$T.inline()", ThreadPool.class).build());
      for (ModelPlan.Entry e : plan.entries()) addWorkspaceField(entryMethods.get(e), e.forward());
      for (var g : gradientMethods.entrySet()) addWorkspaceField(g.getValue(), g.getKey().gradient().orElseThrow());
      addConstructors(hasParams);
      List<TypeSpec> kernelTypes = new ArrayList<>();
      List<KernelProgram> programs = new ArrayList<>();
      for (ModelPlan.Entry e : plan.entries()) programs.add(e.forward());
      for (ModelPlan.Entry e : gradientMethods.keySet()) programs.add(e.gradient().orElseThrow());
      SharedRoutines shared = SharedRoutines.of(programs);
      for (ModelPlan.Entry e : plan.entries()) {
        String kernels = types.claim(JavaNames.typeIdentifier(e.function(), "Entry") + "Kernels");
        type.addMethod(entryMethod(e, entryMethods.get(e), kernels));
        kernelTypes.add(JavaGenerator.kernelsType(e.forward(), kernels, true, Instrumentation.NONE, target, shared));
      }
      List<TypeSpec> resultTypes = new ArrayList<>();
      for (var g : gradientMethods.entrySet()) {
        ModelPlan.Entry e = g.getKey();
        String result = types.claim(Character.toUpperCase(g.getValue().charAt(0)) + g.getValue().substring(1));
        String kernels = types.claim(JavaNames.typeIdentifier(e.function(), "Entry") + "GradientKernels");
        type.addMethod(gradientMethod(e, g.getValue(), result, kernels));
        resultTypes.add(resultType(e, result, g.getValue()));
        kernelTypes.add(JavaGenerator.kernelsType(e.gradient().orElseThrow(), kernels, true, Instrumentation.NONE, target,
            shared));
      }
      if (hasParams) addParamMethods(getters, setters);
      addThreadMethods();
      addReleaseWorkspaces();
      resultTypes.forEach(type::addType);
      kernelTypes.forEach(type::addType);
      return type.build();
    }

    // ---- the class's documentation and fixed members

    private String classJavadoc(Map<ModelPlan.Entry, String> entryMethods, Map<ModelPlan.Entry, String> gradientMethods) {
      StringBuilder out = new StringBuilder();
      out.append(plan.isModel() ? "The model {@code " + JavaNames.commentText(plan.name()) + "} of {@code "
          : "The top-level functions of {@code ").append(JavaNames.commentText(plan.file()))
          .append("}, compiled by Adjoint. Generated code: do not edit.\n\n");
      out.append("<p>Entry points:\n<ul>\n");
      for (var e : entryMethods.entrySet()) {
        out.append("  <li>{@link #").append(e.getValue()).append("}: {@code ")
            .append(JavaNames.commentText(signature(e.getKey()))).append("}");
        String grad = gradientMethods.get(e.getKey());
        if (grad != null) out.append("; its gradients: {@link #").append(grad).append("}");
        out.append("\n");
      }
      out.append("</ul>\n");
      if (!plan.params().isEmpty()) {
        out.append("\n<p>Params, initialised from the seed given to the constructor as {@code adjoint eval --seed} "
            + "initialises them, or loaded with {@link #load}:\n<pre>\n");
        int width = plan.params().stream().mapToInt(p -> JavaNames.commentText(p.name()).length()).max().orElse(1);
        for (ParamSpec p : plan.params()) {
          out.append(String.format(Locale.ROOT, "  %-" + width + "s  %-14s  %s\n", JavaNames.commentText(p.name()),
              JavaNames.commentText(p.type().toString()), JavaNames.commentText(initializerText(p))));
        }
        out.append("</pre>\n");
      }
      out.append("\n<p>Run-time sizes are read from the arguments' shapes. ").append(training
          ? "Runs are in training mode: dropout is active, its masks drawn from Philox keyed by the seed, the step "
              + "({@link #setStep}) and each dropout's call site, as every backend draws them. "
          : "Runs are in evaluation mode (dropout is the identity). ")
          .append("An instance may run on several threads at once; a param set while a run is under way is seen by "
              + "later runs.\n")
          .append("\n<p>Memory: a call writes its temporaries and results into arrays the instance keeps for later "
              + "calls of the same sizes, rather than allocating and zeroing new ones every time; calls under way "
              + "at once each use arrays of their own. The instance retains them (for each method, as many sets as "
              + "calls were under way at once, up to one per processor) until {@link #releaseWorkspaces}.\n");
      return out.toString();
    }

    private static String initializerText(ParamSpec p) {
      if (p.arguments().isEmpty()) return p.initializer() + "()";
      StringBuilder args = new StringBuilder();
      for (double a : p.arguments()) args.append(args.length() == 0 ? "" : ", ").append(a);
      return p.initializer() + "(" + args + ")";
    }

    private String signature(ModelPlan.Entry e) {
      StringBuilder out = new StringBuilder(e.entry()).append("(");
      List<Node> args = e.graph().arguments();
      for (int i = 0; i < args.size(); i++) {
        out.append(i == 0 ? "" : ", ").append(Graph.paramName(args.get(i))).append(": ").append(args.get(i).type());
      }
      out.append(") -> ");
      List<Node> outs = e.graph().outputs();
      if (outs.size() == 1) {
        out.append(outs.get(0).type());
      } else {
        out.append("(");
        for (int i = 0; i < outs.size(); i++) out.append(i == 0 ? "" : ", ").append(outs.get(i).type());
        out.append(")");
      }
      return out.toString();
    }

    private FieldSpec paramsConstant() {
      CodeBlock.Builder list = CodeBlock.builder();
      if (plan.params().isEmpty()) {
        list.add("$T.of()", List.class);
      } else {
        list.add("$T.of(\n$>$>", List.class);
        for (int i = 0; i < plan.params().size(); i++) {
          ParamSpec p = plan.params().get(i);
          List<CodeBlock> dims = new ArrayList<>();
          for (Dim d : p.type().shape().dims()) dims.add(CodeBlock.of("$L", d.constant()));
          List<CodeBlock> args = new ArrayList<>();
          for (double a : p.arguments()) args.add(CodeBlock.of("$L", doubleLiteral(a)));
          list.add("new $T($L, $T.$L, $T.of($L), $L, $T.of($L))$L", ModelParam.class, JavaNames.literal(p.name()),
              DType.class, p.type().dtype().name(), List.class, CodeBlock.join(dims, ", "),
              JavaNames.literal(p.initializer()), List.class, CodeBlock.join(args, ", "),
              i + 1 < plan.params().size() ? ",\n" : ")");
        }
        list.add("$<$<");
      }
      return FieldSpec.builder(ParameterizedTypeName.get(LIST, ClassName.get(ModelParam.class)), "PARAMS",
              Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
          .addJavadoc(doc("The params, in the model's order: full name, type and initializer.\n"))
          .initializer(list.build())
          .build();
    }

    private static String doubleLiteral(double v) {
      if (Double.isNaN(v)) return "Double.NaN";
      if (Double.isInfinite(v)) return v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
      return Double.toString(v);
    }

    private void addConstructors(boolean hasParams) {
      MethodSpec.Builder seeded = MethodSpec.constructorBuilder()
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc(hasParams
              ? "A model whose params are drawn from {@code seed} as {@code adjoint eval --seed} draws them. The seed "
                  + "also keys the random streams of the program, if it has any.\n"
              : "Functions whose random streams, if the program has any, are keyed by {@code seed}.\n"))
          .addParameter(TypeName.LONG, "seed");
      if (hasParams) seeded.addStatement("this.params = $T.initialized(PARAMS, seed)", ModelParams.class);
      type.addMethod(seeded.addStatement("this.seed = seed").build());
      type.addMethod(MethodSpec.constructorBuilder()
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("As {@code new $L(0)}: seed 0, the default of {@code adjoint eval}.\n", className))
          .addStatement("this(0)")
          .build());
      if (!hasParams) return;
      type.addMethod(MethodSpec.methodBuilder("load")
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc(doc("A model with the params of a {@code .safetensors} file (as {@link #saveParams} writes, or "
              + "{@code adjoint eval} and {@code adjoint train} write), which must hold every param and nothing else.\n\n"
              + "@throws IllegalArgumentException naming a param that is missing, unknown, or of the wrong shape\n"
              + "@throws dev.adjoint.runtime.io.ArrayFileException if the file is not a valid safetensors file\n"
              + "@throws java.io.UncheckedIOException if it cannot be read\n"))
          .addParameter(Path.class, "file")
          .returns(self)
          .addStatement("$T model = new $T(0)", self, self)
          .addStatement("model.loadParams(file)")
          .addStatement("return model")
          .build());
    }

    private void addParamMethods(List<String> getters, List<String> setters) {
      type.addMethod(MethodSpec.methodBuilder("params")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("Every param by full name, in the model's order: a snapshot.\n"))
          .returns(TENSOR_MAP)
          .addStatement("return params.asMap()")
          .build());
      type.addMethod(MethodSpec.methodBuilder("param")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("The param named {@code name} ({@code $L}, ...).\n\n@throws IllegalArgumentException if there is "
              + "none\n", JavaNames.commentText(plan.params().get(0).name())))
          .addParameter(String.class, "name")
          .returns(TENSOR)
          .addStatement("return params.get(name)")
          .build());
      type.addMethod(MethodSpec.methodBuilder("setParam")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("Replaces the param named {@code name}.\n\n@throws IllegalArgumentException if there is none, or "
              + "{@code value} is not of its element type and shape\n"))
          .addParameter(String.class, "name")
          .addParameter(TENSOR, "value")
          .addStatement("params.set(name, value)")
          .build());
      for (int i = 0; i < plan.params().size(); i++) {
        ParamSpec p = plan.params().get(i);
        String what = "{@code " + JavaNames.commentText(p.name()) + "}, {@code " + JavaNames.commentText(p.type().toString())
            + "}";
        type.addMethod(MethodSpec.methodBuilder(getters.get(i))
            .addModifiers(Modifier.PUBLIC)
            .addJavadoc(doc("The param $L.\n", what))
            .returns(TENSOR)
            .addStatement("return params.get($L)", i)
            .build());
        type.addMethod(MethodSpec.methodBuilder(setters.get(i))
            .addModifiers(Modifier.PUBLIC)
            .addJavadoc(doc("Replaces the param $L.\n\n@throws IllegalArgumentException if {@code value} is not of its type\n",
                what))
            .addParameter(TENSOR, "value")
            .addStatement("params.set($L, value)", i)
            .build());
      }
      type.addMethod(MethodSpec.methodBuilder("loadParams")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("Replaces every param with those of a {@code .safetensors} file, as {@link #load}; nothing changes if "
              + "one is bad.\n"))
          .addParameter(Path.class, "file")
          .addStatement("params.load(file)")
          .build());
      type.addMethod(MethodSpec.methodBuilder("saveParams")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("Writes every param to a {@code .safetensors} file, replacing it all at once.\n"))
          .addParameter(Path.class, "file")
          .addStatement("params.save(file)")
          .build());
    }

    private void addThreadMethods() {
      type.addMethod(MethodSpec.methodBuilder("threads")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("How many threads a run splits its parallel loops across (1, the caller's, unless set).\n"))
          .returns(TypeName.INT)
          .addStatement("return pool.threads()")
          .build());
      type.addMethod(MethodSpec.methodBuilder("setThreads")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("Splits the parallel loops of later runs across {@code threads} threads (the caller's and a pool "
              + "shared with every model asking for as many); results do not depend on it.\n\n"
              + "@throws IllegalArgumentException if {@code threads < 1}\n"))
          .addParameter(TypeName.INT, "threads")
          .addStatement("this.pool = $T.shared(threads)", ThreadPool.class)
          .build());
      type.addMethod(MethodSpec.methodBuilder("context")
          .addModifiers(Modifier.PRIVATE)
          .returns(RunContext.class)
          .addStatement(training ? "return new $T(seed, step, pool)" : "return new $T(seed, 0, pool)", RunContext.class)
          .build());
      if (!training) return;
      type.addMethod(MethodSpec.methodBuilder("step")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("The training step that keys the dropout masks of later runs (0 unless set).\n"))
          .returns(TypeName.INT)
          .addStatement("return step")
          .build());
      type.addMethod(MethodSpec.methodBuilder("setStep")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("Keys the dropout masks of later runs by {@code step}, with the seed: each step of a training "
              + "loop draws new masks, and a step run again draws the same ones.\n"))
          .addParameter(TypeName.INT, "step")
          .addStatement("this.step = step")
          .build());
    }

    // ---- the arrays calls write

    private void addWorkspaceField(String method, KernelProgram program) {
      type.addField(FieldSpec.builder(WorkspacePool.class, workspaceFields.get(method), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc(doc("The arrays {@link #$L} writes, kept between calls.\n", method))
          .initializer("new $T($L)", WorkspacePool.class, WorkspaceLayout.of(program).arrays())
          .build());
    }

    private void addReleaseWorkspaces() {
      MethodSpec.Builder release = MethodSpec.methodBuilder("releaseWorkspaces")
          .addModifiers(Modifier.PUBLIC)
          .addJavadoc(doc("Lets go of the arrays kept for later calls (a call under way lets go of its own when it "
              + "ends); the next calls allocate them again.\n"));
      for (String field : workspaceFields.values()) release.addStatement("$N.release()", field);
      type.addMethod(release.build());
    }

    // ---- entry points

    /** The locals of one method: arguments, sizes, arrays; never a member's or a type's name. */
    private JavaNames.Scope methodScope() {
      JavaNames.Scope scope = new JavaNames.Scope();
      for (String m : FIXED_MEMBERS) scope.claim(m);
      for (String field : workspaceFields.values()) scope.claim(field);
      scope.claim(className);
      return scope;
    }

    /** What the prologue of an entry method bound: the Java name of every argument and size. */
    private record Prologue(Map<Node, String> arguments, Map<String, String> sizes, List<String> givenSizes) {}

    private Prologue prologue(ModelPlan.Entry e, KernelProgram program, JavaNames.Scope scope, MethodSpec.Builder method,
        CodeBlock.Builder body) {
      Map<Node, String> args = new LinkedHashMap<>();
      for (Node a : e.graph().arguments()) args.put(a, scope.claim(JavaNames.identifier(Graph.paramName(a), "argument")));
      Map<String, String> sizes = new LinkedHashMap<>();
      Map<String, String> origins = new LinkedHashMap<>();
      for (Node a : e.graph().arguments()) {
        TensorType t = a.type();
        method.addParameter(TENSOR, args.get(a));
        method.addJavadoc(doc("@param $N {@code $L}: {@code $L}\n", args.get(a), JavaNames.commentText(Graph.paramName(a)),
            JavaNames.commentText(t.toString())));
        body.addStatement("$T.check($L, $N, $T.$L, $L, $L)", Arguments.class, JavaNames.literal(Graph.paramName(a)),
            args.get(a), DType.class, t.dtype().name(), t.rank(), JavaNames.literal(t.toString()));
      }
      // Sizes an axis holds by itself are read off the first argument that has them.
      for (Node a : e.graph().arguments()) {
        List<Dim> dims = a.type().shape().dims();
        for (int axis = 0; axis < dims.size(); axis++) {
          String symbol = singleSymbol(dims.get(axis));
          if (symbol == null || sizes.containsKey(symbol)) continue;
          String local = scope.claim(JavaNames.sizeIdentifier(symbol));
          sizes.put(symbol, local);
          origins.put(symbol, "argument '" + Graph.paramName(a) + "' axis " + axis);
          body.addStatement("final int $N = $N.dim($L)", local, args.get(a), axis);
        }
      }
      // Sizes no argument fixes are the caller's to give.
      List<String> given = new ArrayList<>();
      for (String symbol : symbols(e, program)) {
        if (sizes.containsKey(symbol)) continue;
        String parameter = scope.claim(JavaNames.sizeIdentifier(symbol));
        method.addParameter(TypeName.INT, parameter);
        method.addJavadoc(doc("@param $N the size {@code $L}, which no argument fixes\n", parameter,
            JavaNames.commentText(symbol)));
        body.addStatement("$T.size($L, $N)", Arguments.class, JavaNames.literal(symbol), parameter);
        sizes.put(symbol, parameter);
        given.add(symbol);
      }
      for (Node a : e.graph().arguments()) {
        List<Dim> dims = a.type().shape().dims();
        for (int axis = 0; axis < dims.size(); axis++) {
          Dim d = dims.get(axis);
          String symbol = singleSymbol(d);
          if (symbol != null && origins.get(symbol).equals("argument '" + Graph.paramName(a) + "' axis " + axis)) continue;
          String origin = symbol != null ? origins.getOrDefault(symbol, "") : "";
          body.addStatement("$T.checkAxis($L, $N, $L, $L, $L, $L)", Arguments.class,
              JavaNames.literal(Graph.paramName(a)), args.get(a), axis, longValue(d, sizes), JavaNames.literal(d.toString()),
              JavaNames.literal(origin));
        }
      }
      return new Prologue(args, sizes, given);
    }

    private static String singleSymbol(Dim d) {
      List<String> symbols = d.symbols();
      return symbols.size() == 1 && d.equals(Dim.symbol(symbols.get(0))) ? symbols.get(0) : null;
    }

    /** Every size symbol the entry's arguments and programs use, sorted. */
    private static Set<String> symbols(ModelPlan.Entry e, KernelProgram program) {
      Set<String> out = new TreeSet<>();
      for (Node a : e.graph().arguments()) for (Dim d : a.type().shape().dims()) out.addAll(d.symbols());
      for (Buffer b : JavaGenerator.slots(program)) for (Dim d : b.type().shape().dims()) out.addAll(d.symbols());
      return out;
    }

    private MethodSpec entryMethod(ModelPlan.Entry e, String name, String kernels) {
      JavaNames.Scope scope = methodScope();
      MethodSpec.Builder method = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC);
      method.addJavadoc(doc("Runs {@code $L}$L.\n\n", JavaNames.commentText(e.entry()), location(e)));
      CodeBlock.Builder body = CodeBlock.builder();
      Prologue prologue = prologue(e, e.forward(), scope, method, body);
      List<Node> outs = e.graph().outputs();
      String workspace = takeWorkspace(name, scope, body);
      Map<Buffer, String> arrays = run(e.forward(), kernels, workspace, prologue, scope, body, outs.size(), List.of());
      List<Buffer> outputs = e.forward().outputs();
      String value = scope.claim(outs.size() == 1 ? "value" : "values");
      if (outs.size() == 1) {
        method.returns(TENSOR);
        method.addJavadoc(doc("@return {@code $L}\n", JavaNames.commentText(outs.get(0).type().toString())));
        body.addStatement("final $T $N = $L", TENSOR, value, tensor(outputs.get(0), arrays.get(outputs.get(0)), prologue));
      } else {
        method.returns(TENSOR_LIST);
        method.addJavadoc(doc("@return the results, in order: {@code $L}\n", JavaNames.commentText(
            String.join(", ", outs.stream().map(o -> o.type().toString()).toList()))));
        List<CodeBlock> results = new ArrayList<>();
        for (Buffer b : outputs) results.add(tensor(b, arrays.get(b), prologue));
        body.addStatement("final $T $N = $T.of(\n$L)", TENSOR_LIST, value, List.class, CodeBlock.join(results, ",\n"));
      }
      giveWorkspace(name, workspace, body);
      body.addStatement("return $N", value);
      if (!e.graph().arguments().isEmpty()) {
        method.addJavadoc(doc("@throws IllegalArgumentException if an argument is null, or not of its declared element "
            + "type and shape\n"));
      }
      return method.addCode(body.build()).build();
    }

    private MethodSpec gradientMethod(ModelPlan.Entry e, String name, String result, String kernels) {
      KernelProgram program = e.gradient().orElseThrow();
      JavaNames.Scope scope = methodScope();
      scope.claim(result);
      MethodSpec.Builder method = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC)
          .returns(self.nestedClass(result));
      method.addJavadoc(doc("Runs {@code $L}$L and its gradient: the derivative of $L with respect to every param and "
          + "every floating-point argument.\n\n", JavaNames.commentText(e.entry()), location(e),
          e.graph().outputs().size() == 1 && e.graph().outputs().get(0).type().rank() == 0 ? "its result"
              : "the sum of its results' elements"));
      CodeBlock.Builder body = CodeBlock.builder();
      Prologue prologue = prologue(e, program, scope, method, body);
      int n = e.graph().outputs().size();
      List<String> wrt = wrtNames(e.graph());
      String workspace = takeWorkspace(name, scope, body);
      Map<Buffer, String> arrays = run(program, kernels, workspace, prologue, scope, body, n, wrt);
      List<Buffer> outputs = program.outputs();
      List<CodeBlock> values = new ArrayList<>();
      for (int i = 0; i < n; i++) values.add(tensor(outputs.get(i), arrays.get(outputs.get(i)), prologue));
      String gradients = scope.claim("gradients");
      body.addStatement("final $T $N = new $T<>()", TENSOR_MAP, gradients, LinkedHashMap.class);
      for (int i = 0; i < wrt.size(); i++) {
        Buffer b = outputs.get(n + i);
        body.addStatement("$N.put($L, $L)", gradients, JavaNames.literal(wrt.get(i)), tensor(b, arrays.get(b), prologue));
      }
      String value = scope.claim(n == 1 ? "value" : "values");
      body.addStatement("final $T $N = $L", n == 1 ? TENSOR : TENSOR_LIST, value,
          n == 1 ? values.get(0) : CodeBlock.of("$T.of(\n$L)", List.class, CodeBlock.join(values, ",\n")));
      giveWorkspace(name, workspace, body);
      body.addStatement("return new $N($N, $N)", result, value, gradients);
      method.addJavadoc(doc("@return the $L and the gradients\n", n == 1 ? "result" : "results"));
      if (!e.graph().arguments().isEmpty()) {
        method.addJavadoc(doc("@throws IllegalArgumentException if an argument is null, or not of its declared element "
            + "type and shape\n"));
      }
      return method.addCode(body.build()).build();
    }

    /** The floating-point arguments, then the params: the gradient program's results after the entry's own. */
    private static List<String> wrtNames(Graph graph) {
      List<String> out = new ArrayList<>();
      for (Node a : graph.arguments()) if (a.type().dtype().isFloating()) out.add(Graph.paramName(a));
      for (Node p : graph.params()) out.add(Graph.paramName(p));
      return out;
    }

    private static String location(ModelPlan.Entry e) {
      if (e.span().file().length() == 0) return "";
      String path = e.span().file().path();
      String file = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
      return " ({@code " + JavaNames.commentText(file + ":" + e.span().line()) + "})";
    }

    /** Takes a workspace for a call of {@code method}, into a local whose name it returns. */
    private String takeWorkspace(String method, JavaNames.Scope scope, CodeBlock.Builder body) {
      String workspace = scope.claim("workspace");
      body.add("// Temporaries and results go into arrays kept from an earlier call, not new zeroed ones: the\n"
          + "// kernels write every element before they read it.\n");
      body.addStatement("final $T $N = $N.take()", Workspace.class, workspace, workspaceFields.get(method));
      return workspace;
    }

    /** Gives the workspace of a call of {@code method} back, its results copied out. */
    private void giveWorkspace(String method, String workspace, CodeBlock.Builder body) {
      body.add("// Only once the results are copied out; a call that throws drops its workspace, which a\n"
          + "// kernel thread may still be writing.\n");
      body.addStatement("$N.give($N)", workspaceFields.get(method), workspace);
    }

    /**
     * Takes the program's results from the workspace, runs its kernels over the argument and param
     * arrays and the workspace's temporaries, and returns the local holding each result's array.
     */
    private Map<Buffer, String> run(KernelProgram program, String kernels, String workspace, Prologue prologue,
        JavaNames.Scope scope, CodeBlock.Builder body, int results, List<String> wrt) {
      Set<Buffer> written = new LinkedHashSet<>();
      for (var k : program.kernels()) written.addAll(k.writes());
      Map<String, Node> argumentByName = new LinkedHashMap<>();
      prologue.arguments().keySet().forEach(a -> argumentByName.put(Graph.paramName(a), a));
      Map<Buffer, String> arrays = new LinkedHashMap<>();
      List<Buffer> slotted = JavaGenerator.slots(program);
      WorkspaceLayout layout = WorkspaceLayout.of(program);
      List<Buffer> outputs = program.outputs();
      if (outputs.size() != results + wrt.size()) {
        throw new IllegalArgumentException("program " + program.name() + " has " + outputs.size() + " results, expected "
            + results + " and " + wrt.size() + " gradients");
      }
      for (int i = 0; i < outputs.size(); i++) {
        Buffer b = outputs.get(i);
        if (arrays.containsKey(b)) continue;
        String preferred = i >= results ? "grad " + wrt.get(i - results) : results == 1 ? "result" : "result " + i;
        String local = scope.claim(JavaNames.identifier(preferred, "result"));
        arrays.put(b, local);
        TypeName javaType = ArrayTypeName.of(JavaExpressions.javaType(b.type().dtype()));
        if (b.role() == Buffer.Role.ARGUMENT || b.role() == Buffer.Role.PARAM) {
          body.addStatement("final $T $N = ($T) $L", javaType, local, javaType,
              inputArray(b, argumentByName, prologue, true, workspace, layout.arrayOf(b)));
        } else {
          body.addStatement("final $T $N = $L", javaType, local, workspaceArray(workspace, layout.arrayOf(b), b, prologue));
        }
      }
      List<CodeBlock> slots = new ArrayList<>();
      for (int slot = 0; slot < slotted.size(); slot++) {
        Buffer b = slotted.get(slot);
        if (arrays.containsKey(b)) {
          slots.add(CodeBlock.of("$N", arrays.get(b)));
        } else if (b.role() == Buffer.Role.ARGUMENT || b.role() == Buffer.Role.PARAM) {
          slots.add(inputArray(b, argumentByName, prologue, written.contains(b), workspace, layout.arrayOf(b)));
        } else {
          slots.add(workspaceArray(workspace, layout.arrayOf(b), b, prologue));
        }
      }
      List<CodeBlock> sizes = new ArrayList<>();
      for (var s : new java.util.TreeMap<>(prologue.sizes()).entrySet()) {
        sizes.add(CodeBlock.of("$L, (long) $N", JavaNames.literal(s.getKey()), s.getValue()));
      }
      CodeBlock sizeMap = sizes.isEmpty() ? CodeBlock.of("$T.none()", Sizes.class)
          : sizes.size() <= 10 ? CodeBlock.of("$T.of($T.of($L))", Sizes.class, Map.class, CodeBlock.join(sizes, ", "))
          : CodeBlock.of("$T.of($T.ofEntries($L))", Sizes.class, Map.class, CodeBlock.join(
              prologue.sizes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                  .map(s -> CodeBlock.of("$T.entry($L, (long) $N)", Map.class, JavaNames.literal(s.getKey()), s.getValue()))
                  .toList(), ", "));
      body.add("new $N().run($T.of(\n$>$>", kernels, Buffers.class);
      for (int i = 0; i < slots.size(); i++) body.add("$L$L\n", slots.get(i), i + 1 < slots.size() ? "," : "),");
      if (slots.isEmpty()) body.add("),\n");
      body.add("$L, context());\n$<$<", sizeMap);
      return arrays;
    }

    /**
     * The array of an argument or param buffer: the tensor's own when kernels only read it, else
     * (written, or of bf16 or f16 elements, which are widened) a copy in the workspace's array.
     */
    private CodeBlock inputArray(Buffer b, Map<String, Node> arguments, Prologue prologue, boolean copy,
        String workspace, int array) {
      CodeBlock tensor;
      if (b.role() == Buffer.Role.ARGUMENT) {
        Node a = arguments.get(b.name());
        if (a == null) throw new IllegalArgumentException("program argument '" + b.name() + "' is not an argument of the entry");
        tensor = CodeBlock.of("$N", prologue.arguments().get(a));
      } else {
        Integer i = paramIndex.get(b.name());
        if (i == null) throw new IllegalArgumentException("program param '" + b.name() + "' is not a param of the model");
        tensor = CodeBlock.of("params.get($L)", i);
      }
      if (!copy && TensorArrays.sharesArray(b.type().dtype())) {
        return CodeBlock.of("$T.toArray($L, false)", TensorArrays.class, tensor);
      }
      return CodeBlock.of("$T.copyInto($L, $L)", TensorArrays.class, tensor, workspaceArray(workspace, array, b, prologue));
    }

    /** {@code workspace.f32(5, n)}: the workspace's array {@code array} ({@link WorkspaceLayout}) for a buffer. */
    private CodeBlock workspaceArray(String workspace, int array, Buffer b, Prologue prologue) {
      String accessor = switch (b.type().dtype()) {
        case F32, F16, BF16 -> "f32";
        case F64 -> "f64";
        case I32 -> "i32";
        case BOOL -> "bool";
      };
      return CodeBlock.of("$N.$L($L, $L)", workspace, accessor, array, elements(b, prologue));
    }

    private CodeBlock elements(Buffer b, Prologue prologue) {
      List<CodeBlock> dims = new ArrayList<>();
      for (Dim d : b.type().shape().dims()) dims.add(intValue(d, prologue.sizes()));
      if (dims.isEmpty()) return CodeBlock.of("1");
      if (dims.size() == 1) return dims.get(0);
      return CodeBlock.of("$T.elements($L, $L)", Arguments.class, JavaNames.literal(b.name()), CodeBlock.join(dims, ", "));
    }

    private CodeBlock tensor(Buffer b, String array, Prologue prologue) {
      List<CodeBlock> dims = new ArrayList<>();
      for (Dim d : b.type().shape().dims()) dims.add(intValue(d, prologue.sizes()));
      CodeBlock shape = dims.isEmpty() ? CodeBlock.of("new int[0]") : CodeBlock.of("new int[] {$L}", CodeBlock.join(dims, ", "));
      return CodeBlock.of("$T.toTensor($T.$L, $L, $N)", TensorArrays.class, DType.class, b.type().dtype().name(), shape,
          array);
    }

    /** A size as an int expression: a literal, a size's local, or checked arithmetic over them. */
    private static CodeBlock intValue(Dim d, Map<String, String> sizes) {
      if (d.isConstant()) return CodeBlock.of("$L", d.constant());
      String symbol = singleSymbol(d);
      if (symbol != null) return CodeBlock.of("$N", sizes.get(symbol));
      return CodeBlock.of("$T.size($L, $L)", Arguments.class, JavaNames.literal(d.toString()), longValue(d, sizes));
    }

    /** A size as long arithmetic over the sizes' locals ({@code 2L * T - 1}), so that it cannot overflow. */
    private static CodeBlock longValue(Dim d, Map<String, String> sizes) {
      if (d.isConstant()) return CodeBlock.of("$L", d.constant());
      String symbol = singleSymbol(d);
      if (symbol != null) return CodeBlock.of("$N", sizes.get(symbol));
      SizeTerms terms = SizeTerms.of(d);
      CodeBlock.Builder out = CodeBlock.builder();
      boolean first = true;
      for (SizeTerms.Term t : terms.terms()) {
        long c = t.coefficient();
        if (!first) out.add(c < 0 ? " - " : " + ");
        else if (c < 0) out.add("-");
        long magnitude = Math.abs(c);
        List<CodeBlock> factors = new ArrayList<>();
        if (magnitude != 1 || t.symbols().isEmpty()) factors.add(CodeBlock.of("$LL", magnitude));
        for (String s : t.symbols()) factors.add(CodeBlock.of("$N", sizes.get(s)));
        if (magnitude == 1 && !t.symbols().isEmpty()) factors.set(0, CodeBlock.of("(long) $L", factors.get(0)));
        out.add(CodeBlock.join(factors, " * "));
        first = false;
      }
      return out.build();
    }

    // ---- the result of valueAndGrad

    private TypeSpec resultType(ModelPlan.Entry e, String name, String method) {
      int n = e.graph().outputs().size();
      TypeName valueType = n == 1 ? TENSOR : TENSOR_LIST;
      String valueName = n == 1 ? "value" : "values";
      JavaNames.Scope names = new JavaNames.Scope();
      for (String m : List.of("value", "values", "gradients", "gradient", "equals", "hashCode", "toString", "getClass",
          "notify", "notifyAll", "wait", "clone", "finalize")) {
        names.claim(m);
      }
      TypeSpec.Builder result = TypeSpec.classBuilder(name)
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
          .addJavadoc(doc("What {@link #$L} returns: the $L of {@code $L} and the gradient of every param and floating-point "
              + "argument.\n", method, n == 1 ? "result" : "results", JavaNames.commentText(e.entry())))
          .addField(valueType, valueName, Modifier.PRIVATE, Modifier.FINAL)
          .addField(TENSOR_MAP, "gradients", Modifier.PRIVATE, Modifier.FINAL)
          .addMethod(MethodSpec.constructorBuilder()
              .addModifiers(Modifier.PRIVATE)
              .addParameter(valueType, valueName)
              .addParameter(TENSOR_MAP, "gradients")
              .addStatement("this.$N = $N", valueName, valueName)
              .addStatement("this.gradients = $T.unmodifiableMap(gradients)", Collections.class)
              .build())
          .addMethod(MethodSpec.methodBuilder(valueName)
              .addModifiers(Modifier.PUBLIC)
              .addJavadoc(doc(n == 1 ? "The result, {@code $L}.\n" : "The results: {@code $L}.\n", JavaNames.commentText(
                  String.join(", ", e.graph().outputs().stream().map(o -> o.type().toString()).toList()))))
              .returns(valueType)
              .addStatement("return $N", valueName)
              .build())
          .addMethod(MethodSpec.methodBuilder("gradients")
              .addModifiers(Modifier.PUBLIC)
              .addJavadoc(doc("Every gradient by name: the floating-point arguments', then the params' (by full name).\n"))
              .returns(TENSOR_MAP)
              .addStatement("return gradients")
              .build())
          .addMethod(MethodSpec.methodBuilder("gradient")
              .addModifiers(Modifier.PUBLIC)
              .addJavadoc(doc("The gradient with respect to the argument or param {@code name}.\n\n"
                  + "@throws IllegalArgumentException if there is none of that name\n"))
              .addParameter(String.class, "name")
              .returns(TENSOR)
              .addStatement("final $T gradient = gradients.get(name)", TENSOR)
              .beginControlFlow("if (gradient == null)")
              .addStatement("throw new $T(\n$S + name + $S + gradients.keySet())", IllegalArgumentException.class,
                  "no gradient of '", "' among ")
              .endControlFlow()
              .addStatement("return gradient")
              .build());
      for (String wrt : wrtNames(e.graph())) {
        String accessor = names.claim(JavaNames.identifier(wrt, "gradient"));
        Node node = findWrt(e.graph(), wrt);
        result.addMethod(MethodSpec.methodBuilder(accessor)
            .addModifiers(Modifier.PUBLIC)
            .addJavadoc(doc("The gradient with respect to {@code $L}, {@code $L}.\n", JavaNames.commentText(wrt),
                JavaNames.commentText(node.type().toString())))
            .returns(TENSOR)
            .addStatement("return gradients.get($L)", JavaNames.literal(wrt))
            .build());
      }
      return result.build();
    }

    private static Node findWrt(Graph graph, String name) {
      for (Node a : graph.arguments()) if (Graph.paramName(a).equals(name)) return a;
      for (Node p : graph.params()) if (Graph.paramName(p).equals(name)) return p;
      throw new IllegalStateException("no argument or param " + name);
    }
  }
}
