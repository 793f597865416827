package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.ModelClass.doc;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.frontend.ParamSpec;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.compiler.target.CpuTargets;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.WorkspacePool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *
 * <p>This class names the members and puts the class together; {@link ModelMembers} prints the
 * members every model class has, {@link EntryMethods} the entry and gradient methods,
 * {@link GradientResult} what a gradient method returns, and {@link JavaGenerator} the nested
 * kernel classes.
 */
public final class ModelGenerator {
  private final ModelClass model;
  private final ModelPlan plan;
  private final JavaNames.Scope members = new JavaNames.Scope();
  private final JavaNames.Scope types = new JavaNames.Scope();
  private final TypeSpec.Builder type;
  private final CpuTargets targets;

  /**
   * The model classes of a compiled program, in the order its models are declared, then the class
   * of its top-level functions, at the element types of {@code options} ({@code --dtype}), and in
   * training mode if {@code options} say so: dropout active, its masks keyed by the seed and the
   * step the instance is given.
   *
   * <p>Every product holds the schedule's plan for the preset of each CPU family and takes the one
   * of the machine it runs on when its class loads ({@link dev.adjoint.runtime.exec.gemm.CpuFamily}):
   * the class the Maven plugin generates on one machine runs the tile that fits another's
   * registers, and its text does not depend on the machine that generated it.
   *
   * @param packageName a Java package name ({@code ""} for the unnamed package)
   * @throws IllegalArgumentException if the package name is not a Java package name, or a param's
   *     shape depends on a run-time size
   */
  public static List<JavaFile> generate(Compilation compilation, String packageName, RunOptions options) {
    return generate(compilation, packageName, options, CpuTargets.everyFamily());
  }

  /**
   * As {@link #generate(Compilation, String, RunOptions)}, with every product scheduled for
   * {@code target} alone: the class holds that target's plans wherever it runs.
   */
  public static List<JavaFile> generate(Compilation compilation, String packageName, RunOptions options,
      CpuTarget target) {
    return generate(compilation, packageName, options, CpuTargets.of(target));
  }

  private static List<JavaFile> generate(Compilation compilation, String packageName, RunOptions options,
      CpuTargets targets) {
    Objects.requireNonNull(packageName, "packageName");
    Objects.requireNonNull(targets, "targets");
    if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
      throw new IllegalArgumentException("not a Java package name: '" + packageName + "'");
    }
    List<ModelPlan> plans = ModelPlan.of(compilation, options);
    JavaNames.Scope classNames = new JavaNames.Scope();
    List<JavaFile> files = new ArrayList<>();
    for (ModelPlan plan : plans) {
      String className = classNames.claim(JavaNames.typeIdentifier(plan.name(), "Model"));
      TypeSpec type = new ModelGenerator(plan, packageName, className, options.training(), targets).type();
      files.add(JavaFile.builder(packageName, type).skipJavaLangImports(true).indent("  ").build());
    }
    return List.copyOf(files);
  }

  private ModelGenerator(ModelPlan plan, String packageName, String className, boolean training, CpuTargets targets) {
    Map<String, Integer> paramIndex = new LinkedHashMap<>();
    for (int i = 0; i < plan.params().size(); i++) paramIndex.put(plan.params().get(i).name(), i);
    this.model = new ModelClass(plan, className, ClassName.get(packageName, className), training, paramIndex,
        new LinkedHashMap<>());
    this.plan = plan;
    this.targets = targets;
    this.type = TypeSpec.classBuilder(className).addModifiers(Modifier.PUBLIC, Modifier.FINAL);
    types.claim(className);
    for (String m : ModelClass.FIXED_MEMBERS) members.claim(m);
  }

  /** The class: its members named first (entry methods before anything else), then printed in a fixed order. */
  private TypeSpec type() {
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
    Map<String, String> workspaceFields = model.workspaceFields();
    for (String method : entryMethods.values()) workspaceFields.put(method, members.claim(method + "Workspaces"));
    for (String method : gradientMethods.values()) workspaceFields.put(method, members.claim(method + "Workspaces"));

    ModelMembers fixed = new ModelMembers(model, type);
    EntryMethods methods = new EntryMethods(model);
    type.addJavadoc(doc("$L", fixed.classJavadoc(entryMethods, gradientMethods)));
    fixed.addFields();
    for (ModelPlan.Entry e : plan.entries()) fixed.addWorkspaceField(entryMethods.get(e), e.forward());
    for (var g : gradientMethods.entrySet()) fixed.addWorkspaceField(g.getValue(), g.getKey().gradient().orElseThrow());
    fixed.addConstructors(!plan.params().isEmpty());
    List<TypeSpec> kernelTypes = new ArrayList<>();
    List<KernelProgram> programs = new ArrayList<>();
    for (ModelPlan.Entry e : plan.entries()) programs.add(e.forward());
    for (ModelPlan.Entry e : gradientMethods.keySet()) programs.add(e.gradient().orElseThrow());
    SharedRoutines shared = SharedRoutines.of(programs);
    for (ModelPlan.Entry e : plan.entries()) {
      String kernels = types.claim(JavaNames.typeIdentifier(e.function(), "Entry") + "Kernels");
      type.addMethod(methods.entryMethod(e, entryMethods.get(e), kernels));
      kernelTypes.add(JavaGenerator.kernelsType(e.forward(), kernels, true, Instrumentation.NONE, targets, shared));
    }
    List<TypeSpec> resultTypes = new ArrayList<>();
    for (var g : gradientMethods.entrySet()) {
      ModelPlan.Entry e = g.getKey();
      String result = types.claim(Character.toUpperCase(g.getValue().charAt(0)) + g.getValue().substring(1));
      String kernels = types.claim(JavaNames.typeIdentifier(e.function(), "Entry") + "GradientKernels");
      type.addMethod(methods.gradientMethod(e, g.getValue(), result, kernels));
      resultTypes.add(GradientResult.of(e, result, g.getValue()));
      kernelTypes.add(JavaGenerator.kernelsType(e.gradient().orElseThrow(), kernels, true, Instrumentation.NONE, targets,
          shared));
    }
    if (!plan.params().isEmpty()) fixed.addParamMethods(getters, setters);
    fixed.addThreadMethods();
    fixed.addReleaseWorkspaces();
    resultTypes.forEach(type::addType);
    kernelTypes.forEach(type::addType);
    return type.build();
  }
}
