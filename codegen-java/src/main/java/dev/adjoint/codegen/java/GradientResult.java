package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.ModelClass.TENSOR;
import static dev.adjoint.codegen.java.ModelClass.TENSOR_LIST;
import static dev.adjoint.codegen.java.ModelClass.TENSOR_MAP;
import static dev.adjoint.codegen.java.ModelClass.doc;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import java.util.Collections;
import java.util.List;
import javax.lang.model.element.Modifier;

/** Prints what a gradient method returns: a nested class holding the results and the gradients. */
final class GradientResult {
  private GradientResult() {}

  /**
   * The class {@code name} that {@code method}, the gradient method of {@code e}, returns: the
   * results, every gradient by name, and an accessor per gradient.
   */
  static TypeSpec of(ModelPlan.Entry e, String name, String method) {
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
    for (String wrt : EntryMethods.wrtNames(e.graph())) {
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
