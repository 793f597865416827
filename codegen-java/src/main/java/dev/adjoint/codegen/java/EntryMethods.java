package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.ModelClass.TENSOR;
import static dev.adjoint.codegen.java.ModelClass.TENSOR_LIST;
import static dev.adjoint.codegen.java.ModelClass.TENSOR_MAP;
import static dev.adjoint.codegen.java.ModelClass.doc;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.exec.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Prints the entry methods of a model class and their gradient methods: each checks its
 * arguments and binds the sizes ({@link EntryPrologue}), takes a workspace, runs its kernels
 * ({@link KernelRun}), and returns its results (with the gradients, for a gradient method) once
 * they are copied out of the workspace.
 */
final class EntryMethods {
  private final ModelClass model;
  private final KernelRun kernelRun;

  EntryMethods(ModelClass model) {
    this.model = model;
    this.kernelRun = new KernelRun(model);
  }

  /** The method {@code name} that runs entry {@code e} on the kernels of its nested class {@code kernels}. */
  MethodSpec entryMethod(ModelPlan.Entry e, String name, String kernels) {
    JavaNames.Scope scope = model.methodScope();
    MethodSpec.Builder method = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC);
    method.addJavadoc(doc("Runs {@code $L}$L.\n\n", JavaNames.commentText(e.entry()), location(e)));
    CodeBlock.Builder body = CodeBlock.builder();
    EntryPrologue prologue = EntryPrologue.print(e, e.forward(), scope, method, body);
    List<Node> outs = e.graph().outputs();
    String workspace = takeWorkspace(name, scope, body);
    Map<Buffer, String> arrays = kernelRun.run(e.forward(), kernels, workspace, prologue, scope, body, outs.size(),
        List.of());
    List<Buffer> outputs = e.forward().outputs();
    String value = scope.claim(outs.size() == 1 ? "value" : "values");
    if (outs.size() == 1) {
      method.returns(TENSOR);
      method.addJavadoc(doc("@return {@code $L}\n", JavaNames.commentText(outs.get(0).type().toString())));
      body.addStatement("final $T $N = $L", TENSOR, value,
          kernelRun.tensor(outputs.get(0), arrays.get(outputs.get(0)), prologue));
    } else {
      method.returns(TENSOR_LIST);
      method.addJavadoc(doc("@return the results, in order: {@code $L}\n", JavaNames.commentText(
          String.join(", ", outs.stream().map(o -> o.type().toString()).toList()))));
      List<CodeBlock> results = new ArrayList<>();
      for (Buffer b : outputs) results.add(kernelRun.tensor(b, arrays.get(b), prologue));
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

  /**
   * The method {@code name} that runs {@code e}'s gradient program on the kernels of nested class
   * {@code kernels} and returns a {@code result} ({@link GradientResult}).
   */
  MethodSpec gradientMethod(ModelPlan.Entry e, String name, String result, String kernels) {
    KernelProgram program = e.gradient().orElseThrow();
    JavaNames.Scope scope = model.methodScope();
    scope.claim(result);
    MethodSpec.Builder method = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC)
        .returns(model.self().nestedClass(result));
    method.addJavadoc(doc("Runs {@code $L}$L and its gradient: the derivative of $L with respect to every param and "
        + "every floating-point argument.\n\n", JavaNames.commentText(e.entry()), location(e),
        e.graph().outputs().size() == 1 && e.graph().outputs().get(0).type().rank() == 0 ? "its result"
            : "the sum of its results' elements"));
    CodeBlock.Builder body = CodeBlock.builder();
    EntryPrologue prologue = EntryPrologue.print(e, program, scope, method, body);
    int n = e.graph().outputs().size();
    List<String> wrt = wrtNames(e.graph());
    String workspace = takeWorkspace(name, scope, body);
    Map<Buffer, String> arrays = kernelRun.run(program, kernels, workspace, prologue, scope, body, n, wrt);
    List<Buffer> outputs = program.outputs();
    List<CodeBlock> values = new ArrayList<>();
    for (int i = 0; i < n; i++) values.add(kernelRun.tensor(outputs.get(i), arrays.get(outputs.get(i)), prologue));
    String gradients = scope.claim("gradients");
    body.addStatement("final $T $N = new $T<>()", TENSOR_MAP, gradients, LinkedHashMap.class);
    for (int i = 0; i < wrt.size(); i++) {
      Buffer b = outputs.get(n + i);
      body.addStatement("$N.put($L, $L)", gradients, JavaNames.literal(wrt.get(i)),
          kernelRun.tensor(b, arrays.get(b), prologue));
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
  static List<String> wrtNames(Graph graph) {
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
    body.addStatement("final $T $N = $N.take()", Workspace.class, workspace, model.workspaceFields().get(method));
    return workspace;
  }

  /** Gives the workspace of a call of {@code method} back, its results copied out. */
  private void giveWorkspace(String method, String workspace, CodeBlock.Builder body) {
    body.add("// Only once the results are copied out; a call that throws drops its workspace, which a\n"
        + "// kernel thread may still be writing.\n");
    body.addStatement("$N.give($N)", model.workspaceFields().get(method), workspace);
  }
}
