package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.ModelClass.LIST;
import static dev.adjoint.codegen.java.ModelClass.TENSOR;
import static dev.adjoint.codegen.java.ModelClass.TENSOR_MAP;
import static dev.adjoint.codegen.java.ModelClass.doc;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.compiler.frontend.ParamSpec;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.RunContext;
import dev.adjoint.runtime.exec.ThreadPool;
import dev.adjoint.runtime.exec.WorkspacePool;
import dev.adjoint.runtime.model.ModelParam;
import dev.adjoint.runtime.model.ModelParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Prints the members every generated model class has, whatever its entry points: its Javadoc, the
 * params ({@code PARAMS}, typed accessors, {@code .safetensors} load and save), the seed, step and
 * thread settings, the constructors, and the workspace pool of each entry and gradient method.
 */
final class ModelMembers {
  private final ModelPlan plan;
  private final String className;
  private final ClassName self;
  private final boolean training;
  private final Map<String, String> workspaceFields;
  private final TypeSpec.Builder type;

  /** Adds to {@code type}, the class {@code model} describes. */
  ModelMembers(ModelClass model, TypeSpec.Builder type) {
    this.plan = model.plan();
    this.className = model.className();
    this.self = model.self();
    this.training = model.training();
    this.workspaceFields = model.workspaceFields();
    this.type = type;
  }

  /** The fields every instance has: the params (when the model has any), the seed, the step in training, the pool. */
  void addFields() {
    if (!plan.params().isEmpty()) {
      type.addField(paramsConstant());
      type.addField(FieldSpec.builder(ModelParams.class, "params", Modifier.PRIVATE, Modifier.FINAL).build());
    }
    type.addField(FieldSpec.builder(TypeName.LONG, "seed", Modifier.PRIVATE, Modifier.FINAL).build());
    if (training) type.addField(FieldSpec.builder(TypeName.INT, "step", Modifier.PRIVATE, Modifier.VOLATILE).build());
    type.addField(FieldSpec.builder(ThreadPool.class, "pool", Modifier.PRIVATE, Modifier.VOLATILE)
        .initializer("$T.inline()", ThreadPool.class).build());
  }

  /** The class's Javadoc: what it is, its entry points, its params, its mode and how it uses memory. */
  String classJavadoc(Map<ModelPlan.Entry, String> entryMethods, Map<ModelPlan.Entry, String> gradientMethods) {
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

  void addConstructors(boolean hasParams) {
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

  void addParamMethods(List<String> getters, List<String> setters) {
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

  void addThreadMethods() {
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

  void addWorkspaceField(String method, KernelProgram program) {
    type.addField(FieldSpec.builder(WorkspacePool.class, workspaceFields.get(method), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc(doc("The arrays {@link #$L} writes, kept between calls.\n", method))
        .initializer("new $T($L)", WorkspacePool.class, WorkspaceLayout.of(program).arrays())
        .build());
  }

  void addReleaseWorkspaces() {
    MethodSpec.Builder release = MethodSpec.methodBuilder("releaseWorkspaces")
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc(doc("Lets go of the arrays kept for later calls (a call under way lets go of its own when it "
            + "ends); the next calls allocate them again.\n"));
    for (String field : workspaceFields.values()) release.addStatement("$N.release()", field);
    type.addMethod(release.build());
  }
}
