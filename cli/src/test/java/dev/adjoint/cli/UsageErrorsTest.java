package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.program;
import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad usage exits 2 with the problem and a pointer to the command's --help, before any work. */
class UsageErrorsTest {
  @TempDir Path dir;

  private String file;
  private String out;

  @BeforeEach
  void files() {
    file = program(dir, "neg.adj", "dim B\nfn neg(x: f32[B]) -> f32[B] = -x\n");
    out = dir.resolve("out").toString();
  }

  private static void usage(CliRunner.Result r, String problem, String command) {
    r.failsWith(2);
    assertEquals(List.of("adjoint: " + problem, "Try 'adjoint " + command + "--help' for more information."),
        r.err().lines().toList());
  }

  @Test
  void noCommand() {
    usage(run(), "missing command: check, eval, dump, gradcheck, stats, bench, compile, train or translate", "");
  }

  @Test
  void unknownCommand() {
    usage(run("evaluate", file), "unknown command 'evaluate'; the commands are check, eval, dump, gradcheck, stats, bench, compile, train, translate", "");
    usage(run("evl", file), "unknown command 'evl' (did you mean 'eval'?); the commands are check, eval, dump, gradcheck, stats, bench, compile, train, translate", "");
  }

  @Test
  void unknownOption() {
    usage(run("eval", file, "--out", out, "--bogus"), "Unknown option: '--bogus'", "eval ");
    usage(run("check", "--strict", file), "Unknown option: '--strict'", "check ");
    usage(run("eval", file, "--out", out, "--inptu", "x=x.npy"), "Unknown option: '--inptu' (did you mean '--input'?)",
        "eval ");
    usage(run("eval", file, "--out", out, "--sed=3"), "Unknown option: '--sed' (did you mean '--seed'?)", "eval ");
  }

  @Test
  void missingOut() {
    usage(run("eval", file), "Missing required option: '--out=DIR'", "eval ");
  }

  @Test
  void missingOptionValue() {
    usage(run("eval", file, "--out"), "Missing required parameter for option '--out' (DIR)", "eval ");
  }

  @Test
  void unknownStage() {
    usage(run("dump", file, "--stage", "bytecode"),
        "Invalid value for option '--stage': expected one of [ast, ir, grad, opt, fused, kernels, schedule] (case-sensitive) but was 'bytecode'", "dump ");
  }

  @Test
  void missingStage() {
    usage(run("dump", file), "Missing required option: '--stage=STAGE'", "dump ");
  }

  @Test
  void unknownFormat() {
    usage(run("dump", file, "--stage", "ir", "--format", "svg"),
        "Invalid value for option '--format': expected one of [text, dot] (case-sensitive) but was 'svg'", "dump ");
  }

  @Test
  void astHasNoDotForm() {
    usage(run("dump", file, "--stage", "ast", "--format", "dot"),
        "--stage ast has no DOT form: use --format text, or --stage ir", "dump ");
  }

  @Test
  void unknownBackend() {
    var r = run("eval", file, "--backend", "tpu", "--out", out);
    r.failsWith(2);
    assertTrue(r.err().startsWith("adjoint: Invalid value for option '--backend': expected one of ["), r.err());
    assertTrue(r.err().contains("(case-sensitive) but was 'tpu'"), r.err());
  }

  @Test
  void unknownDtype() {
    usage(run("eval", file, "--dtype", "f16", "--out", out),
        "Invalid value for option '--dtype': expected one of [f32, f64] (case-sensitive) but was 'f16'", "eval ");
    usage(run("dump", file, "--stage", "ir", "--dtype", "bf16"),
        "Invalid value for option '--dtype': expected one of [f32, f64] (case-sensitive) but was 'bf16'", "dump ");
  }

  @Test
  void seedMustBeAnInteger() {
    usage(run("eval", file, "--seed", "abc", "--out", out), "Invalid value for option '--seed': 'abc' is not a long",
        "eval ");
  }

  @Test
  void helpAndVersionExitZero() {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"eval", "--help"},
        new String[] {"dump", "--help"}, new String[] {"check", "--help"}, new String[] {"--version"})) {
      var r = run(args);
      assertEquals(0, r.status(), String.join(" ", args));
      assertEquals("", r.err());
      assertTrue(!r.out().isEmpty());
    }
    String help = run("eval", "--help").out();
    for (String option : List.of("--entry", "--input", "--param", "--params", "--seed", "--dim", "--dtype",
        "--backend", "--train", "--out")) {
      assertTrue(help.contains(option), option + " is missing from eval --help");
    }
  }
}
