package dev.adjoint.compiler.ast;

import dev.adjoint.compiler.diag.Span;
import java.util.List;
import java.util.Optional;

/** Top-level declarations, and the members of a model. */
public sealed interface Decl {
  Span span();

  /** {@code import "path.adj"}. */
  record Import(String path, Span pathSpan, Span span) implements Decl {}

  /** {@code dim B, T}. */
  record Dim(List<Name> names, Span span) implements Decl {
    public Dim {
      names = List.copyOf(names);
    }
  }

  /** {@code const D = 64, Dh = D / H}. */
  record Const(List<ConstDef> defs, Span span) implements Decl {
    public Const {
      defs = List.copyOf(defs);
    }
  }

  record ConstDef(Name name, Expr value, Span span) {}

  /**
   * {@code fn name(params) -> type { stmts }} or {@code fn name(params) -> type = expr}; the
   * return type may be omitted.
   */
  record Fn(Name name, List<Param> params, Optional<TypeExpr> returnType, Body body, Span span)
      implements Decl, ModelMember {
    public Fn {
      params = List.copyOf(params);
    }
  }

  /** A function parameter, with an optional default used when the caller leaves it out. */
  /** {@code donated}: written {@code name: donate T}, the caller's buffer may hold the result. */
  record Param(Name name, TypeExpr type, Optional<Expr> defaultValue, Span span, boolean donated) {}

  /** A function body: statements ending in {@code return}, or one expression. */
  sealed interface Body {
    Span span();
  }

  record Block(List<Stmt> statements, Span span) implements Body {
    public Block {
      statements = List.copyOf(statements);
    }
  }

  record ExprBody(Expr value, Span span) implements Body {}

  /** {@code model Name(P1, P2) { members }}. */
  record Model(Name name, List<Name> parameters, List<ModelMember> members, Span span)
      implements Decl {
    public Model {
      parameters = List.copyOf(parameters);
      members = List.copyOf(members);
    }
  }

  /** What a model holds: params, layers and functions. */
  sealed interface ModelMember {
    Name name();

    Span span();
  }

  /** {@code param w: f32[D, D] = xavier_uniform()}; without an initializer it is zeros. */
  record ParamDecl(Name name, TypeExpr type, Optional<Expr> init, Span span)
      implements ModelMember {}

  /**
   * {@code layer attn: SelfAttention}, {@code layer ffn: Linear(D, F)}, {@code layer blocks:
   * EncoderLayer(D, H, F) * N}.
   */
  record Layer(Name name, Name model, List<Expr> args, Optional<Expr> count, Span span)
      implements ModelMember {
    public Layer {
      args = List.copyOf(args);
    }
  }
}
