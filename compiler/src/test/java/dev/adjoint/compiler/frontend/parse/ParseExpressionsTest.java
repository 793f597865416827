package dev.adjoint.compiler.frontend.parse;

import static dev.adjoint.compiler.frontend.parse.ParseTesting.expr;
import static dev.adjoint.compiler.frontend.parse.ParseTesting.printExpr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.adjoint.compiler.ast.Expr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every row of the expression table of LANGUAGE.md §4, and how the levels combine. */
class ParseExpressionsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      # primary: literals, names, parentheses, lists, tuples
      3                 | 3
      0                 | 0
      2.5               | 2.5
      1e-9              | 1e-9
      1E5               | 1E5
      2.5e+3            | 2.5e+3
      .5                | .5
      007               | 7
      true              | true
      false             | false
      inf               | inf
      x                 | x
      f32               | f32
      _tmp1             | _tmp1
      (x)               | x
      ((x))             | x
      [a, b]            | (list a b)
      [B, T, -1]        | (list B T (- 1))
      []                | (list)
      [[1, 2], [3]]     | (list (list 1 2) (list 3))
      (a, b)            | (tuple a b)
      (a, (b, c), d)    | (tuple a (tuple b c) d)
      # postfix: calls, keyword arguments, members, indexing
      f()               | (call f)
      f(a, b)           | (call f a b)
      f(a, axis=-1)     | (call f a axis=(- 1))
      sum(x, axis=[0, 1], keepdims=true) | (call sum x axis=(list 0 1) keepdims=true)
      cast(x, f64)      | (call cast x f64)
      softmax(x, axis = 1) | (call softmax x axis=1)
      x.T               | (. x T)
      attn.other(x)     | (call (. attn other) x)
      a.b.c             | (. (. a b) c)
      f(x).T            | (. (call f x) T)
      x[0]              | (index x 0)
      x[-1]             | (index x (- 1))
      x[:, 0]           | (index x (: _ _) 0)
      x[a:b]            | (index x (: a b))
      x[:b]             | (index x (: _ b))
      x[a:]             | (index x (: a _))
      x[:]              | (index x (: _ _))
      x[1:-1]           | (index x (: 1 (- 1)))
      x[i + 1, j]       | (index x (+ i 1) j)
      x[b, h, 2 * i - 1] | (index x b h (- (* 2 i) 1))
      x[0][1]           | (index (index x 0) 1)
      x.T[0]            | (index (. x T) 0)
      # reductions of index notation
      sum[i](x[i])      | (reduce sum (i) (index x i))
      sum[i, j](x[i, j]) | (reduce sum (i j) (index x i j))
      max[c](x[b, t, c]) | (reduce max (c) (index x b t c))
      min[i](x[i])      | (reduce min (i) (index x i))
      mean[i](x[i])     | (reduce mean (i) (index x i))
      prod[i](x[i])     | (reduce prod (i) (index x i))
      sum[i](max[j](x[i, j])) | (reduce sum (i) (reduce max (j) (index x i j)))
      sum[d](q[i, d] * k[j, d]) / sqrt(Dh) | (/ (reduce sum (d) (* (index q i d) (index k j d))) (call sqrt Dh))
      sum[i]            | (index sum i)
      sum(x)            | (call sum x)
      # each operator
      where(c, a, b)    | (call where c a b)
      a < b             | (< a b)
      a <= b            | (<= a b)
      a > b             | (> a b)
      a >= b            | (>= a b)
      a == b            | (== a b)
      a != b            | (!= a b)
      a + b             | (+ a b)
      a - b             | (- a b)
      a * b             | (* a b)
      a / b             | (/ a b)
      a % b             | (% a b)
      a @ b             | (@ a b)
      -x                | (- x)
      !b                | (! b)
      x ^ y             | (^ x y)
      """)
  void expression(String source, String expected) {
    assertEquals(expected, printExpr(source));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      a + b * c         | (+ a (* b c))
      a * b + c         | (+ (* a b) c)
      a - b - c         | (- (- a b) c)
      a / b / c         | (/ (/ a b) c)
      a @ b * c         | (* (@ a b) c)
      a * b @ c         | (@ (* a b) c)
      a % b * c         | (* (% a b) c)
      (a + b) * c       | (* (+ a b) c)
      a + b < c * d     | (< (+ a b) (* c d))
      a < (b < c)       | (< a (< b c))
      -x ^ 2            | (- (^ x 2))
      -x * y            | (* (- x) y)
      a ^ b ^ c         | (^ a (^ b c))
      (a ^ b) ^ c       | (^ (^ a b) c)
      2 ^ -1            | (^ 2 (- 1))
      2 ^ -x ^ 2        | (^ 2 (- (^ x 2)))
      2 ^ -x * 3        | (* (^ 2 (- x)) 3)
      x ^ 2 * y         | (* (^ x 2) y)
      --x               | (- (- x))
      a - -b            | (- a (- b))
      !a == b           | (== (! a) b)
      !x.T              | (! (. x T))
      -x[0]             | (- (index x 0))
      a @ b.T           | (@ a (. b T))
      q @ k.T / sqrt(d) | (/ (@ q (. k T)) (call sqrt d))
      x.T ^ 2           | (^ (. x T) 2)
      f(x) ^ g(y)[0]    | (^ (call f x) (index (call g y) 0))
      a + b\\n* c       | (+ a (* b c))
      a /* comment */ + b // to the end | (+ a b)
      """)
  void precedenceAndAssociativity(String source, String expected) {
    assertEquals(expected, printExpr(source.replace("\\n", "\n")));
  }

  @Test
  void literalValues() {
    assertEquals(9223372036854775807L,
        assertInstanceOf(Expr.IntLit.class, expr("9223372036854775807")).value());
    Expr.FloatLit small = assertInstanceOf(Expr.FloatLit.class, expr("1e-9"));
    assertEquals(1e-9, small.value());
    assertEquals("1e-9", small.text());
    assertEquals(0.5, assertInstanceOf(Expr.FloatLit.class, expr(".5")).value());
    Expr.FloatLit inf = assertInstanceOf(Expr.FloatLit.class, expr("inf"));
    assertEquals(Double.POSITIVE_INFINITY, inf.value());
    assertEquals("inf", inf.text());
    assertEquals(false, assertInstanceOf(Expr.BoolLit.class, expr("false")).value());
  }

  @Test
  void numberTokensStopBeforeDots() {
    // `1...` is not a float followed by `..`; it is 1 and an ellipsis (here, in a type).
    assertEquals("(call f 1)", printExpr("f(1)"));
    assertEquals("""
        (program
          (fn f
            (params (x f32[..., 1]))
            (= x)))
        """, ParseTesting.dump("fn f(x: f32[...,1]) = x"));
  }

  @Test
  void aNewlineDoesNotEndAnExpression() {
    // Statements start with keywords, so a line starting with '(' continues the one before.
    assertEquals("(call b c)", printExpr("b\n(c)"));
    assertEquals("(- a b)", printExpr("a\n- b"));
  }
}
