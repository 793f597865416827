package dev.adjoint.compiler.frontend.parse;

import static dev.adjoint.compiler.frontend.parse.ParseTesting.errors;
import static dev.adjoint.compiler.frontend.parse.ParseTesting.exprErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.ast.AstPrinter;
import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ast.Program;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Syntax errors as the user reads them: {@code file:line:col: error: message}, the line, a
 * caret. Each message of the parser is pinned here word for word.
 */
class ParseErrorsTest {

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        // A missing closer at the end of the file names the closer, and the caret stands
        // just after the last token, where it would go (not after trailing comments).
        Arguments.of("fn f() {\n  return x  // done\n\n// more\n", """
            test.adj:2:11: error: unexpected end of file: expected '}'
              return x  // done
                      ^
            """),
        Arguments.of("fn f() = max(x", """
            test.adj:1:15: error: unexpected end of file: expected ')'
            fn f() = max(x
                          ^
            """),
        Arguments.of("fn f() = x[0", """
            test.adj:1:13: error: unexpected end of file: expected ']'
            fn f() = x[0
                        ^
            """),
        Arguments.of("model M {", """
            test.adj:1:10: error: unexpected end of file: expected '}'
            model M {
                     ^
            """),
        Arguments.of("fn f() = x.", """
            test.adj:1:12: error: unexpected end of file: expected a name
            fn f() = x.
                       ^
            """),
        Arguments.of("fn f() = * 2", """
            test.adj:1:10: error: unexpected '*': expected an expression
            fn f() = * 2
                     ^
            """),
        Arguments.of("fn f() {\n  let y = \n}", """
            test.adj:3:1: error: unexpected '}': expected an expression
            }
            ^
            """),
        Arguments.of("fn f() = f(a,)", """
            test.adj:1:14: error: unexpected ')': expected an expression
            fn f() = f(a,)
                         ^
            """),
        Arguments.of("fn f() = \"s\"", """
            test.adj:1:10: error: unexpected string "s": expected an expression
            fn f() = "s"
                     ^~~
            """),
        // Large expected sets are described, not listed.
        Arguments.of("fn f() { let x = a b }", """
            test.adj:1:20: error: unexpected 'b': expected a statement ('let' or 'return') or '}'
            fn f() { let x = a b }
                               ^
            """),
        Arguments.of("fn f() {\n  x = 2\n}", """
            test.adj:2:3: error: unexpected 'x': expected a statement ('let' or 'return') or '}'
              x = 2
              ^
            """),
        Arguments.of("let x = 1", """
            test.adj:1:1: error: unexpected 'let': expected a declaration ('import', 'dim', \
            'const', 'fn' or 'model')
            let x = 1
            ^~~
            """),
        Arguments.of("model M { let x = 1 }", """
            test.adj:1:11: error: unexpected 'let': expected a model member ('param', 'layer' \
            or 'fn') or '}'
            model M { let x = 1 }
                      ^~~
            """),
        Arguments.of("fn f() { let 3 = x }", """
            test.adj:1:14: error: unexpected '3': expected a name
            fn f() { let 3 = x }
                         ^
            """),
        Arguments.of("fn f() { let layer = 1 }", """
            test.adj:1:14: error: unexpected 'layer': expected a name ('layer' is a keyword)
            fn f() { let layer = 1 }
                         ^~~~~
            """),
        Arguments.of("fn f(x: ) = x", """
            test.adj:1:9: error: unexpected ')': expected a type
            fn f(x: ) = x
                    ^
            """),
        Arguments.of("fn f(x: f32[D *]) = x", """
            test.adj:1:16: error: unexpected ']': expected a size
            fn f(x: f32[D *]) = x
                           ^
            """),
        Arguments.of("fn f(x: f32[]) = x", """
            test.adj:1:13: error: unexpected ']': expected a size or '...'
            fn f(x: f32[]) = x
                        ^
            """),
        Arguments.of("fn f(x: f32 y: f32) = x", """
            test.adj:1:13: error: unexpected 'y': expected ')', '[', ',' or '='
            fn f(x: f32 y: f32) = x
                        ^
            """),
        Arguments.of("fn f() = x[1:2:3]", """
            test.adj:1:15: error: unexpected ':': expected ']' or ','
            fn f() = x[1:2:3]
                          ^
            """),
        Arguments.of("import nn", """
            test.adj:1:8: error: unexpected 'nn': expected a string
            import nn
                   ^~
            """),
        // `1.` lexes as 1 and '.', and is explained as a number.
        Arguments.of("fn f() = 1. + 2", """
            test.adj:1:10: error: '1.' is not a number: write '1.0'
            fn f() = 1. + 2
                     ^~
            """),
        // Lexical errors: the parser's complaint about the same text is not repeated.
        Arguments.of("fn f() = $x + 1", """
            test.adj:1:10: error: unexpected character '$'
            fn f() = $x + 1
                     ^
            """),
        Arguments.of("fn f() = a && b", """
            test.adj:1:12: error: unexpected characters '&&'
            fn f() = a && b
                       ^~
            """),
        Arguments.of("fn f() = a \u0007 b", """
            test.adj:1:12: error: unexpected character U+0007
            fn f() = a \u0007 b
                       ^
            """),
        Arguments.of("fn f() = a ' b", """
            test.adj:1:12: error: unexpected character "'"
            fn f() = a ' b
                       ^
            """),
        Arguments.of("import \"nn.adj\ndim B", """
            test.adj:1:8: error: unterminated string
            import "nn.adj
                   ^~~~~~~
            """),
        // The comment swallows the '}' too; that is not reported again.
        Arguments.of("fn f() {\n  return x /* never\n  closed }\n", """
            test.adj:2:12: error: unterminated block comment
              return x /* never
                       ^~
            """));
  }

  @ParameterizedTest
  @MethodSource("syntaxErrors")
  void syntaxError(String source, String expected) {
    assertEquals(expected, errors(source));
  }

  @Test
  void everyErrorOfAFileIsReportedAndTheRestStillParses() {
    String source = """
        fn a() {
          let x =
          let y = 2
          return y +
        }
        fn good() = 1
        fn b() = (2
        fn c(x: f32 = 1
        """;
    assertEquals("""
        test.adj:3:3: error: unexpected 'let': expected an expression
          let y = 2
          ^~~
        test.adj:5:1: error: unexpected '}': expected an expression
        }
        ^
        test.adj:8:1: error: unexpected 'fn': expected ')' or ','
        fn c(x: f32 = 1
        ^~
        test.adj:8:16: error: unexpected end of file: expected ')'
        fn c(x: f32 = 1
                       ^
        """, errors(source));
    Diagnostics diagnostics = new Diagnostics();
    Program program = Parser.parse(new SourceFile("test.adj", source), diagnostics);
    assertEquals("""
        (program
          (fn good
            (params)
            (= 1)))
        """, AstPrinter.print(program));
  }

  @Test
  void whatMayContinueAnExpressionIsCalledAnOperator() {
    assertEquals("""
        test.adj:1:5: error: unexpected 'b': expected an operator, ')', ',' or '='
        f(a b
            ^
        """, exprErrors("f(a b"));
    assertEquals("""
        test.adj:1:3: error: unexpected 'b': expected end of file
        a b
          ^
        """, exprErrors("a b"));
  }

  @Test
  void anEmptyExpressionIsAnErrorAtTheStart() {
    assertEquals("test.adj:1:1: error: unexpected end of file: expected an expression\n",
        exprErrors(""));
  }

  @Test
  void aBrokenExpressionParsesToAnEmptyTuple() {
    Diagnostics diagnostics = new Diagnostics();
    Expr expr = Parser.parseExpr(new SourceFile("test.adj", "a +"), diagnostics);
    assertEquals("(tuple)", AstPrinter.print(expr));
    assertEquals("""
        test.adj:1:4: error: unexpected end of file: expected an expression
        a +
           ^
        """, diagnostics.render());
  }
}
