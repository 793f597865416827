package dev.adjoint.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code adjoint} command. Exit status: 0 success, 1 an error in the program or its inputs, 2
 * bad usage (CLI.md).
 */
@Command(
    name = "adjoint",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A symbolic autodiff compiler for Transformer layers.",
    subcommands = {CheckCommand.class, EvalCommand.class, DumpCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: check, eval or dump");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command with the given streams; returns the exit status (for tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new Failures());
    cli.setParameterExceptionHandler((e, a) -> {
      err.println("adjoint: " + e.getMessage());
      err.println("Try 'adjoint " + commandName(e.getCommandLine()) + "--help' for more information.");
      return 2;
    });
    return cli.execute(args);
  }

  private static String commandName(CommandLine cl) {
    String name = cl.getCommandName();
    return name.equals("adjoint") || name.equals("<main class>") ? "" : name + " ";
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"adjoint " + (v == null ? "development build" : v)};
    }
  }
}
