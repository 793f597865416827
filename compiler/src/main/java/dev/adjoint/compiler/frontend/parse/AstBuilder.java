package dev.adjoint.compiler.frontend.parse;

import static dev.adjoint.compiler.frontend.parse.ExprBuilder.unhandled;

import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ast.Name;
import dev.adjoint.compiler.ast.Program;
import dev.adjoint.compiler.ast.Stmt;
import dev.adjoint.compiler.ast.TypeExpr;
import dev.adjoint.grammar.AdjointParser.BlockBodyContext;
import dev.adjoint.grammar.AdjointParser.BlockContext;
import dev.adjoint.grammar.AdjointParser.ConstDeclContext;
import dev.adjoint.grammar.AdjointParser.ConstDefContext;
import dev.adjoint.grammar.AdjointParser.DeclarationContext;
import dev.adjoint.grammar.AdjointParser.DimContext;
import dev.adjoint.grammar.AdjointParser.DimDeclContext;
import dev.adjoint.grammar.AdjointParser.EllipsisDimContext;
import dev.adjoint.grammar.AdjointParser.ExprBodyContext;
import dev.adjoint.grammar.AdjointParser.ExprContext;
import dev.adjoint.grammar.AdjointParser.FnBodyContext;
import dev.adjoint.grammar.AdjointParser.FnDeclContext;
import dev.adjoint.grammar.AdjointParser.FnMemberContext;
import dev.adjoint.grammar.AdjointParser.ImportDeclContext;
import dev.adjoint.grammar.AdjointParser.IndexVarContext;
import dev.adjoint.grammar.AdjointParser.LayerMemberContext;
import dev.adjoint.grammar.AdjointParser.LetStmtContext;
import dev.adjoint.grammar.AdjointParser.ModelDeclContext;
import dev.adjoint.grammar.AdjointParser.ModelMemberContext;
import dev.adjoint.grammar.AdjointParser.ParamMemberContext;
import dev.adjoint.grammar.AdjointParser.ParameterContext;
import dev.adjoint.grammar.AdjointParser.ProgramContext;
import dev.adjoint.grammar.AdjointParser.ReturnStmtContext;
import dev.adjoint.grammar.AdjointParser.SizeDimContext;
import dev.adjoint.grammar.AdjointParser.StatementContext;
import dev.adjoint.grammar.AdjointParser.TensorTypeContext;
import dev.adjoint.grammar.AdjointParser.TupleTypeContext;
import dev.adjoint.grammar.AdjointParser.TypeContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Turns a parse tree into the AST: declarations, statements and types here, expressions in
 * {@link ExprBuilder}. A declaration that error recovery touched is left out (its errors are
 * already reported), so the rest of the file is still built and checked.
 */
final class AstBuilder {
  private final BuildContext context;
  private final ExprBuilder exprs;

  AstBuilder(BuildContext context) {
    this.context = context;
    this.exprs = new ExprBuilder(context);
  }

  Program program(ProgramContext ctx) {
    List<Decl> decls = new ArrayList<>();
    for (DeclarationContext decl : ctx.declaration()) {
      if (!ParseTrees.hasErrors(decl)) decls.add(declaration(decl));
    }
    return new Program(context.source(), decls);
  }

  Expr expr(ExprContext ctx) {
    return exprs.build(ctx);
  }

  private Decl declaration(DeclarationContext ctx) {
    if (ctx.importDecl() != null) return importDecl(ctx.importDecl());
    if (ctx.dimDecl() != null) return dimDecl(ctx.dimDecl());
    if (ctx.constDecl() != null) return constDecl(ctx.constDecl());
    if (ctx.fnDecl() != null) return fn(ctx.fnDecl());
    if (ctx.modelDecl() != null) return model(ctx.modelDecl());
    throw unhandled(ctx);
  }

  private Decl.Import importDecl(ImportDeclContext ctx) {
    String literal = ctx.STRING().getText();
    // The grammar's strings have no escapes: the path is what stands between the quotes.
    String path = literal.substring(1, literal.length() - 1);
    return new Decl.Import(path, context.span(ctx.STRING()), context.span(ctx));
  }

  private Decl.Dim dimDecl(DimDeclContext ctx) {
    return new Decl.Dim(names(ctx.ID()), context.span(ctx));
  }

  private Decl.Const constDecl(ConstDeclContext ctx) {
    List<Decl.ConstDef> defs = new ArrayList<>();
    for (ConstDefContext def : ctx.constDef()) {
      defs.add(new Decl.ConstDef(context.name(def.ID()), expr(def.expr()), context.span(def)));
    }
    return new Decl.Const(defs, context.span(ctx));
  }

  private Decl.Fn fn(FnDeclContext ctx) {
    List<Decl.Param> params = new ArrayList<>();
    if (ctx.parameters() != null) {
      for (ParameterContext p : ctx.parameters().parameter()) {
        params.add(new Decl.Param(context.name(p.ID()), type(p.type()),
            optionalExpr(p.expr()), context.span(p), p.DONATE() != null));
      }
    }
    Optional<TypeExpr> returnType = Optional.ofNullable(ctx.type()).map(this::type);
    return new Decl.Fn(context.name(ctx.ID()), params, returnType, body(ctx.fnBody()),
        context.span(ctx));
  }

  private Decl.Body body(FnBodyContext ctx) {
    return switch (ctx) {
      case BlockBodyContext b -> block(b.block());
      case ExprBodyContext e -> {
        Expr value = expr(e.expr());
        yield new Decl.ExprBody(value, context.span(e.expr()));
      }
      default -> throw unhandled(ctx);
    };
  }

  private Decl.Block block(BlockContext ctx) {
    List<Stmt> statements = new ArrayList<>();
    for (StatementContext s : ctx.statement()) statements.add(statement(s));
    return new Decl.Block(statements, context.span(ctx));
  }

  private Decl.Model model(ModelDeclContext ctx) {
    List<Name> all = names(ctx.ID());
    List<Decl.ModelMember> members = new ArrayList<>();
    for (ModelMemberContext m : ctx.modelMember()) members.add(member(m));
    return new Decl.Model(all.getFirst(), all.subList(1, all.size()), members, context.span(ctx));
  }

  private Decl.ModelMember member(ModelMemberContext ctx) {
    return switch (ctx) {
      case ParamMemberContext p -> new Decl.ParamDecl(context.name(p.ID()), type(p.type()),
          optionalExpr(p.expr()), context.span(p));
      case LayerMemberContext l -> layer(l);
      case FnMemberContext f -> fn(f.fnDecl());
      default -> throw unhandled(ctx);
    };
  }

  /** {@code layer name: Model(args) * count}: the count, when there is one, is the last expr. */
  private Decl.Layer layer(LayerMemberContext ctx) {
    List<ExprContext> all = ctx.expr();
    int argCount = ctx.STAR() == null ? all.size() : all.size() - 1;
    List<Expr> args = all.subList(0, argCount).stream().map(this::expr).toList();
    Optional<Expr> count = ctx.STAR() == null ? Optional.empty()
        : Optional.of(expr(all.getLast()));
    return new Decl.Layer(context.name(ctx.ID(0)), context.name(ctx.ID(1)), args, count,
        context.span(ctx));
  }

  // --- statements

  private Stmt statement(StatementContext ctx) {
    return switch (ctx) {
      case LetStmtContext let when let.indexVars() != null -> indexLet(let);
      case LetStmtContext let -> new Stmt.Let(context.name(let.ID()),
          Optional.ofNullable(let.type()).map(this::type), expr(let.expr()), context.span(let));
      case ReturnStmtContext ret -> new Stmt.Return(expr(ret.expr()), context.span(ret));
      default -> throw unhandled(ctx);
    };
  }

  private Stmt.IndexLet indexLet(LetStmtContext ctx) {
    Name name = context.name(ctx.ID());
    List<Stmt.IndexVar> indices = new ArrayList<>();
    for (IndexVarContext v : ctx.indexVars().indexVar()) {
      Optional<Expr> range = Optional.ofNullable(v.dimExpr()).map(exprs::visit);
      indices.add(new Stmt.IndexVar(context.name(v.ID()), range, context.span(v)));
    }
    return new Stmt.IndexLet(name, indices, expr(ctx.expr()), context.span(ctx));
  }

  // --- types

  private TypeExpr type(TypeContext ctx) {
    return switch (ctx) {
      case TensorTypeContext t -> tensorType(t);
      case TupleTypeContext t -> new TypeExpr.Tuple(t.type().stream().map(this::type).toList(),
          context.span(t));
      default -> throw unhandled(ctx);
    };
  }

  private TypeExpr.Tensor tensorType(TensorTypeContext ctx) {
    Name element = context.name(ctx.ID());
    if (ctx.LBRACKET() == null) {
      return new TypeExpr.Tensor(element, Optional.empty(), context.span(ctx));
    }
    List<Expr> dims = new ArrayList<>();
    for (DimContext d : ctx.dim()) {
      if (d instanceof EllipsisDimContext && !dims.isEmpty()) {
        context.error(context.span(d), "'...' must be the first dim of a type");
      }
      dims.add(dim(d));
    }
    return new TypeExpr.Tensor(element, Optional.of(dims), context.span(ctx));
  }

  private Expr dim(DimContext ctx) {
    return switch (ctx) {
      case EllipsisDimContext e -> new Expr.Ellipsis(context.span(e));
      case SizeDimContext s -> exprs.visit(s.dimExpr());
      default -> throw unhandled(ctx);
    };
  }

  // --- helpers

  private Optional<Expr> optionalExpr(ExprContext ctx) {
    return Optional.ofNullable(ctx).map(this::expr);
  }

  private List<Name> names(List<TerminalNode> ids) {
    return ids.stream().map(context::name).toList();
  }
}
