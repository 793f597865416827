package dev.adjoint.compiler.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Lowers structured statements to loop-level ones ({@link KStmt.Structured#expand}, all the way
 * down): the form the Java and CUDA emitters print while they still work out a kernel's structure
 * from its loops. The result performs the same operations in the same order.
 */
public final class Flatten {
  private Flatten() {}

  /** {@code program} with every kernel flattened. */
  public static KernelProgram program(KernelProgram program) {
    List<Kernel> kernels = new ArrayList<>();
    for (Kernel k : program.kernels()) kernels.add(kernel(k));
    return new KernelProgram(program.name(), program.arguments(), program.params(), program.outputs(),
        program.temporaries(), kernels);
  }

  /** {@code kernel} with a loop-level body; its name and kind stay those of its structure. */
  public static Kernel kernel(Kernel kernel) {
    return new Kernel(kernel.name(), kernel.kind(), kernel.reads(), kernel.writes(), statements(kernel.body()),
        kernel.origins(), kernel.fusedNodes());
  }

  /** Loop-level statements doing what {@code statements} do. */
  public static List<KStmt> statements(List<KStmt> statements) {
    List<KStmt> out = new ArrayList<>();
    for (KStmt s : statements) {
      switch (s) {
        case KStmt.Loop l -> out.add(new KStmt.Loop(l.var(), l.extent(), l.parallel(), statements(l.body())));
        case KStmt.Structured st -> out.addAll(statements(st.expand()));
        default -> out.add(s);
      }
    }
    return out;
  }

  /** Whether {@code statements} hold a structured statement anywhere. */
  public static boolean isStructured(List<KStmt> statements) {
    for (KStmt s : statements) {
      if (s instanceof KStmt.Structured) return true;
      if (s instanceof KStmt.Loop l && isStructured(l.body())) return true;
    }
    return false;
  }
}
