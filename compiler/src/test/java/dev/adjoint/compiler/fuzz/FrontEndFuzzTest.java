package dev.adjoint.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.frontend.parse.Parser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The front end on hostile source text: arbitrary bytes, random token streams, and generated
 * programs with a few tokens mutated. A bad program must end in diagnostics (a {@link
 * CompileException} whose rendering names the file), a good one must go on to run or to fail with
 * a user error; a stack trace of any other kind, a hang or an out-of-memory is a finding.
 *
 * <p>Under {@code mvn test} each method replays its corpus in
 * {@code src/test/resources/dev/adjoint/compiler/fuzz/FrontEndFuzzTestInputs/<method>/}; to fuzz
 * for real see docs/robustness.md.
 */
class FrontEndFuzzTest {
  private static final String FILE = "fuzz.adj";
  private static final String[] VOCABULARY = {
      "fn", "let", "return", "model", "param", "layer", "dim", "const", "import", "\"other.adj\"",
      "f32", "f64", "i32", "bool", "bf16", "f16", "x", "y", "B", "T", "D", "N", "M", "forward", "softmax", "sum", "max",
      "mean", "where", "reshape", "permute", "concat", "slice", "dropout", "Linear", "xavier_uniform", "zeros",
      "0", "1", "2", "-1", "64", "2.5", "1e-9", "inf", "true", "false", "99999999999", "2147483648",
      "(", ")", "[", "]", "{", "}", ",", ":", "=", "->", "+", "-", "*", "/", "@", "^", "!", "<", "<=", "==",
      "!=", ".", ".T", "...", "%", "axis", "keepdims", "*", "//", "/*", "*/", "\n", "\n", "\n", "i", "j", "k"};

  /** Any bytes, read as UTF-8 (malformed sequences replaced), as a whole program. */
  @FuzzTest(maxDuration = "10m")
  void sourceText(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    // The parser alone never throws: it reports.
    Diagnostics diagnostics = new Diagnostics();
    Parser.parse(new SourceFile(FILE, text), diagnostics);
    check(text, Optional.empty());
  }

  /** A stream of the language's tokens in random order. */
  @FuzzTest(maxDuration = "10m")
  void tokenStream(FuzzedDataProvider data) {
    StringBuilder text = new StringBuilder();
    int n = data.consumeInt(0, 400);
    for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
      text.append(data.pickValue(VOCABULARY)).append(data.consumeBoolean() ? " " : "");
    }
    check(text.toString(), Optional.empty());
  }

  /** A well-typed generated program with a few tokens replaced, removed, repeated or made extreme. */
  @FuzzTest(maxDuration = "10m")
  void mutatedPrograms(FuzzedDataProvider data) {
    int mutations = data.consumeInt(0, 4);
    ProgramGenerator.Generated g = ProgramGenerator.generate(DifferentialFuzzTest.choices(data));
    List<String> tokens = new ArrayList<>();
    Matcher m = Pattern.compile("[A-Za-z_][A-Za-z_0-9.]*|[0-9][0-9.e-]*|\\s+|.").matcher(g.source());
    while (m.find()) tokens.add(m.group());
    for (int i = 0; i < mutations && !tokens.isEmpty(); i++) {
      int at = data.consumeInt(0, tokens.size() - 1);
      switch (data.consumeInt(0, 4)) {
        case 0 -> tokens.set(at, data.pickValue(VOCABULARY));
        case 1 -> tokens.remove(at);
        case 2 -> tokens.add(at, tokens.get(at));
        case 3 -> tokens.set(at, data.pickValue(new String[] {"0", "1", "-1", "65536", "2147483647", "4294967296",
            "1e308", "-0.0", "nan", "100000"}));
        default -> tokens.add(at, data.pickValue(VOCABULARY) + " ");
      }
    }
    check(String.join("", tokens), Optional.of(g));
  }

  private static final java.util.regex.Pattern LEAKED_EXCEPTION =
      java.util.regex.Pattern.compile("\\b(java|javax|jdk|sun|dev)(\\.\\w+)*\\.[A-Z]\\w*(Exception|Error)\\b");

  private static void check(String text, Optional<ProgramGenerator.Generated> generated) {
    Compilation c;
    try {
      c = Compilation.compileSource(FILE, text);
    } catch (CompileException e) {
      String rendered = e.diagnostics().render();
      assertTrue(e.diagnostics().hasErrors(), "a CompileException without errors");
      assertTrue(rendered.startsWith(FILE + ":"), () -> "diagnostics do not start with the file: " + rendered);
      for (var d : e.diagnostics().sorted()) {
        // The user's own text is quoted in messages (and may itself hold quotes); what must never show
        // is a leaked Java exception, which names its class: java.nio.file.NoSuchFileException.
        String own = d.message().replaceAll("'[^']*'|\"[^\"]*\"", "''");
        assertFalse(LEAKED_EXCEPTION.matcher(own).find(), () -> "an exception in a diagnostic: " + d.message());
      }
      return;
    }
    // A program that checks: elaborate every entry at symbolic sizes; where the generator's inputs
    // still fit, run it. Only the user's errors may come out.
    for (String entry : c.entryPoints()) {
      try {
        c.graph(entry, RunOptions.defaults(), Map.of());
        if (generated.isPresent() && entry.equals(generated.get().entry())) {
          c.run(entry, RunOptions.defaults(), generated.get().inputs(), Map.of());
        }
      } catch (RuntimeException e) {
        if (!Fuzzing.isUserError(e)) fail("entry " + entry + " of\n" + text + "\nthrew " + e, e);
      }
    }
  }
}
