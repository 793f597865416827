package dev.adjoint.cli;

import dev.adjoint.compiler.frontend.Frontend;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
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
    subcommands = {CheckCommand.class, EvalCommand.class, DumpCommand.class, GradcheckCommand.class, StatsCommand.class, BenchCommand.class, CompileCommand.class, TrainCommand.class, TranslateCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: check, eval, dump, gradcheck, stats, bench, compile, train or translate");
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
      err.println("adjoint: " + usageMessage(e));
      err.println("Try 'adjoint " + commandName(e.getCommandLine()) + "--help' for more information.");
      return 2;
    });
    try {
      return cli.execute(args);
    } catch (StackOverflowError e) {
      // The front end turns deep nesting into a diagnostic; this is what is left for the later stages.
      err.println("error: the program nests too deeply for this stage of the compiler: split its deepest expression"
          + " with 'let', or give Java a larger stack (-Xss)");
      return 1;
    } catch (OutOfMemoryError e) {
      err.println("error: out of memory (the Java heap holds " + (Runtime.getRuntime().maxMemory() >> 20)
          + " MiB): lower --memory-budget so that the check fails before the allocation does, use smaller sizes,"
          + " or give Java more heap (-Xmx)");
      return 1;
    } finally {
      // print() does not flush an autoflush PrintWriter; dump prints its whole text with one print().
      out.flush();
      err.flush();
    }
  }

  /** picocli's message, made specific for a mistyped command or option. */
  static String usageMessage(CommandLine.ParameterException e) {
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      CommandLine cl = u.getCommandLine();
      String first = u.getUnmatched().get(0);
      if (!first.startsWith("-") && !cl.getSubcommands().isEmpty() && cl.getParent() == null) {
        List<String> commands = cl.getSubcommands().keySet().stream().filter(c -> !c.equals("help")).toList();
        return "unknown command '" + first + "'" + Frontend.suggest(first, commands) + "; the commands are "
            + String.join(", ", commands);
      }
      if (first.startsWith("-") && first.length() > 1) {
        String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
        List<String> options = cl.getCommandSpec().options().stream().flatMap(o -> Arrays.stream(o.names())).toList();
        String hint = Frontend.suggest(name, options);
        if (!hint.isEmpty()) return "Unknown option: '" + name + "'" + hint;
      }
    }
    return e.getMessage();
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
