package dev.adjoint.codegen.java;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;

/**
 * What every part of a generated model class's printing needs to know about the class: its plan,
 * its name, whether it runs in training mode, the index of each param, and the field holding the
 * workspaces of each entry and gradient method (by method name). Also the wrapping of its Javadoc
 * and the names of its fixed members, which nothing derived from the program may take.
 *
 * @param paramIndex each param's position in {@code PARAMS}, by full name
 * @param workspaceFields the field holding the workspaces of each entry and gradient method, by method
 *     name: the generator's map, filled before any method is printed
 */
record ModelClass(ModelPlan plan, String className, ClassName self, boolean training, Map<String, Integer> paramIndex,
    Map<String, String> workspaceFields) {
  static final ClassName LIST = ClassName.get(List.class);
  static final ClassName MAP = ClassName.get(Map.class);
  static final TypeName TENSOR = ClassName.get(Tensor.class);
  static final TypeName TENSOR_LIST = ParameterizedTypeName.get(LIST, TENSOR);
  static final TypeName TENSOR_MAP = ParameterizedTypeName.get(MAP, ClassName.get(String.class), TENSOR);

  /** Names of the class's own members, never given to anything derived from the program. */
  static final List<String> FIXED_MEMBERS = List.of("PARAMS", "params", "seed", "step", "setStep", "pool",
      "param", "setParam",
      "loadParams", "saveParams", "load", "threads", "setThreads", "context", "releaseWorkspaces", "equals",
      "hashCode", "toString",
      "getClass", "notify", "notifyAll", "wait", "clone", "finalize");

  /** Javadoc is wrapped at this width, so that members of nested classes stay within 100 columns. */
  private static final int DOC_WIDTH = 92;

  /** Javadoc text from a JavaPoet format, wrapped at {@link #DOC_WIDTH} (lines in {@code <pre>} are kept). */
  static CodeBlock doc(String format, Object... args) {
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

  /** The locals of one method: arguments, sizes, arrays; never a member's or a type's name. */
  JavaNames.Scope methodScope() {
    JavaNames.Scope scope = new JavaNames.Scope();
    for (String m : FIXED_MEMBERS) scope.claim(m);
    for (String field : workspaceFields.values()) scope.claim(field);
    scope.claim(className);
    return scope;
  }
}
