package dev.adjoint.compiler.frontend.parse;

import static dev.adjoint.compiler.frontend.parse.ParseTesting.expr;
import static dev.adjoint.compiler.frontend.parse.ParseTesting.program;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ast.Program;
import dev.adjoint.compiler.ast.Stmt;
import dev.adjoint.compiler.ast.TypeExpr;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.diag.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every node carries the span of its text; diagnostics of later stages point with them. */
class ParseSpansTest {

  private static String at(Span span) {
    return span.line() + ":" + span.column();
  }

  @Test
  void binaryExpressionsSpanFromLeftOperandToRight() {
    Expr.Binary sum = (Expr.Binary) expr("(q @ k.T) / sqrt(Dh) + mask");
    assertEquals("(q @ k.T) / sqrt(Dh) + mask", sum.span().text());
    Expr.Binary div = (Expr.Binary) sum.left();
    assertEquals("(q @ k.T) / sqrt(Dh)", div.span().text());
    // Parentheses leave no node; the node inside spans its own text.
    assertEquals("q @ k.T", div.left().span().text());
    assertEquals("k.T", ((Expr.Binary) div.left()).right().span().text());
    assertEquals("sqrt(Dh)", div.right().span().text());
  }

  @Test
  void postfixNodesSpanFromTheirTargetToTheirClosingBracket() {
    Expr.Call call = (Expr.Call) expr("softmax(x, axis = -1)");
    assertEquals("softmax(x, axis = -1)", call.span().text());
    assertEquals("softmax", call.callee().span().text());
    assertEquals("axis = -1", call.keywords().getFirst().span().text());
    assertEquals("axis", call.keywords().getFirst().name().span().text());
    assertEquals("-1", call.keywords().getFirst().value().span().text());

    Expr.Index index = (Expr.Index) expr("x[i + 1, 2:n]");
    assertEquals("x[i + 1, 2:n]", index.span().text());
    assertEquals(List.of("i + 1", "2:n"),
        index.subscripts().stream().map(s -> s.span().text()).toList());
    assertEquals(":", ((Expr.Index) expr("x[:]")).subscripts().getFirst().span().text());
    assertEquals("attn.other", ((Expr.Call) expr("attn.other(x)")).callee().span().text());
  }

  @Test
  void otherExpressionsSpanTheirWholeText() {
    Expr.Reduce reduce = (Expr.Reduce) expr("sum[i, j](x[i, j])");
    assertEquals("sum[i, j](x[i, j])", reduce.span().text());
    assertEquals("sum", reduce.op().span().text());
    assertEquals("j", reduce.indices().get(1).span().text());
    assertEquals("x[i, j]", reduce.body().span().text());
    assertEquals("(a, b)", expr("(a, b)").span().text());
    assertEquals("[a, b]", expr("[a, b]").span().text());
    assertEquals("[]", expr("[]").span().text());
    assertEquals("-x ^ 2", expr("-x ^ 2").span().text());
    assertEquals("2.5e+3", expr("2.5e+3").span().text());
    assertEquals("inf", expr("inf").span().text());
    assertEquals("true", expr("true").span().text());
  }

  @Test
  void declarationsAndStatementsSpanFromTheirKeyword() {
    String source = """
        import "nn.adj"
        dim B, T
        const D = 64, Dh = D / 4
        fn f(x: f32[..., T], axis: int = -1) -> (f32, f32[B]) {
          let y: f32[B] = x + 1
          let z[i, j: T] = y[i]
          return (y, z)
        }
        model M(P) {
          param w: f32[P] = zeros()
          layer l: L(P) * 2
          fn g() = w
        }
        """;
    Program program = program(source);
    Decl.Import imp = (Decl.Import) program.decls().get(0);
    assertEquals("import \"nn.adj\"", imp.span().text());
    assertEquals("\"nn.adj\"", imp.pathSpan().text());
    assertEquals("dim B, T", program.decls().get(1).span().text());
    Decl.Const consts = (Decl.Const) program.decls().get(2);
    assertEquals("const D = 64, Dh = D / 4", consts.span().text());
    assertEquals("Dh = D / 4", consts.defs().get(1).span().text());

    Decl.Fn fn = (Decl.Fn) program.decls().get(3);
    assertEquals("4:1", at(fn.span()));
    assertEquals("}", fn.span().text().substring(fn.span().text().length() - 1));
    assertEquals("x: f32[..., T]", fn.params().get(0).span().text());
    assertEquals("f32[..., T]", fn.params().get(0).type().span().text());
    assertEquals("...", ((TypeExpr.Tensor) fn.params().get(0).type()).dims().orElseThrow()
        .getFirst().span().text());
    assertEquals("axis: int = -1", fn.params().get(1).span().text());
    assertEquals("(f32, f32[B])", fn.returnType().orElseThrow().span().text());
    Decl.Block block = (Decl.Block) fn.body();
    assertEquals("4:55", at(block.span()));
    List<Stmt> body = block.statements();
    assertEquals("let y: f32[B] = x + 1", body.get(0).span().text());
    assertEquals("5:3", at(body.get(0).span()));
    Stmt.IndexLet indexLet = (Stmt.IndexLet) body.get(1);
    assertEquals("let z[i, j: T] = y[i]", indexLet.span().text());
    assertEquals("j: T", indexLet.indices().get(1).span().text());
    assertEquals("return (y, z)", body.get(2).span().text());
    assertEquals("7:10", at(((Stmt.Return) body.get(2)).value().span()));

    Decl.Model model = (Decl.Model) program.decls().get(4);
    assertEquals("9:1", at(model.span()));
    assertEquals("P", model.parameters().getFirst().span().text());
    assertEquals("param w: f32[P] = zeros()", model.members().get(0).span().text());
    assertEquals("layer l: L(P) * 2", model.members().get(1).span().text());
    Decl.Fn g = (Decl.Fn) model.members().get(2);
    assertEquals("fn g() = w", g.span().text());
    assertEquals("w", g.body().span().text());
    assertEquals("12:12", at(g.body().span()));
  }

  @Test
  void columnsCountCharactersNotBytesOrUtf16Units() {
    // A non-ASCII name is an error, but everything after it is still placed where a reader
    // sees it: 'ö' and 'ß' count one column each, and so does '𝑥' (outside the BMP).
    SourceFile file = new SourceFile("t.adj", "fn f() {\n  let größe = a + bb\n  let 𝑥 = c * dd\n  return 𝑥 }");
    Program program = Parser.parse(file, new Diagnostics());
    List<Stmt> body = ((Decl.Block) ((Decl.Fn) program.decls().getFirst()).body()).statements();
    Expr.Binary first = (Expr.Binary) ((Stmt.Let) body.get(0)).value();
    assertEquals("2:19", at(first.right().span()));
    assertEquals("bb", first.right().span().text());
    Expr.Binary second = (Expr.Binary) ((Stmt.Let) body.get(1)).value();
    assertEquals("3:15", at(second.right().span()));
    assertEquals("dd", second.right().span().text());
    assertEquals("4:10", at(((Stmt.Return) body.get(2)).value().span()));
  }
}
