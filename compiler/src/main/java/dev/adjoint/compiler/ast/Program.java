package dev.adjoint.compiler.ast;

import dev.adjoint.compiler.diag.SourceFile;
import java.util.List;
import java.util.Objects;

/** The syntax tree of one source file. */
public record Program(SourceFile source, List<Decl> decls) {
  public Program {
    Objects.requireNonNull(source, "source");
    decls = List.copyOf(decls);
  }
}
