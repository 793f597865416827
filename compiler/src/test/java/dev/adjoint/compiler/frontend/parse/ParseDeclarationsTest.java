package dev.adjoint.compiler.frontend.parse;

import static dev.adjoint.compiler.frontend.parse.ParseTesting.dump;
import static dev.adjoint.compiler.frontend.parse.ParseTesting.program;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.ast.AstPrinter;
import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Program;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of LANGUAGE.md §2: top-level declarations and what a model holds. */
class ParseDeclarationsTest {

  static Stream<Arguments> declarations() {
    return Stream.of(
        Arguments.of("dim B, T", "(dim B T)"),
        Arguments.of("dim N", "(dim N)"),
        Arguments.of("const D = 64, Dh = D / H", "(const (D 64) (Dh (/ D H)))"),
        Arguments.of("const E = (D + 1) * 2 - D % 3", "(const (E (- (* (+ D 1) 2) (% D 3))))"),
        Arguments.of("import \"path.adj\"", "(import \"path.adj\")"),
        Arguments.of("import \"../lib/nn.adj\"", "(import \"../lib/nn.adj\")"),
        Arguments.of("fn f(x: f32[B]) -> f32[B] { return x }", """
            (fn f
              (params (x f32[B]))
              (returns f32[B])
              (block
                (return x)))"""),
        Arguments.of("fn f(x: f32[B]) -> f32[B] = x", """
            (fn f
              (params (x f32[B]))
              (returns f32[B])
              (= x))"""),
        Arguments.of("fn f(x: f32[B]) = x", """
            (fn f
              (params (x f32[B]))
              (= x))"""),
        Arguments.of("fn f(x: f32[B]) { return x }", """
            (fn f
              (params (x f32[B]))
              (block
                (return x)))"""),
        Arguments.of("fn f() {}", """
            (fn f
              (params)
              (block))"""),
        Arguments.of("fn soft(x: f32[..., N], axis: int = -1, eps: float = 1e-5) = x", """
            (fn soft
              (params (x f32[..., N]) (axis int (default (- 1))) (eps float (default 1e-5)))
              (= x))"""),
        Arguments.of("fn step(cache: donate f32[L, T], pos: i32) = cache", """
            (fn step
              (params (cache donate f32[L, T]) (pos i32))
              (= cache))"""),
        Arguments.of("model M {}", "(model M ())"),
        Arguments.of("model Linear(IN, OUT) {}", "(model Linear (IN OUT))"),
        Arguments.of("model Empty() {}", "(model Empty ())"));
  }

  @ParameterizedTest
  @MethodSource("declarations")
  void declaration(String source, String expected) {
    Program program = program(source);
    assertEquals(1, program.decls().size());
    assertEquals(expected, AstPrinter.print(program.decls().getFirst()));
  }

  static Stream<Arguments> modelMembers() {
    return Stream.of(
        Arguments.of("param w: f32[D, D] = xavier_uniform()",
            "(param w f32[D, D] (init (call xavier_uniform)))"),
        Arguments.of("param b: f32[D]", "(param b f32[D])"),
        Arguments.of("param g: f32[D] = constant(1.0)", "(param g f32[D] (init (call constant 1.0)))"),
        Arguments.of("layer attn: SelfAttention", "(layer attn SelfAttention)"),
        Arguments.of("layer ffn: Linear(D, F)", "(layer ffn Linear (args D F))"),
        Arguments.of("layer wide: Linear(D, 4 * D)", "(layer wide Linear (args D (* 4 D)))"),
        Arguments.of("layer blocks: EncoderLayer * N", "(layer blocks EncoderLayer (count N))"),
        Arguments.of("layer blocks: EncoderLayer(D, H, F) * N",
            "(layer blocks EncoderLayer (args D H F) (count N))"),
        Arguments.of("layer pair: Block * (N + 1)", "(layer pair Block (count (+ N 1)))"),
        Arguments.of("fn forward(x: f32[B, D]) = attn(x) + attn.other(x)", """
            (fn forward
              (params (x f32[B, D]))
              (= (+ (call attn x) (call (. attn other) x))))"""));
  }

  @ParameterizedTest
  @MethodSource("modelMembers")
  void modelMember(String member, String expected) {
    String printed = AstPrinter.print(program("model M {\n  " + member + "\n}").decls().getFirst());
    assertEquals("(model M ()\n  " + expected.replace("\n", "\n  ") + ")", printed);
  }

  @Test
  void membersAndDeclarationsMaySitOnOneLineWithSemicolons() {
    assertEquals("""
        (program
          (dim B)
          (const (D 2))
          (model M ()
            (param w f32[D])
            (layer l L)
            (fn f
              (params)
              (block
                (let a 1)
                (return a)))))
        """, dump("dim B; const D = 2; model M { param w: f32[D]; layer l: L; "
            + "fn f() { let a = 1; return a; } }"));
  }

  @Test
  void emptyFileIsAnEmptyProgram() {
    assertEquals("(program)\n", dump(""));
    assertEquals("(program)\n", dump("  // nothing here\n/* at all */\n"));
  }

  @Test
  void declarationsKeepTheirOrder() {
    Program program = program("fn a() = 1\ndim B\nmodel M {}\nconst C = 1\nimport \"x.adj\"");
    assertEquals(
        "[Fn, Dim, Model, Const, Import]",
        program.decls().stream().map(d -> d.getClass().getSimpleName()).toList().toString());
    assertEquals("x.adj", ((Decl.Import) program.decls().getLast()).path());
  }
}
