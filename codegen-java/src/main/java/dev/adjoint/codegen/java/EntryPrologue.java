package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.ModelClass.TENSOR;
import static dev.adjoint.codegen.java.ModelClass.doc;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.model.Arguments;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the prologue of an entry or gradient method bound: the Java name of every argument and
 * size. {@link #print} prints the prologue: a parameter per argument, each checked against its
 * declared element type and shape, the sizes read off the arguments' axes, and a parameter for
 * each size no argument fixes.
 *
 * @param arguments each argument's parameter, by the graph's argument node
 * @param sizes each size symbol's local or parameter
 * @param givenSizes the sizes the caller gives as parameters, in order
 */
record EntryPrologue(Map<Node, String> arguments, Map<String, String> sizes, List<String> givenSizes) {
  /**
   * Prints the prologue of the method of entry {@code e} that runs {@code program}: its parameters
   * into {@code method}, its checks and size locals into {@code body}, its names claimed in {@code scope}.
   */
  static EntryPrologue print(ModelPlan.Entry e, KernelProgram program, JavaNames.Scope scope, MethodSpec.Builder method,
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
        String symbol = SizeCode.singleSymbol(dims.get(axis));
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
        String symbol = SizeCode.singleSymbol(d);
        if (symbol != null && origins.get(symbol).equals("argument '" + Graph.paramName(a) + "' axis " + axis)) continue;
        String origin = symbol != null ? origins.getOrDefault(symbol, "") : "";
        body.addStatement("$T.checkAxis($L, $N, $L, $L, $L, $L)", Arguments.class,
            JavaNames.literal(Graph.paramName(a)), args.get(a), axis, SizeCode.longValue(d, sizes), JavaNames.literal(d.toString()),
            JavaNames.literal(origin));
      }
    }
    return new EntryPrologue(args, sizes, given);
  }

  /** Every size symbol the entry's arguments and programs use, sorted. */
  private static Set<String> symbols(ModelPlan.Entry e, KernelProgram program) {
    Set<String> out = new TreeSet<>();
    for (Node a : e.graph().arguments()) for (Dim d : a.type().shape().dims()) out.addAll(d.symbols());
    for (Buffer b : JavaGenerator.slots(program)) for (Dim d : b.type().shape().dims()) out.addAll(d.symbols());
    return out;
  }
}
