package dev.adjoint.cli;

import dev.adjoint.compiler.InputException;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.runtime.io.ArrayFileException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns failures into messages and exit codes: program and input errors are the user's (exit 1,
 * no stack trace); anything else is a compiler bug, reported as such.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    switch (e) {
      case CompileException c -> err.print(c.diagnostics().render());
      case InputException i -> err.println("error: " + i.getMessage());
      case dev.adjoint.compiler.interp.EvaluationException x -> err.println("error: " + x.getMessage());
      case dev.adjoint.compiler.autodiff.GradientException g -> err.println("error: " + g.getMessage());
      case ArrayFileException a -> err.println("error: " + a.getMessage());
      case dev.adjoint.train.DataException d -> err.println("error: " + d.getMessage());
      case dev.adjoint.train.CheckpointException k -> err.println("error: " + k.getMessage());
      case UserError u -> err.println("error: " + u.getMessage());
      case dev.adjoint.runtime.cuda.CudaUnavailableException c -> err.println("error: " + c.getMessage());
      case dev.adjoint.runtime.cuda.CudaException c -> err.println("error: " + c.getMessage());
      case dev.adjoint.runtime.exec.NonFiniteValueException n -> err.println("error: " + n.getMessage());
      case IllegalArgumentException i -> err.println("error: " + i.getMessage());
      case ArithmeticException a -> err.println("error: " + a.getMessage());
      // Reading and writing files: the runtime's messages start with the quoted file name.
      case java.io.UncheckedIOException u -> err.println("error: " + u.getMessage());
      default -> {
        err.println("adjoint: internal error: " + e);
        if (System.getenv("ADJOINT_DEBUG") != null) e.printStackTrace(err);
        else err.println("(set ADJOINT_DEBUG=1 for the stack trace, and please report it)");
        err.flush();
        return 70;
      }
    }
    err.flush();
    return 1;
  }
}
