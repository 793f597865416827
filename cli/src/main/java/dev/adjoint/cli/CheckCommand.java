package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Parse and type-check a program. Prints nothing and exits 0 when it is valid; prints every "
        + "diagnostic and exits 1 when not.")
final class CheckCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.adj", description = "The program to check.")
  Path file;

  @Override
  public Integer call() {
    Compilation.compile(file);
    return 0;
  }
}
