package dev.adjoint.compiler.frontend.parse;

import static dev.adjoint.compiler.frontend.parse.ParseTesting.program;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.ast.AstPrinter;
import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Stmt;
import dev.adjoint.compiler.ast.TypeExpr;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Types (LANGUAGE.md §3) and statements (§4). */
class ParseTypesAndStatementsTest {

  private static TypeExpr paramType(String type) {
    Decl.Fn fn = (Decl.Fn) program("fn f(x: " + type + ") = x").decls().getFirst();
    return fn.params().getFirst().type();
  }

  @ParameterizedTest
  @ValueSource(strings = {"f32", "f64", "bf16", "f16", "i32", "bool", "int", "float"})
  void elementTypesAreScalarsWithoutBrackets(String element) {
    TypeExpr.Tensor type = (TypeExpr.Tensor) paramType(element);
    assertEquals(element, type.element().text());
    assertEquals(Optional.empty(), type.dims());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      f32[B, T]               | f32[B, T]
      f32[1]                  | f32[1]
      i32[...]                | i32[...]
      f32[..., T, Dh]         | f32[..., T, Dh]
      f64[B, 2 * D]           | f64[B, (* 2 D)]
      f32[(D + 1) / 2, D % 4 - 1] | f32[(/ (+ D 1) 2), (- (% D 4) 1)]
      f32[D * H + 1]          | f32[(+ (* D H) 1)]
      (f32[B], f32[B, T])     | (tuple f32[B] f32[B, T])
      (f32, (i32, bool[N]))   | (tuple f32 (tuple i32 bool[N]))
      """)
  void types(String source, String expected) {
    assertEquals(expected, AstPrinter.print(paramType(source)));
  }

  @Test
  void ellipsisIsAnExpressionNodeInTheDims() {
    TypeExpr.Tensor type = (TypeExpr.Tensor) paramType("f32[..., T]");
    assertEquals("Ellipsis", type.dims().orElseThrow().getFirst().getClass().getSimpleName());
  }

  private static List<Stmt> statements(String body) {
    Decl.Fn fn = (Decl.Fn) program("fn f() {\n" + body + "\n}").decls().getFirst();
    return ((Decl.Block) fn.body()).statements();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      let x = a + 1                    | (let x (+ a 1))
      let x: f32[B, T] = y             | (let x (type f32[B, T]) y)
      let s: f32 = sum[i](v[i])        | (let s (type f32) (reduce sum (i) (index v i)))
      let y[i, j] = x[j, i]            | (let-index y (i j) (index x j i))
      let m[i: T, j: T] = i - j        | (let-index m ((i T) (j T)) (- i j))
      let r[i, j: 2 * T] = x[i, j / 2] | (let-index r (i (j (* 2 T))) (index x i (/ j 2)))
      let c[i, j] = where(j <= i, 0.0, -inf) | (let-index c (i j) (call where (<= j i) 0.0 (- inf)))
      return e                         | (return e)
      return (a, b)                    | (return (tuple a b))
      return (a)                       | (return a)
      """)
  void statement(String source, String expected) {
    List<Stmt> statements = statements(source);
    assertEquals(1, statements.size());
    assertEquals(expected, AstPrinter.print(statements.getFirst()));
  }

  @Test
  void statementsAreSeparatedByNewlinesOrSemicolons() {
    assertEquals(List.of("(let a 1)", "(let b 2)", "(let c 3)", "(return (tuple a b c))"),
        statements("let a = 1\nlet b = 2; let c = 3;\n\nreturn (a, b, c);")
            .stream().map(AstPrinter::print).toList());
  }

  @Test
  void aStatementMaySpanLines() {
    assertEquals(List.of("(let y (call f a b))", "(return (+ y 1))"),
        statements("let y = f(a,\n   b)\nreturn y\n  + 1").stream().map(AstPrinter::print)
            .toList());
  }
}
