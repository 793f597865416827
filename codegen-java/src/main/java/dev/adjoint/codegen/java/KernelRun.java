package dev.adjoint.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.Buffers;
import dev.adjoint.runtime.exec.Sizes;
import dev.adjoint.runtime.model.Arguments;
import dev.adjoint.runtime.model.TensorArrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prints how an entry or gradient method runs its kernel program: the arrays of its results taken
 * from the workspace, the call of its nested kernels class over the argument, param and workspace
 * arrays and the sizes, and the results wrapped as tensors.
 */
final class KernelRun {
  private final Map<String, Integer> paramIndex;
  /** The argument tensor of each donated buffer of the method being printed: the result is that tensor. */
  private final Map<Buffer, String> donatedTensors = new HashMap<>();

  KernelRun(ModelClass model) {
    this.paramIndex = model.paramIndex();
  }

  /**
   * Takes the program's results from the workspace, runs its kernels over the argument and param
   * arrays and the workspace's temporaries, and returns the local holding each result's array.
   */
  Map<Buffer, String> run(KernelProgram program, String kernels, String workspace, EntryPrologue prologue,
      JavaNames.Scope scope, CodeBlock.Builder body, int results, List<String> wrt) {
    donatedTensors.clear();
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
        // A donated argument (written and returned) is written in its tensor's own array.
        boolean donated = b.role() == Buffer.Role.ARGUMENT && written.contains(b) && TensorArrays.sharesArray(b.type().dtype());
        if (donated) donatedTensors.put(b, prologue.arguments().get(argumentByName.get(b.name())));
        body.addStatement("final $T $N = ($T) $L", javaType, local, javaType,
            inputArray(b, argumentByName, prologue, !donated, workspace, layout.arrayOf(b)));
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
    for (var s : new TreeMap<>(prologue.sizes()).entrySet()) {
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
  private CodeBlock inputArray(Buffer b, Map<String, Node> arguments, EntryPrologue prologue, boolean copy,
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
  private CodeBlock workspaceArray(String workspace, int array, Buffer b, EntryPrologue prologue) {
    String accessor = switch (b.type().dtype()) {
      case F32, F16, BF16 -> "f32";
      case F64 -> "f64";
      case I32 -> "i32";
      case BOOL -> "bool";
    };
    return CodeBlock.of("$N.$L($L, $L)", workspace, accessor, array, elements(b, prologue));
  }

  private CodeBlock elements(Buffer b, EntryPrologue prologue) {
    List<CodeBlock> dims = new ArrayList<>();
    for (Dim d : b.type().shape().dims()) dims.add(SizeCode.intValue(d, prologue.sizes()));
    if (dims.isEmpty()) return CodeBlock.of("1");
    if (dims.size() == 1) return dims.get(0);
    return CodeBlock.of("$T.elements($L, $L)", Arguments.class, JavaNames.literal(b.name()), CodeBlock.join(dims, ", "));
  }

  /** The result buffer {@code b}, held in the local {@code array}, as a {@link dev.adjoint.runtime.Tensor} of its shape. */
  CodeBlock tensor(Buffer b, String array, EntryPrologue prologue) {
    String donated = donatedTensors.get(b);
    if (donated != null) return CodeBlock.of("$N", donated);
    List<CodeBlock> dims = new ArrayList<>();
    for (Dim d : b.type().shape().dims()) dims.add(SizeCode.intValue(d, prologue.sizes()));
    CodeBlock shape = dims.isEmpty() ? CodeBlock.of("new int[0]") : CodeBlock.of("new int[] {$L}", CodeBlock.join(dims, ", "));
    return CodeBlock.of("$T.toTensor($T.$L, $L, $N)", TensorArrays.class, DType.class, b.type().dtype().name(), shape,
        array);
  }
}
