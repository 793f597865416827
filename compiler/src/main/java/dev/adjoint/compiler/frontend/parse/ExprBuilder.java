package dev.adjoint.compiler.frontend.parse;

import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ast.Expr.BinaryOp;
import dev.adjoint.compiler.ast.Name;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.grammar.AdjointBaseVisitor;
import dev.adjoint.grammar.AdjointParser;
import dev.adjoint.grammar.AdjointParser.ArgumentContext;
import dev.adjoint.grammar.AdjointParser.AtOrSliceContext;
import dev.adjoint.grammar.AdjointParser.BinaryExprContext;
import dev.adjoint.grammar.AdjointParser.BoolLiteralContext;
import dev.adjoint.grammar.AdjointParser.CallExprContext;
import dev.adjoint.grammar.AdjointParser.DimBinaryContext;
import dev.adjoint.grammar.AdjointParser.DimIntContext;
import dev.adjoint.grammar.AdjointParser.DimNameContext;
import dev.adjoint.grammar.AdjointParser.DimParensContext;
import dev.adjoint.grammar.AdjointParser.ExprContext;
import dev.adjoint.grammar.AdjointParser.FloatLiteralContext;
import dev.adjoint.grammar.AdjointParser.IndexExprContext;
import dev.adjoint.grammar.AdjointParser.IntLiteralContext;
import dev.adjoint.grammar.AdjointParser.ListLiteralContext;
import dev.adjoint.grammar.AdjointParser.MemberExprContext;
import dev.adjoint.grammar.AdjointParser.NameExprContext;
import dev.adjoint.grammar.AdjointParser.ParenOrTupleContext;
import dev.adjoint.grammar.AdjointParser.SliceFromStartContext;
import dev.adjoint.grammar.AdjointParser.SubscriptContext;
import dev.adjoint.grammar.AdjointParser.UnaryExprContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Builds expressions (and the integer expressions of type dims) from an error-free parse tree,
 * checking what the grammar leaves open: literal ranges, argument order, reductions, chained
 * comparisons. A check that fails reports and still returns a node, so building goes on and
 * every error of the file is seen.
 */
final class ExprBuilder extends AdjointBaseVisitor<Expr> {
  /** The reductions of index notation (LANGUAGE.md §4). */
  static final List<String> REDUCTIONS = List.of("sum", "max", "min", "mean", "prod");

  private final BuildContext context;

  ExprBuilder(BuildContext context) {
    this.context = context;
  }

  Expr build(ExprContext ctx) {
    return visit(ctx);
  }

  // --- literals and names

  @Override
  public Expr visitIntLiteral(IntLiteralContext ctx) {
    return intLiteral(ctx.INT());
  }

  @Override
  public Expr visitFloatLiteral(FloatLiteralContext ctx) {
    Span span = context.span(ctx);
    if (ctx.INF() != null) return new Expr.FloatLit(Double.POSITIVE_INFINITY, "inf", span);
    String text = ctx.FLOAT().getText();
    double value = Double.parseDouble(text);
    if (Double.isInfinite(value)) context.error(span, "float literal " + text + " is too large");
    return new Expr.FloatLit(value, text, span);
  }

  @Override
  public Expr visitBoolLiteral(BoolLiteralContext ctx) {
    return new Expr.BoolLit(ctx.TRUE() != null, context.span(ctx));
  }

  @Override
  public Expr visitNameExpr(NameExprContext ctx) {
    return new Expr.Ref(context.name(ctx.ID()));
  }

  /** Parentheses group and leave no node; two or more elements make a tuple. */
  @Override
  public Expr visitParenOrTuple(ParenOrTupleContext ctx) {
    if (ctx.expr().size() == 1) return visit(ctx.expr(0));
    return new Expr.Tuple(all(ctx.expr()), context.span(ctx));
  }

  @Override
  public Expr visitListLiteral(ListLiteralContext ctx) {
    java.util.List<Expr> items = new java.util.ArrayList<>();
    for (var item : ctx.listItem()) {
      items.add(item.expr() != null ? visit(item.expr()) : new Expr.Ellipsis(context.span(item)));
    }
    return new Expr.ListLit(items, context.span(ctx));
  }

  // --- operators

  @Override
  public Expr visitUnaryExpr(UnaryExprContext ctx) {
    Expr.UnaryOp op = ctx.op.getType() == AdjointParser.MINUS ? Expr.UnaryOp.NEG : Expr.UnaryOp.NOT;
    return new Expr.Unary(op, visit(ctx.expr()), context.span(ctx));
  }

  @Override
  public Expr visitBinaryExpr(BinaryExprContext ctx) {
    BinaryOp op = binaryOp(ctx.op);
    // The grammar is left-associative; `a < b < c` would compare a bool with c, and a Python
    // user would expect it to mean `a < b and b < c`. Neither is what they get, so refuse.
    if (op.isComparison() && ctx.expr(0) instanceof BinaryExprContext left
        && binaryOp(left.op).isComparison()) {
      context.error(context.span(ctx.op),
          "comparisons cannot be chained: put parentheses around the first one");
    }
    return new Expr.Binary(op, visit(ctx.expr(0)), visit(ctx.expr(1)), context.span(ctx));
  }

  private static BinaryOp binaryOp(Token op) {
    return switch (op.getType()) {
      case AdjointParser.PLUS -> BinaryOp.ADD;
      case AdjointParser.MINUS -> BinaryOp.SUB;
      case AdjointParser.STAR -> BinaryOp.MUL;
      case AdjointParser.SLASH -> BinaryOp.DIV;
      case AdjointParser.PERCENT -> BinaryOp.MOD;
      case AdjointParser.AT -> BinaryOp.MATMUL;
      case AdjointParser.CARET -> BinaryOp.POW;
      case AdjointParser.LT -> BinaryOp.LT;
      case AdjointParser.LE -> BinaryOp.LE;
      case AdjointParser.GT -> BinaryOp.GT;
      case AdjointParser.GE -> BinaryOp.GE;
      case AdjointParser.EQ -> BinaryOp.EQ;
      case AdjointParser.NE -> BinaryOp.NE;
      default -> throw new IllegalStateException("not a binary operator: " + op.getText());
    };
  }

  // --- postfix

  @Override
  public Expr visitMemberExpr(MemberExprContext ctx) {
    Token dot = ctx.DOT().getSymbol();
    // `1.e5` or `1.T`: the number token stops before the point (so that `1...` is not a
    // number), which leaves a member access on an integer.
    if (ctx.expr() instanceof IntLiteralContext number
        && number.getStop().getStopIndex() + 1 == dot.getStartIndex()) {
      context.error(context.span(number.getStart(), dot), notANumber(number.getText()));
    }
    return new Expr.Member(visit(ctx.expr()), context.name(ctx.ID()), context.span(ctx));
  }

  static String notANumber(String digits) {
    return "'" + digits + ".' is not a number: write '" + digits + ".0'";
  }

  @Override
  public Expr visitIndexExpr(IndexExprContext ctx) {
    List<Expr.Subscript> subscripts = new ArrayList<>();
    for (SubscriptContext s : ctx.subscript()) subscripts.add(subscript(s));
    return new Expr.Index(visit(ctx.expr()), subscripts, context.span(ctx));
  }

  private Expr.Subscript subscript(SubscriptContext ctx) {
    Span span = context.span(ctx);
    return switch (ctx) {
      case AtOrSliceContext at when at.COLON() == null -> new Expr.At(visit(at.expr(0)), span);
      case AtOrSliceContext slice -> new Expr.Range(Optional.of(visit(slice.expr(0))),
          optional(slice.expr().size() > 1 ? slice.expr(1) : null), span);
      case SliceFromStartContext slice -> new Expr.Range(Optional.empty(),
          optional(slice.expr()), span);
      default -> throw unhandled(ctx);
    };
  }

  /**
   * A call, or a reduction: the grammar reads {@code sum[i, j](body)} as the call of an index
   * (see Adjoint.g4), and it becomes a {@link Expr.Reduce} here.
   */
  @Override
  public Expr visitCallExpr(CallExprContext ctx) {
    if (ctx.expr() instanceof IndexExprContext indexed
        && indexed.expr() instanceof NameExprContext reducer) {
      String op = reducer.getText();
      List<TerminalNode> indices = plainNames(indexed.subscript());
      List<ArgumentContext> args = ctx.arguments() == null ? List.of() : ctx.arguments().argument();
      boolean oneBody = args.size() == 1 && args.get(0).ASSIGN() == null;
      if (REDUCTIONS.contains(op)) {
        return reduction(ctx, reducer, indexed, indices, oneBody ? args.get(0) : null);
      }
      if (indices != null && oneBody) {
        context.error(context.span(ctx), "'" + op + "[...](...)' is not a reduction: "
            + "index-notation reductions are sum, max, min, mean, prod");
        return call(ctx, false);
      }
    }
    return call(ctx, true);
  }

  private Expr reduction(CallExprContext ctx, NameExprContext reducer, IndexExprContext indexed,
      List<TerminalNode> indices, ArgumentContext body) {
    Name op = context.name(reducer.ID());
    if (indices == null) {
      context.error(context.span(indexed), "the indices of a reduction must be names, as in '"
          + op.text() + "[i, j](...)'");
      return call(ctx, false);
    }
    if (body == null) {
      context.error(context.span(ctx), "a reduction takes one expression to reduce, as in '"
          + op.text() + "[" + String.join(", ", indices.stream().map(TerminalNode::getText)
              .toList()) + "](body)'");
      return call(ctx, false);
    }
    List<Name> names = indices.stream().map(context::name).toList();
    return new Expr.Reduce(op, names, visit(body.expr(0)), context.span(ctx));
  }

  /** The subscripts as bare names, as in {@code sum[i, j]}, or null if any is something else. */
  private static List<TerminalNode> plainNames(List<SubscriptContext> subscripts) {
    List<TerminalNode> names = new ArrayList<>();
    for (SubscriptContext s : subscripts) {
      if (!(s instanceof AtOrSliceContext at && at.COLON() == null
          && at.expr(0) instanceof NameExprContext name)) {
        return null;
      }
      names.add(name.ID());
    }
    return names;
  }

  private Expr call(CallExprContext ctx, boolean checkCallee) {
    Expr callee = visit(ctx.expr());
    if (checkCallee && !(callee instanceof Expr.Ref || callee instanceof Expr.Member)) {
      context.error(callee.span(), "only a name can be called, as in 'f(x)' or 'attn.other(x)'");
    }
    List<Expr> positional = new ArrayList<>();
    List<Expr.KeywordArg> keywords = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<ArgumentContext> args = ctx.arguments() == null ? List.of() : ctx.arguments().argument();
    for (ArgumentContext arg : args) {
      if (arg.ASSIGN() == null) {
        if (!keywords.isEmpty()) {
          context.error(context.span(arg), "positional argument after keyword argument");
        }
        positional.add(visit(arg.expr(0)));
        continue;
      }
      if (!(arg.expr(0) instanceof NameExprContext keyword)) {
        // `f(a + 1 = 2)`, or `f(a = b)` meant as a comparison.
        context.error(context.span(arg.expr(0)), "a keyword argument is written name=value, "
            + "as in 'axis=-1'; to compare, write '=='");
        positional.add(visit(arg.expr(1)));
        continue;
      }
      Name name = context.name(keyword.ID());
      if (!seen.add(name.text())) {
        context.error(name.span(), "keyword argument '" + name.text() + "' given twice");
      }
      keywords.add(new Expr.KeywordArg(name, visit(arg.expr(1)), context.span(arg)));
    }
    return new Expr.Call(callee, positional, keywords, context.span(ctx));
  }

  // --- the integer expressions of type dims and index ranges

  @Override
  public Expr visitDimBinary(DimBinaryContext ctx) {
    return new Expr.Binary(binaryOp(ctx.op), visit(ctx.dimExpr(0)), visit(ctx.dimExpr(1)),
        context.span(ctx));
  }

  @Override
  public Expr visitDimParens(DimParensContext ctx) {
    return visit(ctx.dimExpr());
  }

  @Override
  public Expr visitDimInt(DimIntContext ctx) {
    return intLiteral(ctx.INT());
  }

  @Override
  public Expr visitDimName(DimNameContext ctx) {
    return new Expr.Ref(context.name(ctx.ID()));
  }

  // --- helpers

  private Expr intLiteral(TerminalNode token) {
    String text = token.getText();
    Span span = context.span(token);
    try {
      return new Expr.IntLit(Long.parseLong(text), span);
    } catch (NumberFormatException tooLarge) {
      context.error(span, "integer literal " + text + " is too large");
      return new Expr.IntLit(0, span);
    }
  }

  private List<Expr> all(List<ExprContext> exprs) {
    return exprs.stream().map(this::visit).toList();
  }

  private Optional<Expr> optional(ExprContext ctx) {
    return ctx == null ? Optional.empty() : Optional.of(visit(ctx));
  }

  static IllegalStateException unhandled(Object ctx) {
    return new IllegalStateException("grammar alternative not handled: "
        + ctx.getClass().getSimpleName());
  }
}
