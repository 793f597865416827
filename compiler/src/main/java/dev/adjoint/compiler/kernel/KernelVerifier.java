package dev.adjoint.compiler.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a kernel program's invariants: buffer ids are unique, each listed buffer has the role of
 * its list (a result returned unchanged, or written over a donated argument, is its argument or param), every buffer a kernel reads is an argument, a param, or written by that kernel or an
 * earlier one, and every result and temporary is written. Run after every kernel stage in tests.
 */
public final class KernelVerifier {
  private KernelVerifier() {}

  /** The problems found, empty when the program is well formed. */
  public static List<String> check(KernelProgram program) {
    List<String> problems = new ArrayList<>();
    Map<Integer, Buffer> byId = new HashMap<>();
    for (Buffer b : program.buffers()) {
      Buffer other = byId.putIfAbsent(b.id(), b);
      if (other != null) problems.add("buffers " + other + " and " + b + " share id " + b.id());
    }
    roles(program.arguments(), Buffer.Role.ARGUMENT, "argument", problems);
    roles(program.params(), Buffer.Role.PARAM, "param", problems);
    for (Buffer b : program.outputs()) {
      // A result returned unchanged is its argument's or param's buffer.
      boolean passed = b.role() == Buffer.Role.ARGUMENT && program.arguments().contains(b)
          || b.role() == Buffer.Role.PARAM && program.params().contains(b);
      if (b.role() != Buffer.Role.OUTPUT && !passed) problems.add("result " + b + " has role " + b.role());
    }
    roles(program.temporaries(), Buffer.Role.TEMPORARY, "temporary", problems);
    Set<Buffer> available = new HashSet<>(program.arguments());
    available.addAll(program.params());
    Set<Buffer> written = new HashSet<>();
    for (Kernel k : program.kernels()) {
      for (Buffer b : k.reads()) {
        if (!available.contains(b) && !k.writes().contains(b)) {
          problems.add("kernel " + k.name() + " reads " + b + " before any kernel writes it");
        }
      }
      for (Buffer b : k.writes()) {
        // A donated argument is written in place and returned: it is also a result.
        boolean donated = b.role() == Buffer.Role.ARGUMENT && program.outputs().contains(b);
        if ((b.role() == Buffer.Role.ARGUMENT || b.role() == Buffer.Role.PARAM) && !donated) {
          problems.add("kernel " + k.name() + " writes " + b.role().name().toLowerCase() + " " + b);
        }
      }
      available.addAll(k.writes());
      written.addAll(k.writes());
    }
    for (Buffer b : program.outputs()) {
      if (b.role() == Buffer.Role.OUTPUT && !written.contains(b)) problems.add("result " + b + " is never written");
    }
    for (Buffer b : program.temporaries()) if (!written.contains(b)) problems.add("temporary " + b + " is never written");
    return problems;
  }

  public static void verify(KernelProgram program) {
    List<String> problems = check(program);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("malformed kernel program " + program.name() + ":\n  " + String.join("\n  ", problems));
    }
  }

  private static void roles(List<Buffer> buffers, Buffer.Role role, String what, List<String> problems) {
    for (Buffer b : buffers) if (b.role() != role) problems.add(what + " " + b + " has role " + b.role());
  }
}
