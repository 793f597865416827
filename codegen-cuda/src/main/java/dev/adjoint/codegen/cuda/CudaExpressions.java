package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.CFamilyOps.Level;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.render.CExpressionPrinter;
import dev.adjoint.compiler.render.Code;
import dev.adjoint.runtime.DType;

/**
 * Kernel IR expressions as CUDA C: the shared {@link CExpressionPrinter} with {@link CudaLanguage}'s
 * tokens, reading the kernel's names through {@link Names}. What is CUDA's own here is storage:
 * bool buffers hold bytes, bf16 and f16 buffers 16-bit patterns loaded and stored through the
 * prelude, and random draws call the prelude's Philox.
 */
final class CudaExpressions extends CExpressionPrinter {
  /** What the printer needs to know about names: the C name and facts of each IR variable, each size. */
  interface Names {
    /** The C name of a scalar; throws when unbound or read at the wrong dtype. */
    String scalar(String irName, DType dtype);

    /** The C name of a local array. */
    String array(String irName, DType dtype);

    /** Whether an i32 variable is known never to be negative (a loop variable, a let of such values). */
    boolean nonNegative(String irName);

    /** The C name of a buffer's pointer, after checking the kernel may read it. */
    String buffer(dev.adjoint.compiler.kernel.Buffer buffer);

    /** The C name of the kernel parameter holding a run-time size. */
    String size(Dim dim);

    /** The C names of the seed and step parameters (the kernel draws random numbers). */
    String seed();

    String step();
  }

  private final Names names;

  CudaExpressions(Names names) {
    super(CudaLanguage.INSTANCE);
    this.names = names;
  }

  /** The C type a value of {@code dtype} is computed in. */
  static String registerType(DType dtype) {
    return switch (dtype) {
      case F32, BF16, F16 -> "float";
      case F64 -> "double";
      case I32 -> "int";
      case BOOL -> "bool";
    };
  }

  /** The C type a buffer of {@code dtype} stores its elements as. */
  static String storageType(DType dtype) {
    return switch (dtype) {
      case F32 -> "float";
      case F64 -> "double";
      case I32 -> "int";
      case BOOL -> "unsigned char";
      case BF16 -> "adj_bf16_t";
      case F16 -> "adj_f16_t";
    };
  }

  Code index(KExpr e) {
    return index(e, "an index");
  }

  @Override
  protected Code variable(KExpr.Var v) {
    return Code.primary(names.scalar(v.name(), v.dtype()));
  }

  @Override
  protected Code element(KExpr.Element el) {
    return Code.primary(names.array(el.array(), el.dtype()), "[", index(el.index()), "]");
  }

  @Override
  protected Code load(KExpr.Load l) {
    Code element = Code.primary(names.buffer(l.buffer()), "[", index(l.index()), "]");
    return switch (l.buffer().type().dtype()) {
      case BOOL -> Code.of(Level.EQUALITY, element, " != 0");
      case BF16 -> Code.primary("adj_bf16_load(", element, ")");
      case F16 -> Code.primary("adj_f16_load(", element, ")");
      default -> element;
    };
  }

  @Override
  protected Code size(KExpr.Size s) {
    return Code.primary(names.size(s.dim()));
  }

  @Override
  protected Code uniform(KExpr.Random r) {
    return Code.primary("adj_uniform(", names.seed(), ", ", names.step(), ", 0x", Integer.toHexString(r.site()),
        "u, (unsigned long long) (long long) (", index(r.index()), "))");
  }

  @Override
  protected boolean nonNegativeVariable(String name) {
    return names.nonNegative(name);
  }

  @Override
  protected boolean nonNegativeSize(Dim dim) {
    return !dim.toString().contains("-");
  }

  @Override
  protected RuntimeException error(String message) {
    return new IllegalArgumentException(message);
  }

  /** The value to write into an element of a buffer of {@code dtype}. */
  static String storeValue(Code value, DType dtype) {
    return switch (dtype) {
      case BOOL -> "(unsigned char) " + value.prefixOperand().text();
      case BF16 -> "adj_bf16_store(" + value.text() + ")";
      case F16 -> "adj_f16_store(" + value.text() + ")";
      default -> value.text();
    };
  }

  /** The reducer type of the prelude for {@code v = v op e} at {@code dtype} ({@code AdjSumF32}). */
  static String reducer(Fn fn, DType dtype) {
    String op = switch (fn) {
      case ADD -> "Sum";
      case MUL -> "Prod";
      case MAX -> "Max";
      case MIN -> "Min";
      default -> throw new IllegalArgumentException("no block reduction for " + fn.opName());
    };
    String suffix = switch (dtype) {
      case F32 -> "F32";
      case F64 -> "F64";
      case I32 -> "I32";
      case BF16 -> "Bf16";
      case F16 -> "F16";
      case BOOL -> throw new IllegalArgumentException("no block reduction of bool");
    };
    return "Adj" + op + suffix;
  }
}
