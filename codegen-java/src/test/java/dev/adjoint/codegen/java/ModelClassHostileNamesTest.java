package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradientRun;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A model whose every name is hostile to generated Java: keywords, the names of the class's own
 * members and of the types it uses, names with no letter, a file name that closes a comment. The
 * typed class keeps each name only sanitised, in comments or in escaped string literals, compiles
 * without a warning, and computes what the interpreter computes.
 */
class ModelClassHostileNamesTest {
  private static final String FILE = "evil */ System.exit(1); /* \u00e9\\u0022.adj";
  private static final String SOURCE = String.join("\n",
      "dim context, Tensor, Workspace",
      "model Object {",
      "  param class: f32[4] = normal(0, 1)",
      "  param params: f32[4, 4] = xavier_uniform()",
      "  param set_class: f32[4] = ones()",
      "  param forward_workspaces: f32[4] = ones()",
      "  fn forward(this: f32[context, 4], seed: f32[Tensor, 4]) -> f32 =",
      "    sum((this @ params + class) * set_class) + sum(seed * seed)",
      "  fn toString(workspace: f32[context, 4]) -> f32[context, 4] = workspace * class",
      "  fn __(x: f32[Workspace, 4], PARAMS: f32[Workspace]) -> f32[Workspace, 4] = x @ params + forward_workspaces",
      "}",
      "");

  @Test
  void hostileNamesCannotInjectCodeIntoTheTypedClass() throws Exception {
    Compilation c = Compilation.compileSource(FILE, SOURCE);
    List<JavaFile> files = ModelGenerator.generate(c, "dev.adjoint.generated.hostile", RunOptions.defaults());
    assertEquals(1, files.size());
    String source = files.get(0).toString();
    assertTrue(source.chars().allMatch(ch -> ch == '\n' || (ch >= 0x20 && ch < 0x7F)), "non-ASCII or control characters");
    String code = JavaGeneratorTest.codeOnly(source);
    for (String fragment : List.of("System.exit", "*/", "{@code")) {
      assertFalse(code.contains(fragment), () -> fragment + " outside comments and string literals");
    }
    for (String expected : List.of("public final class Object_ {", "public Tensor forward(Tensor this_, Tensor seed_2) {",
        "final int context_2 = this_.dim(0);", "final int Tensor_ = seed_2.dim(0);",
        "public Tensor toString_2(Tensor workspace) {", "public Tensor entry(Tensor x, Tensor pARAMS) {",
        "final Workspace workspace_2 = toString_2Workspaces.take();", "public Tensor forwardWorkspaces() {",
        "private final WorkspacePool forwardWorkspaces_2 = new WorkspacePool(", "final int Workspace_ = x.dim(0);",
        "public Tensor class_() {", "public void setClass_(Tensor value) {", "public Tensor params_2() {",
        "public Tensor setClass() {", "public void setSetClass(Tensor value) {",
        "Arguments.check(\"this\", this_, DType.F32, 2, \"f32[context, 4]\");",
        "final int Tensor_ = sizes.get(\"Tensor\");")) {
      assertTrue(source.contains(expected), () -> "no '" + expected + "' in\n" + source);
    }

    Class<?> type = InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(files.get(0));
    TreeSet<String> methods = new TreeSet<>();
    for (Method m : type.getDeclaredMethods()) {
      if (!m.isSynthetic() && java.lang.reflect.Modifier.isPublic(m.getModifiers())) methods.add(m.getName());
    }
    assertEquals(new TreeSet<>(List.of("class_", "entry", "forward", "load", "loadParams", "param",
        "params", "params_2", "releaseWorkspaces", "saveParams", "forwardWorkspaces", "setForwardWorkspaces", "setClass", "setClass_", "setParam", "setParams_2", "setSetClass",
        "setThreads", "threads", "toString_2", "valueAndGrad")), methods);

    Object model = type.getConstructor(long.class).newInstance(9L);
    Tensor self = Tensor.ofDoubles(DType.F32, new int[] {3, 4}, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    Tensor seed = Tensor.ofDoubles(DType.F32, new int[] {2, 4}, new double[] {0.5, -1, 2, 0, 1, 1, 1, -3});
    RunOptions options = RunOptions.defaults().withSeed(9);
    Map<String, Tensor> inputs = Map.of("this", self, "seed", seed);
    Tensor expected = c.run("Object.forward", options, inputs, Map.of()).outputs().get(0);
    ModelCalls.assertClose("forward", expected, (Tensor) ModelCalls.call(model, "forward", self, seed), 1e-5);
    GradientRun want = c.gradient("Object.forward", options, inputs, Map.of(), Optional.empty());
    Object got = ModelCalls.call(model, "valueAndGrad", self, seed);
    Map<String, Tensor> gradients = ModelCalls.gradients(got);
    assertEquals(List.copyOf(want.gradients().keySet()), List.copyOf(gradients.keySet()));
    for (var g : want.gradients().entrySet()) {
      ModelCalls.assertClose(g.getKey(), g.getValue(), gradients.get(g.getKey()), 1e-5);
    }
    assertEquals(gradients.get("class"), ModelCalls.call(got, "class_"));
    assertEquals(gradients.get("this"), ModelCalls.call(got, "this_"));
  }
}
