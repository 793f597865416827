package dev.adjoint.compiler.frontend.parse;

import static dev.adjoint.compiler.frontend.parse.ParseTesting.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.ast.AstPrinter;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The checks the AST builder makes beyond the grammar, each message word for word. */
class ParseChecksTest {

  static Stream<Arguments> checks() {
    return Stream.of(
        Arguments.of("fn f() = 99999999999999999999 + 1", """
            test.adj:1:10: error: integer literal 99999999999999999999 is too large
            fn f() = 99999999999999999999 + 1
                     ^~~~~~~~~~~~~~~~~~~~
            """),
        Arguments.of("fn f(x: f32[99999999999999999999]) = x", """
            test.adj:1:13: error: integer literal 99999999999999999999 is too large
            fn f(x: f32[99999999999999999999]) = x
                        ^~~~~~~~~~~~~~~~~~~~
            """),
        Arguments.of("fn f() = 1e999", """
            test.adj:1:10: error: float literal 1e999 is too large
            fn f() = 1e999
                     ^~~~~
            """),
        // Reported once per name, where it first appears.
        Arguments.of("fn größe(x: f32) = größe(x) + größe(x) + straße", """
            test.adj:1:4: error: identifier 'größe' is not ASCII: names may use only ASCII \
            letters, digits and '_'
            fn größe(x: f32) = größe(x) + größe(x) + straße
               ^~~~~
            test.adj:1:42: error: identifier 'straße' is not ASCII: names may use only ASCII \
            letters, digits and '_'
            fn größe(x: f32) = größe(x) + größe(x) + straße
                                                     ^~~~~~
            """),
        Arguments.of("fn f() = softmax(axis=-1, x)", """
            test.adj:1:27: error: positional argument after keyword argument
            fn f() = softmax(axis=-1, x)
                                      ^
            """),
        Arguments.of("fn f() = sum(x, axis=0, keepdims=true, axis=1)", """
            test.adj:1:40: error: keyword argument 'axis' given twice
            fn f() = sum(x, axis=0, keepdims=true, axis=1)
                                                   ^~~~
            """),
        Arguments.of("fn f() = g(x, a + 1 = 2)", """
            test.adj:1:15: error: a keyword argument is written name=value, as in 'axis=-1'; \
            to compare, write '=='
            fn f() = g(x, a + 1 = 2)
                          ^~~~~
            """),
        Arguments.of("fn f(x: f32[B, ..., T]) = x", """
            test.adj:1:16: error: '...' must be the first dim of a type
            fn f(x: f32[B, ..., T]) = x
                           ^~~
            """),
        Arguments.of("fn f(x: f32[..., ...]) = x", """
            test.adj:1:18: error: '...' must be the first dim of a type
            fn f(x: f32[..., ...]) = x
                             ^~~
            """),
        Arguments.of("fn f() = foo[i](x[i])", """
            test.adj:1:10: error: 'foo[...](...)' is not a reduction: index-notation \
            reductions are sum, max, min, mean, prod
            fn f() = foo[i](x[i])
                     ^~~~~~~~~~~~
            """),
        Arguments.of("fn f() = sum[i](x, y)", """
            test.adj:1:10: error: a reduction takes one expression to reduce, as in \
            'sum[i](body)'
            fn f() = sum[i](x, y)
                     ^~~~~~~~~~~~
            """),
        Arguments.of("fn f() = max[i, j](axis=1)", """
            test.adj:1:10: error: a reduction takes one expression to reduce, as in \
            'max[i, j](body)'
            fn f() = max[i, j](axis=1)
                     ^~~~~~~~~~~~~~~~~
            """),
        Arguments.of("fn f() = sum[i + 1](x)", """
            test.adj:1:10: error: the indices of a reduction must be names, as in \
            'sum[i, j](...)'
            fn f() = sum[i + 1](x)
                     ^~~~~~~~~~
            """),
        Arguments.of("fn f() = f(x)(y)", """
            test.adj:1:10: error: only a name can be called, as in 'f(x)' or 'attn.other(x)'
            fn f() = f(x)(y)
                     ^~~~
            """),
        Arguments.of("fn f() = x[0](y)", """
            test.adj:1:10: error: only a name can be called, as in 'f(x)' or 'attn.other(x)'
            fn f() = x[0](y)
                     ^~~~
            """),
        Arguments.of("fn f() = a < b < c", """
            test.adj:1:16: error: comparisons cannot be chained: put parentheses around the \
            first one
            fn f() = a < b < c
                           ^
            """),
        Arguments.of("fn f() = 1.e5", """
            test.adj:1:10: error: '1.' is not a number: write '1.0'
            fn f() = 1.e5
                     ^~
            """));
  }

  @ParameterizedTest
  @MethodSource("checks")
  void check(String source, String expected) {
    assertEquals(expected, errors(source));
  }

  @Test
  void aFailedCheckStillBuildsTheDeclaration() {
    // Later stages do not run on a file with errors, but the declaration is there, so one
    // pass reports everything wrong with it.
    Diagnostics diagnostics = new Diagnostics();
    String printed = AstPrinter.print(Parser.parse(
        new SourceFile("test.adj", "fn f() = g(axis=1, x) + 99999999999999999999"),
        diagnostics));
    assertEquals(2, diagnostics.errorCount());
    assertEquals("""
        (program
          (fn f
            (params)
            (= (+ (call g x axis=1) 0))))
        """, printed);
  }
}
