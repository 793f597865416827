package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Flatten;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.render.Code;
import dev.adjoint.runtime.DType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints a kernel's loop-level statements as CUDA C, for {@link CudaKernelEmitter}: lets as
 * {@code const} locals, accumulators as mutable locals and register arrays, stores through the
 * storage type, {@code +=} into a buffer as an atomic add into a buffer the launcher zeroes, and a
 * structured statement the schedule gives no mapping of its own as its loop-level form. It keeps
 * what the kernel's parameters become: the buffers it reads and writes, the sizes and random
 * streams its expressions use.
 */
final class CudaStatements {
  enum Kind { LOOP, LET, DECLARE, ARRAY }

  /** A name of the kernel IR bound to a C local. */
  record Binding(String c, DType dtype, Kind kind, boolean nonNegative) {}

  /** Names visible at a point of the kernel: a copy per block, as the interpreter scopes them. */
  static final class Env {
    final CudaNames.Scope names;
    final Map<String, Binding> scalars;
    final Map<String, Binding> arrays;

    Env(CudaNames.Scope names, Map<String, Binding> scalars, Map<String, Binding> arrays) {
      this.names = names;
      this.scalars = scalars;
      this.arrays = arrays;
    }

    Env child() {
      return new Env(names.child(), new HashMap<>(scalars), new HashMap<>(arrays));
    }
  }


  final Kernel kernel;
  final Set<Buffer> readable = new LinkedHashSet<>();
  final Set<Buffer> written = new LinkedHashSet<>();
  final Set<Buffer> accumulated = new LinkedHashSet<>();
  final Map<Buffer, String> bufferNames = new LinkedHashMap<>();
  final Map<Dim, String> sizeNames = new LinkedHashMap<>();
  final CudaNames.Scope kernelScope = new CudaNames.Scope();
  boolean usesRandom;

  CudaStatements(Kernel kernel, String function) {
    this.kernel = kernel;
    readable.addAll(kernel.reads());
    readable.addAll(kernel.writes());
    written.addAll(kernel.writes());
    kernelScope.reserve(function);
    for (Buffer b : readable) bufferNames.put(b, kernelScope.claim(b.name(), "b_"));
  }

  IllegalArgumentException error(String message) {
    return new IllegalArgumentException("kernel " + kernel.name() + ": " + message);
  }


  void block(List<KStmt> stmts, Env outer, StringBuilder out, int depth) {
    Env inner = outer.child();
    for (KStmt s : stmts) statement(s, inner, out, depth);
  }

  void statement(KStmt stmt, Env env, StringBuilder out, int depth) {
    String indent = "  ".repeat(depth);
    CudaExpressions x = expressions(env);
    switch (stmt) {
      case KStmt.Loop l -> {
        Code extent = x.index(l.extent());
        Env inner = env.child();
        String v = bind(l.var(), DType.I32, Kind.LOOP, true, inner);
        if (CudaSchedule.invariant(l.extent())) {
          out.append(indent).append("for (int ").append(v).append(" = 0; ").append(v).append(" < ").append(extent.text())
              .append("; ++").append(v).append(") {\n");
        } else {
          // The extent is evaluated once, on entry, as the interpreter does.
          String end = inner.names.claim(v + "_end", "");
          out.append(indent).append("for (int ").append(v).append(" = 0, ").append(end).append(" = ").append(extent.text())
              .append("; ").append(v).append(" < ").append(end).append("; ++").append(v).append(") {\n");
        }
        block(l.body(), inner, out, depth + 1);
        out.append(indent).append("}\n");
      }
      case KStmt.Let let -> {
        Code value = x.expr(let.value());
        boolean nonNegative = let.value().dtype() == DType.I32 && x.nonNegative(let.value());
        String c = bind(let.var(), let.value().dtype(), Kind.LET, nonNegative, env);
        out.append(indent).append("const ").append(CudaExpressions.registerType(let.value().dtype())).append(' ').append(c)
            .append(" = ").append(value.text()).append(";\n");
      }
      case KStmt.Declare d -> {
        Code init = x.converted(d.init(), d.dtype());
        String c = bind(d.var(), d.dtype(), Kind.DECLARE, false, env);
        out.append(indent).append(CudaExpressions.registerType(d.dtype())).append(' ').append(c).append(" = ")
            .append(init.text()).append(";\n");
      }
      case KStmt.Assign a -> {
        Binding b = scalar(a.var(), env);
        if (b.kind() != Kind.DECLARE) throw error("assignment to " + a.var() + ", which is not a declared scalar");
        out.append(indent).append(b.c()).append(" = ").append(x.converted(a.value(), b.dtype()).text()).append(";\n");
      }
      case KStmt.DeclareArray d -> {
        if (!(d.length() instanceof KExpr.Const length)) {
          throw error("local array " + d.var() + " has the run-time length " + dev.adjoint.compiler.kernel.KernelPrinter
              .expr(d.length()) + "; the CUDA backend keeps local arrays in registers and needs a constant length");
        }
        Code init = x.converted(d.init(), d.dtype());
        String c = env.names.claim(d.var(), "l_");
        env.arrays.put(d.var(), new Binding(c, d.dtype(), Kind.ARRAY, false));
        long n = (long) length.value();
        String type = CudaExpressions.registerType(d.dtype());
        String i = env.names.claim("adj_i", "");
        out.append(indent).append(type).append(' ').append(c).append('[').append(Math.max(1, n)).append("];\n");
        out.append(indent).append("for (int ").append(i).append(" = 0; ").append(i).append(" < ").append(n).append("; ++")
            .append(i).append(") ").append(c).append('[').append(i).append("] = ").append(init.text()).append(";\n");
      }
      case KStmt.AssignElement a -> {
        Binding b = array(a.array(), env);
        out.append(indent).append(b.c()).append('[').append(x.index(a.index()).text()).append("] = ")
            .append(x.converted(a.value(), b.dtype()).text()).append(";\n");
      }
      case KStmt.Store s -> {
        requireWritable(s.buffer(), "stores to");
        DType d = s.buffer().type().dtype();
        out.append(indent).append(bufferNames.get(s.buffer())).append('[').append(x.index(s.index()).text()).append("] = ")
            .append(CudaExpressions.storeValue(x.converted(s.value(), d), d)).append(";\n");
      }
      // No mapping of its own here: its loop-level form, the same operations in the same order.
      case KStmt.Structured st -> {
        for (KStmt loops : Flatten.statements(List.of(st))) statement(loops, env, out, depth);
      }
      case KStmt.Accumulate s -> {
        requireWritable(s.buffer(), "accumulates into");
        accumulated.add(s.buffer());
        DType d = s.buffer().type().dtype();
        String address = "&" + bufferNames.get(s.buffer()) + "[" + x.index(s.index()).text() + "]";
        String value = x.converted(s.value(), d).text();
        String call = switch (d) {
          case F32, F64, I32 -> "atomicAdd(" + address + ", " + value + ")";
          case BF16 -> "adj_atomic_add_half<true>(" + address + ", " + value + ")";
          case F16 -> "adj_atomic_add_half<false>(" + address + ", " + value + ")";
          case BOOL -> throw error("accumulates into bool buffer " + s.buffer().name());
        };
        out.append(indent).append(call).append(";\n");
      }
    }
  }

  void requireWritable(Buffer b, String verb) {
    if (!written.contains(b)) throw error(verb + " buffer " + b.name() + ", which is not in its writes");
  }

  String bind(String irName, DType dtype, Kind kind, boolean nonNegative, Env env) {
    String c = env.names.claim(irName, "l_");
    env.scalars.put(irName, new Binding(c, dtype, kind, nonNegative));
    return c;
  }

  Binding scalar(String name, Env env) {
    Binding b = env.scalars.get(name);
    if (b == null) throw error("variable " + name + " is not bound here");
    return b;
  }

  Binding array(String name, Env env) {
    Binding b = env.arrays.get(name);
    if (b == null) throw error("array " + name + " is not declared here");
    return b;
  }

  static String paren(Code c) {
    return c.level() == dev.adjoint.compiler.kernel.CFamilyOps.Level.PRIMARY ? c.text() : "(" + c.text() + ")";
  }

  CudaExpressions expressions(Env env) {
    return new CudaExpressions(new CudaExpressions.Names() {
      @Override
      public String scalar(String irName, DType dtype) {
        Binding b = CudaStatements.this.scalar(irName, env);
        if (b.dtype() != dtype) throw error("variable " + irName + " is " + b.dtype() + " but read as " + dtype);
        return b.c();
      }

      @Override
      public String array(String irName, DType dtype) {
        Binding b = CudaStatements.this.array(irName, env);
        if (b.dtype() != dtype) throw error("array " + irName + " is " + b.dtype() + " but read as " + dtype);
        return b.c();
      }

      @Override
      public boolean nonNegative(String irName) {
        Binding b = env.scalars.get(irName);
        return b != null && b.nonNegative();
      }

      @Override
      public String buffer(Buffer buffer) {
        if (!readable.contains(buffer)) {
          throw error("loads from buffer " + buffer.name() + ", which is not in its reads or writes");
        }
        return bufferNames.get(buffer);
      }

      @Override
      public String size(Dim dim) {
        return sizeNames.computeIfAbsent(dim, d -> kernelScope.claim("adj_n_" + d, ""));
      }

      @Override
      public String seed() {
        usesRandom = true;
        return "adj_seed";
      }

      @Override
      public String step() {
        usesRandom = true;
        return "adj_step";
      }
    });
  }
}
