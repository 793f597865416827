package dev.adjoint.compiler.frontend.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.frontend.ParamSpec;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.runtime.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One small valid program per construct of LANGUAGE.md §2–§4 and per prelude family (§6), each
 * with the type the type checker infers for its entry's output. The types are read from the
 * entry's graph at symbolic sizes, so {@code dim}s and shape variables print by name.
 */
class ConstructTypingTest {

  /** The type of output {@code index} of {@code entry}. */
  private static String type(String source, String entry, int index, RunOptions options) {
    Compilation c = Compilation.compileSource("construct.adj", source);
    return c.graph(entry, options, Map.of()).graph().outputs().get(index).type().toString();
  }

  private static String type(String source, String entry) {
    return type(source, entry, 0, RunOptions.defaults());
  }

  /** The type of the only top-level function {@code f}'s result. */
  private static String typeOf(String source) {
    return type(source, "f");
  }

  /** {@code fn f(params) -> ... = body} with the return type left to inference. */
  private static String infer(String params, String body) {
    return typeOf("dim B, T\nfn f(" + params + ") = " + body + "\n");
  }

  private static List<String> paramNames(String source, String entry) {
    Compilation c = Compilation.compileSource("construct.adj", source);
    Graph g = c.graph(entry, RunOptions.defaults(), Map.of()).graph();
    return g.params().stream().map(Graph::paramName).toList();
  }

  private static List<ParamSpec> paramSpecs(String source, String entry) {
    return Compilation.compileSource("construct.adj", source).graph(entry, RunOptions.defaults(), Map.of()).params();
  }

  // ---------------------------------------------------------------------------------------------
  // §2 Declarations

  @Nested
  class Declarations {
    @Test
    void dimsAreSymbolicSizes() {
      assertEquals("f32[B, T]", typeOf("dim B, T\nfn f(x: f32[B, T]) -> f32[B, T] = x\n"));
    }

    @Test
    void constsAreCompileTimeIntegers() {
      String src = """
          const D = 64, H = 4
          const Dh = D / H
          const E = (D + 2) * 3 % 5 - 1
          fn f(x: f32[H, Dh]) -> f32[H, Dh, E] = expand(reshape(x, [H, Dh, 1]), [H, Dh, E])
          """;
      // (64 + 2) * 3 % 5 - 1 = 198 % 5 - 1 = 2
      assertEquals("f32[4, 16, 2]", typeOf(src));
    }

    @Test
    void constsMayBeDeclaredAfterTheirUses() {
      assertEquals("f32[12]", typeOf("const A = B * 2\nconst B = 6\nfn f(x: f32[A]) -> f32[A] = x\n"));
    }

    @Test
    void sizeExpressionsInTypes() {
      assertEquals("f32[B, 8]", typeOf("dim B\nconst D = 4\nfn f(x: f32[B, D * 2]) -> f32[B, 2 * D] = x\n"));
    }

    @Test
    void blockBody() {
      assertEquals("f32[B]", typeOf("dim B\nfn f(x: f32[B]) -> f32[B] {\n  let y = x * 2\n  return y + 1\n}\n"));
    }

    @Test
    void oneExpressionBody() {
      assertEquals("f32[B]", typeOf("dim B\nfn f(x: f32[B]) -> f32[B] = x * 2\n"));
    }

    @Test
    void omittedReturnTypeIsInferred() {
      assertEquals("f32[B]", typeOf("dim B, T\nfn f(x: f32[B, T]) = sum(x, axis=1)\n"));
      assertEquals("f32", typeOf("dim B\nfn f(x: f32[B]) {\n  return max(x)\n}\n"));
    }

    @Test
    void modelWithIntegerParameters() {
      String src = """
          model Scale(K) {
            param s: f32[K] = ones()
            fn forward(x: f32[..., K]) -> f32[..., K] = x * s
          }
          model Net {
            layer scale: Scale(5)
            fn forward(x: f32[3, 5]) -> f32[3, 5] = scale(x)
          }
          """;
      assertEquals("f32[3, 5]", type(src, "Net.forward"));
      assertEquals(List.of("scale.s"), paramNames(src, "Net.forward"));
    }

    @Test
    void importBringsInAnotherFilesDeclarations(@TempDir Path dir) throws IOException {
      Files.createDirectories(dir.resolve("lib"));
      Files.writeString(dir.resolve("lib/helpers.adj"), """
          const WIDTH = 6
          fn double(x: f32[N]) -> f32[N] = x * 2
          """, StandardCharsets.UTF_8);
      Path main = dir.resolve("main.adj");
      Files.writeString(main, """
          import "lib/helpers.adj"
          fn f(x: f32[WIDTH]) -> f32[WIDTH] = double(x)
          """, StandardCharsets.UTF_8);
      Compilation c = Compilation.compile(main);
      assertEquals("f32[6]", c.graph("f", RunOptions.defaults(), Map.of()).graph().outputs().get(0).type().toString());
    }

    @Test
    void userDeclarationShadowsThePrelude() {
      assertEquals("f32[B, 2]", typeOf("dim B\nfn relu(x: f32[B]) -> f32[B, 2] = expand(reshape(x, [B, 1]), [B, 2])\n"
          + "fn f(x: f32[B]) -> f32[B, 2] = relu(x)\n"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // §2 Inside a model

  @Nested
  class Models {
    private static final String BLOCK = """
        const D = 8
        model Block {
          param w: f32[D, D] = xavier_uniform()
          param b: f32[D]
          fn forward(x: f32[T, D]) -> f32[T, D] = x @ w + b
          fn other(x: f32[T, D]) -> f32[T] = sum(x * b, axis=-1)
        }
        """;

    @Test
    void paramsAreReadByName() {
      String src = BLOCK + "model Net {\n  param w: f32[D, D] = xavier_uniform()\n"
          + "  fn forward(x: f32[D]) -> f32[D] = x @ w\n}\n";
      assertEquals("f32[8]", type(src, "Net.forward"));
    }

    @Test
    void paramWithoutInitializerIsZeros() {
      List<ParamSpec> specs = paramSpecs(BLOCK + "model Net {\n  layer blk: Block\n"
          + "  fn forward(x: f32[3, D]) -> f32[3, D] = blk(x)\n}\n", "Net.forward");
      assertEquals("blk.w xavier_uniform f32[8, 8]; blk.b zeros f32[8]",
          String.join("; ", specs.stream().map(s -> s.name() + " " + s.initializer() + " " + s.type()).toList()));
    }

    @Test
    void layerCallsForward() {
      String src = BLOCK + "dim T\nmodel Net {\n  layer blk: Block\n"
          + "  fn forward(x: f32[T, D]) -> f32[T, D] = blk(x)\n}\n";
      assertEquals("f32[T, 8]", type(src, "Net.forward"));
      assertEquals(List.of("blk.w", "blk.b"), paramNames(src, "Net.forward"));
    }

    @Test
    void layerOtherFunction() {
      String src = BLOCK + "dim T\nmodel Net {\n  layer attn: Block\n"
          + "  fn forward(x: f32[T, D]) -> f32[T] = attn.other(x)\n}\n";
      assertEquals("f32[T]", type(src, "Net.forward"));
    }

    @Test
    void layerMemberReadThroughTheLayer() {
      String src = BLOCK + "model Net {\n  layer blk: Block\n"
          + "  fn forward(x: f32[D]) -> f32[D] = x @ blk.w.T\n}\n";
      assertEquals("f32[8]", type(src, "Net.forward"));
    }

    @Test
    void layerWithIntegerArguments() {
      String src = "dim B\nmodel Net {\n  layer ffn: Linear(16, 4)\n"
          + "  fn forward(x: f32[B, 16]) -> f32[B, 4] = ffn(x)\n}\n";
      assertEquals("f32[B, 4]", type(src, "Net.forward"));
      assertEquals(List.of("ffn.w", "ffn.b"), paramNames(src, "Net.forward"));
    }

    @Test
    void stackOfLayers() {
      String src = BLOCK + "dim T\nconst N = 3\nmodel Net {\n  layer blocks: Block * N\n"
          + "  fn forward(x: f32[T, D]) -> f32[T, D] = blocks(x)\n}\n";
      assertEquals("f32[T, 8]", type(src, "Net.forward"));
      assertEquals(List.of("blocks.0.w", "blocks.0.b", "blocks.1.w", "blocks.1.b", "blocks.2.w", "blocks.2.b"),
          paramNames(src, "Net.forward"));
    }

    @Test
    void stackPassesTheFirstResultOnAndKeepsTheOtherArguments() {
      String src = """
          dim T
          const D = 4
          model Masked {
            param w: f32[D, D] = xavier_uniform()
            fn forward(x: f32[T, D], mask: f32[T, T]) -> f32[T, D] = softmax(x @ w @ x.T + mask) @ x
          }
          model Net {
            layer blocks: Masked * 2
            fn forward(x: f32[T, D]) -> f32[T, D] = blocks(x, causal_mask(T))
          }
          """;
      assertEquals("f32[T, 4]", type(src, "Net.forward"));
      assertEquals(List.of("blocks.0.w", "blocks.1.w"), paramNames(src, "Net.forward"));
    }

    @Test
    void modelFunctionsCallEachOther() {
      String src = BLOCK + "dim T\nmodel Net {\n  layer blk: Block\n"
          + "  fn twice(x: f32[T, D]) -> f32[T, D] = blk(blk(x))\n"
          + "  fn forward(x: f32[T, D]) -> f32[T] = sum(twice(x), axis=1)\n}\n";
      assertEquals("f32[T]", type(src, "Net.forward"));
      assertEquals("f32[T, 8]", type(src, "Net.twice"));
    }

    @Test
    void nestedLayersNameTheirParamsByPath() {
      String src = "dim B\nmodel Net {\n  layer ffn: FeedForward(8, 32)\n  layer norm: LayerNorm(8)\n"
          + "  fn forward(x: f32[B, 8]) -> f32[B, 8] = norm(ffn(x))\n}\n";
      assertEquals("f32[B, 8]", type(src, "Net.forward"));
      assertEquals(List.of("ffn.inner.w", "ffn.inner.b", "ffn.outer.w", "ffn.outer.b", "norm.gamma", "norm.beta"),
          paramNames(src, "Net.forward"));
    }

    @Test
    void everyInitializerIsAccepted() {
      String src = """
          model Net {
            param a: f32[4, 3] = zeros()
            param b: f32[4, 3] = ones()
            param c: f32[4, 3] = constant(0.5)
            param d: f32[4, 3] = normal(0.0, 0.02)
            param e: f32[4, 3] = uniform(-0.1, 0.1)
            param g: f32[4, 3] = xavier_uniform()
            param h: f32[4, 3] = xavier_normal()
            param k: f32[4, 3] = kaiming_uniform()
            fn forward(x: f32[4]) -> f32[3] = x @ (a + b + c + d + e + g + h + k)
          }
          """;
      assertEquals("f32[3]", type(src, "Net.forward"));
      assertEquals("zeros ones constant[0.5] normal[0.0, 0.02] uniform[-0.1, 0.1] xavier_uniform xavier_normal kaiming_uniform",
          String.join(" ", paramSpecs(src, "Net.forward").stream()
              .map(s -> s.initializer() + (s.arguments().isEmpty() ? "" : s.arguments().toString())).toList()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // §3 Types and shapes

  @Nested
  class Types {
    @ParameterizedTest
    @CsvSource({"f32", "f64", "bf16", "f16", "i32", "bool"})
    void everyElementType(String dtype) {
      assertEquals(dtype + "[3, B]", typeOf("dim B\nfn f(x: " + dtype + "[3, B]) -> " + dtype + "[3, B] = x\n"));
    }

    @Test
    void scalarsAreWrittenAsTheElementType() {
      assertEquals("f32", typeOf("fn f(x: f32, y: f32) -> f32 = x * y\n"));
    }

    @Test
    void shapeVariablesAreBoundPerCall() {
      String src = """
          fn normalize(x: f32[N]) -> f32[N] = x / sum(x)
          fn f(a: f32[3], b: f32[5]) -> f32[8] = concat([normalize(a), normalize(b)], axis=0)
          """;
      assertEquals("f32[8]", typeOf(src));
    }

    @Test
    void shapeVariablesAreUsableAsValuesInTheBody() {
      assertEquals("f32[B, 7]", typeOf("dim B\nfn scale(x: f32[..., K]) -> f32[..., K] = x / sqrt(K)\n"
          + "fn f(x: f32[B, 7]) = scale(x)\n"));
    }

    @Test
    void ellipsisIsSharedBetweenParamsAndResult() {
      String src = """
          dim B, T
          fn proj(x: f32[..., IN], w: f32[IN, OUT]) -> f32[..., OUT] = x @ w
          fn f(x: f32[B, T, 16], w: f32[16, 4]) -> f32[B, T, 4] = proj(x, w)
          """;
      assertEquals("f32[B, T, 4]", typeOf(src));
    }

    @Test
    void ellipsisPrefixesBroadcastAcrossParams() {
      String src = """
          dim B, T
          fn add(x: f32[..., 4], y: f32[..., 4]) -> f32[..., 4] = x + y
          fn f(a: f32[B, T, 4], b: f32[T, 4]) = add(a, b)
          """;
      assertEquals("f32[B, T, 4]", typeOf(src));
    }

    @Test
    void ellipsisMatchesZeroAxes() {
      assertEquals("f32[4]", typeOf("fn id(x: f32[..., 4]) -> f32[..., 4] = x\nfn f(x: f32[4]) = id(x)\n"));
    }

    @Test
    void broadcastingWithLiteralOnes() {
      assertEquals("f32[B, T, 8]", infer("x: f32[B, 1, 8], y: f32[T, 1]", "x + y"));
      assertEquals("f32[B, T]", infer("x: f32[B, T], y: f32[T]", "x * y"));
      assertEquals("f32[B, T]", infer("x: f32[B, T], y: f32", "x - y"));
    }

    @Test
    void symbolicSizesBroadcastWhenTheSameSymbol() {
      assertEquals("f32[B, T]", infer("x: f32[B, T], y: f32[B, T]", "x / y"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "f32 | f64 | f64",
        "f64 | f32 | f64",
        "f16 | f32 | f32",
        "bf16 | f32 | f32",
        "bf16 | f64 | f64",
        "i32 | f32 | f32",
        "f16 | i32 | f16",
        "i32 | i32 | i32"})
    void mixedOperandsPromote(String a, String b, String result) {
      assertEquals(result + "[4]", infer("x: " + a + "[4], y: " + b + "[4]", "x + y"));
    }

    @Test
    void integerLiteralsAdoptTheOtherOperandsType() {
      assertEquals("f16[4]", infer("x: f16[4]", "x * 2"));
      assertEquals("bf16[4]", infer("x: bf16[4]", "2 - x"));
      assertEquals("i32[4]", infer("x: i32[4]", "x + 1"));
      assertEquals("f64[4]", infer("x: f64[4]", "x / 3"));
    }

    @Test
    void floatLiteralsAreF32UnlessTheOtherSideIsFloating() {
      assertEquals("f32[4]", infer("x: i32[4]", "2.5 + x"));
      assertEquals("f64[4]", infer("x: f64[4]", "x * 2.5"));
      assertEquals("f16[4]", infer("x: f16[4]", "x * 0.5"));
    }

    @Test
    void constsAndDimsUsedAsValuesAdopt() {
      String src = "dim T\nconst Dh = 16\nfn f(x: f16[T, Dh]) = x / sqrt(Dh) + T\n";
      assertEquals("f16[T, 16]", typeOf(src));
    }

    @Test
    void integerPowerStaysInteger() {
      assertEquals("i32[4]", infer("x: i32[4], y: i32[4]", "x ^ y"));
      assertEquals("i32[4]", infer("x: i32[4]", "x ^ 2"));
    }

    @Test
    void integerDivisionIsTrueDivision() {
      assertEquals("f32[4]", infer("x: i32[4], y: i32[4]", "x / y"));
    }

    @Test
    void sizeOnlyPreludeFunctionsAreF32UnlessGivenADtype() {
      assertEquals("f32[T, T]", infer("x: f32[T]", "causal_mask(T)"));
      assertEquals("f64[T, T]", infer("x: f32[T]", "causal_mask(T, dtype=f64)"));
      assertEquals("f32[T, 16]", infer("x: f32[T]", "sinusoidal_positions(T, 16)"));
      assertEquals("f64[T, 16]", infer("x: f32[T]", "sinusoidal_positions(T, 16, dtype=f64)"));
      assertEquals("f32[B, 10]", infer("ids: i32[B]", "one_hot(ids, 10)"));
      assertEquals("f64[B, 10]", infer("ids: i32[B]", "one_hot(ids, 10, dtype=f64)"));
    }

    @Test
    void dtypeOptionTurnsFloatDeclarationsIntoIt() {
      RunOptions f64 = RunOptions.defaults().withDtype(DType.F64);
      String src = "dim B\nfn f(x: f32[B, 4], ids: i32[B]) -> f32[B, 4] = x * 2.5 + one_hot(ids, 4)\n";
      assertEquals("f64[B, 4]", type(src, "f", 0, f64));
      assertEquals("f32[B, 4]", type(src, "f", 0, RunOptions.defaults()));
      String model = "model Net {\n  param w: f32[4, 4] = xavier_uniform()\n"
          + "  fn forward(x: f32[4]) -> f32[4] = x @ w\n}\n";
      assertEquals("f64[4]", type(model, "Net.forward", 0, f64));
      assertEquals("f64[4, 4]", Compilation.compileSource("construct.adj", model)
          .graph("Net.forward", f64, Map.of()).graph().params().get(0).type().toString());
    }

    @Test
    void dtypeOptionLeavesIntegersAlone() {
      RunOptions f64 = RunOptions.defaults().withDtype(DType.F64);
      assertEquals("i32[4]", type("fn f(x: i32[4]) -> i32[4] = x + 1\n", "f", 0, f64));
    }

    @Test
    void castChangesTheElementType() {
      assertEquals("f64[4]", infer("x: i32[4]", "cast(x, f64)"));
      assertEquals("i32[4]", infer("x: f32[4]", "cast(x, i32)"));
      assertEquals("bool[4]", infer("x: f32[4]", "cast(x, bool)"));
      assertEquals("f16[4]", infer("x: bool[4]", "cast(x, f16)"));
      assertEquals("bf16[4]", infer("x: f32[4]", "cast(x, bf16)"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // §4 Statements and expressions

  @Nested
  class Statements {
    @Test
    void letWithCheckedAnnotation() {
      assertEquals("f32[B, T]", typeOf("dim B, T\nfn f(x: f32[B, T]) {\n  let y: f32[B, T] = x * 2\n  return y\n}\n"));
    }

    @Test
    void letAnnotationMayBindShapeVariables() {
      assertEquals("f32[B]", typeOf("dim B, T\nfn f(x: f32[B, T]) {\n  let y: f32[B] = sum(x, axis=1)\n  return y\n}\n"));
    }

    @Test
    void tupleReturn() {
      String src = "dim B, T\nfn f(x: f32[B, T]) -> (f32[B], f32[B, T]) {\n  return (sum(x, axis=1), x * 2)\n}\n";
      assertEquals("f32[B]", type(src, "f", 0, RunOptions.defaults()));
      assertEquals("f32[B, T]", type(src, "f", 1, RunOptions.defaults()));
    }

    @Test
    void keywordArgumentsAndDefaults() {
      String src = """
          dim B, T
          fn scale(x: f32[...], factor: f32 = 2.0, shift: f32 = 0.0) -> f32[...] = x * factor + shift
          fn f(x: f32[B, T]) = scale(x, shift=1.0) + scale(x) + scale(x, 3.0, shift=1.0)
          """;
      assertEquals("f32[B, T]", typeOf(src));
      assertEquals("f32[B]", infer("x: f32[B, T]", "sum(x, axis=-1)"));
      assertEquals("f32[B, 1]", infer("x: f32[B, T]", "sum(x, keepdims=true, axis=1)"));
    }

    @Test
    void integerParameters() {
      assertEquals("f32[5]", typeOf("fn ramp(n: int) -> f32[n] = cast(arange(n), f32)\nfn f(x: f32) = ramp(5) * x\n"));
    }
  }

  @Nested
  class Expressions {
    @Test
    void whereWithTensorBranches() {
      assertEquals("f32[B, T]", infer("c: bool[B, T], a: f32[B, T], b: f32[T]", "where(c, a, b)"));
    }

    @Test
    void whereLiteralBranchAdoptsTheOtherBranch() {
      assertEquals("f16[4]", infer("x: f16[4]", "where(x > 0, x, 0)"));
      assertEquals("f64[4]", infer("x: f64[4]", "where(x > 0, 0.5, x)"));
      assertEquals("i32[4]", infer("x: i32[4]", "where(x > 0, x, -1)"));
    }

    @Test
    void whereWithAConstantConditionStillBroadcasts() {
      assertEquals("f32[B, T]", infer("x: f32[B, T]", "where(true, 0, x)"));
      assertEquals("f64[4]", infer("x: f64[4]", "where(1 < 2, 3, x)"));
      assertEquals("f32", typeOf("fn f() = where(false, 1, 2.5)\n"));
    }

    @Test
    void whereWithTwoLiteralBranches() {
      assertEquals("f32[4]", infer("x: f16[4]", "where(x > 0, 1.0, 0.0)"));
      assertEquals("bool[4]", infer("x: f32[4]", "where(x > 0, true, false)"));
    }

    @ParameterizedTest
    @CsvSource({"<", "<=", ">", ">=", "==", "!="})
    void comparisonsGiveBool(String op) {
      assertEquals("bool[B, T]", infer("x: f32[B, T], y: f32[T]", "x " + op + " y"));
      assertEquals("bool[4]", infer("x: i32[4]", "x " + op + " 2"));
    }

    @ParameterizedTest
    @CsvSource({"+", "-", "*", "/"})
    void additiveAndMultiplicative(String op) {
      assertEquals("f32[B, T]", infer("x: f32[B, T], y: f32[B, 1]", "x " + op + " y"));
    }

    @Test
    void modulo() {
      assertEquals("i32[4]", infer("x: i32[4]", "x % 3"));
      assertEquals("f32[4]", infer("x: f32[4]", "x % 3"));
    }

    @Test
    void matmulLikeNumpy() {
      assertEquals("f32[B, T, 4]", infer("x: f32[B, T, 8], w: f32[8, 4]", "x @ w"));
      assertEquals("f32[B, 3, 5]", infer("x: f32[B, 3, 4], y: f32[B, 4, 5]", "x @ y"));
      assertEquals("f32[B, 3, 5]", infer("x: f32[B, 3, 4], y: f32[4, 5]", "x @ y"));
      assertEquals("f32[B, 3, 5]", infer("x: f32[3, 4], y: f32[B, 4, 5]", "x @ y"));
      assertEquals("f32[3]", infer("m: f32[3, 4], v: f32[4]", "m @ v"));
      assertEquals("f32[4]", infer("v: f32[3], m: f32[3, 4]", "v @ m"));
      assertEquals("f32", infer("u: f32[4], v: f32[4]", "u @ v"));
      assertEquals("f32[B, 3]", infer("m: f32[B, 3, 4], v: f32[4]", "m @ v"));
      assertEquals("f64[3, 5]", infer("x: f32[3, 4], y: f64[4, 5]", "x @ y"));
    }

    @Test
    void unaryOperators() {
      assertEquals("f32[B]", infer("x: f32[B]", "-x"));
      assertEquals("i32[B]", infer("x: i32[B]", "-x"));
      assertEquals("bool[B]", infer("b: bool[B]", "!b"));
    }

    @Test
    void powerIsRightAssociativeAndBindsTighterThanUnaryMinus() {
      assertEquals("f32[4]", infer("x: f32[4]", "-x ^ 2 ^ 0.5"));
      assertEquals("f32[4]", infer("x: f32[4], y: f32[4]", "x ^ y"));
    }

    @Test
    void transposeSwapsTheLastTwoAxes() {
      assertEquals("f32[B, 4, 3]", infer("x: f32[B, 3, 4]", "x.T"));
      assertEquals("f32[T, B]", infer("x: f32[B, T]", "x.T"));
    }

    @Test
    void indexingSelectsAndSlices() {
      assertEquals("f32[T, 4]", infer("x: f32[3, T, 4]", "x[0]"));
      assertEquals("f32[T, 4]", infer("x: f32[3, T, 4]", "x[-1]"));
      assertEquals("f32[3, 4]", infer("x: f32[3, T, 4]", "x[:, 0]"));
      assertEquals("f32[2, T, 4]", infer("x: f32[3, T, 4]", "x[1:3]"));
      assertEquals("f32[2, T, 4]", infer("x: f32[3, T, 4]", "x[:2]"));
      assertEquals("f32[1, T, 4]", infer("x: f32[3, T, 4]", "x[2:]"));
      assertEquals("f32[T]", infer("x: f32[3, T, 4]", "x[0, :, 1]"));
      assertEquals("f32", infer("x: f32[3, 4]", "x[2, 3]"));
      assertEquals("f32[3, 2]", typeOf("const K = 2\nfn f(x: f32[3, 4]) = x[:, K:]\n"));
      assertEquals("f32[B, 3]", infer("x: f32[B, 5]", "x[:, 1:-1]"));
    }

    @Test
    void literals() {
      assertEquals("f32[4]", infer("x: f32[4]", "x + 3"));
      assertEquals("f32[4]", infer("x: f32[4]", "x + 2.5 + 1e-9"));
      assertEquals("f32[4]", infer("x: f32[4]", "maximum(x, -inf)"));
      assertEquals("bool[4]", infer("x: f32[4]", "(x > 0) == true"));
    }

    @Test
    void literalOnlyExpressionsFoldToScalars() {
      assertEquals("f32", typeOf("fn f() = 2.5 * 2\n"));
      assertEquals("i32", typeOf("fn f() = 7 * 6\n"));
      assertEquals("bool", typeOf("fn f() = 1 < 2\n"));
    }

    @Test
    void listsAreShapesAndAxes() {
      assertEquals("f32[B, 2, 3]", infer("x: f32[B, 6]", "reshape(x, [B, 2, 3])"));
      assertEquals("f32[B]", infer("x: f32[B, T, 6]", "sum(x, axis=[1, 2])"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // §4 Index notation

  @Nested
  class IndexNotation {
    private static String body(String params, String stmts, String result) {
      return typeOf("dim B, T, N\nfn f(" + params + ") {\n" + stmts + "\n  return " + result + "\n}\n");
    }

    @Test
    void rangesAreInferredFromUses() {
      assertEquals("f32[T, B]", body("x: f32[B, T]", "let y[j, i] = x[i, j]", "y"));
      assertEquals("f32[B, T, 3]", body("x: f32[B, T], b: f32[3]", "let y[i, j, k] = x[i, j] + b[k]", "y"));
    }

    @Test
    void contractionWithSum() {
      assertEquals("f32[B, N]", body("a: f32[B, T], b: f32[T, N]", "let c[i, j] = sum[k](a[i, k] * b[k, j])", "c"));
    }

    @Test
    void attentionScores() {
      assertEquals("f32[B, 4, T, T]", body("q: f32[B, 4, T, 16], k: f32[B, 4, T, 16]",
          "let s[b, h, i, j] = sum[d](q[b, h, i, d] * k[b, h, j, d]) / sqrt(16)", "s"));
    }

    @ParameterizedTest
    @CsvSource({"sum", "max", "min", "mean", "prod"})
    void reductions(String op) {
      assertEquals("f32[B]", body("x: f32[B, T]", "let y[b] = " + op + "[t](x[b, t])", "y"));
      assertEquals("f32", body("x: f32[B, T]", "let y = " + op + "[b, t](x[b, t])", "y"));
    }

    @Test
    void meanOfIntegersIsFloat() {
      assertEquals("f32", body("x: i32[N]", "let m = mean[i](x[i])", "m"));
      assertEquals("i32", body("x: i32[N]", "let s = sum[i](x[i])", "s"));
    }

    @Test
    void reductionPlusBroadcastTerm() {
      assertEquals("f32[B, T, 8]", body("x: f32[B, T, 4], bias: f32[8]",
          "let y[b, t, e] = max[c](x[b, t, c]) + bias[e]", "y"));
    }

    @Test
    void plainLetOfAFullyReducedExpressionIsAScalar() {
      assertEquals("f32", body("x: f32[N], y: f32[N]", "let s = sum[i](x[i] * y[i])", "s"));
    }

    @Test
    void annotatedRangesForIndicesUsedAsValues() {
      assertEquals("f32[T, T]", body("x: f32[T]", "let m[i: T, j: T] = where(j <= i, 0.0, -inf)", "m"));
      assertEquals("i32[3, 4]", body("x: f32[T]", "let m[i: 3, j: 4] = i * 4 + j", "m"));
    }

    @Test
    void indicesAsValuesMixWithTensors() {
      assertEquals("f32[N]", body("x: f32[N]", "let y[i] = x[i] * i", "y"));
    }

    @Test
    void diagonalReads() {
      assertEquals("f32[4]", body("x: f32[4, 4]", "let d[i] = x[i, i]", "d"));
      assertEquals("f32[B, 3]", body("x: f32[B, 3, 3]", "let d[a, i] = x[a, i, i]", "d"));
      assertEquals("f32", body("x: f32[5, 5]", "let t = sum[i](x[i, i])", "t"));
    }

    @Test
    void constantSubscripts() {
      assertEquals("f32[B]", body("x: f32[B, 3]", "let y[b] = x[b, 0] + x[b, -1]", "y"));
    }

    @Test
    void affineReadsGuardedByWhere() {
      assertEquals("f32[B, T]", body("x: f32[B, T]",
          "let d[i, j] = x[i, j] - where(j >= 1, x[i, j - 1], 0.0)", "d"));
      assertEquals("f32[N]", body("x: f32[N]", "let d[i] = where(i + 1 < N, x[i + 1], 0.0) - x[i]", "d"));
    }

    @Test
    void affineReadsThatStayInside() {
      assertEquals("f32[3]", body("x: f32[5], y: f32[3]", "let d[i] = x[i + 2] - y[i]", "d"));
    }

    @Test
    void elementwiseFunctionsInsideIndexNotation() {
      assertEquals("f32[B, T]", body("x: f32[B, T], y: f32[T]", "let z[b, t] = exp(x[b, t]) * maximum(y[t], 0)", "z"));
    }

    @Test
    void comprehensionsOfOtherElementTypes() {
      assertEquals("f64[N]", body("x: f64[N]", "let y[i] = x[i] * 2.5", "y"));
      assertEquals("bool[N]", body("x: f32[N]", "let y[i] = x[i] > 0", "y"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // §6 The prelude and built-ins

  @Nested
  class Prelude {
    @ParameterizedTest
    @CsvSource({"exp", "log", "sqrt", "rsqrt", "abs", "sign", "sin", "cos", "tanh", "erf", "sigmoid", "relu",
        "gelu", "gelu_tanh", "silu", "softplus", "stop_gradient"})
    void elementwiseKeepTheType(String fn) {
      assertEquals("f32[B, T]", infer("x: f32[B, T]", fn + "(x)"));
      assertEquals("f64[3]", infer("x: f64[3]", fn + "(x)"));
      assertEquals("f16[3]", infer("x: f16[3]", fn + "(x)"));
    }

    @ParameterizedTest
    @CsvSource({"exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "erf"})
    void floatingPrimitivesOfIntegersAreFloat(String fn) {
      assertEquals("f32[3]", infer("x: i32[3]", fn + "(x)"));
    }

    @Test
    void maximumAndMinimumBroadcast() {
      assertEquals("f32[B, T]", infer("x: f32[B, T], y: f32[T]", "maximum(x, y)"));
      assertEquals("f64[B, T]", infer("x: f32[B, T], y: f64[T]", "minimum(x, y)"));
      assertEquals("f16[T]", infer("y: f16[T]", "maximum(y, 0)"));
    }

    @ParameterizedTest
    @CsvSource({"sum", "mean", "max", "min", "prod"})
    void reductions(String fn) {
      assertEquals("f32", infer("x: f32[B, T, 4]", fn + "(x)"));
      assertEquals("f32[B, 4]", infer("x: f32[B, T, 4]", fn + "(x, axis=1)"));
      assertEquals("f32[B, T]", infer("x: f32[B, T, 4]", fn + "(x, -1)"));
      assertEquals("f32[T]", infer("x: f32[B, T, 4]", fn + "(x, axis=[0, -1])"));
      assertEquals("f32[B, 1, 4]", infer("x: f32[B, T, 4]", fn + "(x, axis=1, keepdims=true)"));
      assertEquals("f32[1, 1, 1]", infer("x: f32[B, T, 4]", fn + "(x, keepdims=true)"));
    }

    @Test
    void integerReductions() {
      assertEquals("i32[B]", infer("x: i32[B, T]", "sum(x, axis=1)"));
      assertEquals("f32[B]", infer("x: i32[B, T]", "mean(x, axis=1)"));
    }

    @Test
    void variance() {
      assertEquals("f32[B, T]", infer("x: f32[B, T, 4]", "var(x)"));
      assertEquals("f32[T, 4]", infer("x: f32[B, T, 4]", "var(x, axis=0)"));
      assertEquals("f32[B, 1, 1]", infer("x: f32[B, T, 4]", "var(x, axis=[1, 2], keepdims=true)"));
    }

    @Test
    void reshape() {
      assertEquals("f32[B, 12]", infer("x: f32[B, 3, 4]", "reshape(x, [B, -1])"));
      assertEquals("f32[B, 2, 6]", infer("x: f32[B, 3, 4]", "reshape(x, [..., 2, 6])"));
      assertEquals("f32[12]", infer("x: f32[3, 4]", "reshape(x, [12])"));
    }

    @Test
    void permuteAndTranspose() {
      assertEquals("f32[4, B, 3]", infer("x: f32[B, 3, 4]", "permute(x, [2, 0, 1])"));
      assertEquals("f32[4, 3, B]", infer("x: f32[B, 3, 4]", "permute(x, [-1, -2, -3])"));
      assertEquals("f32[B, 4, 3]", infer("x: f32[B, 3, 4]", "transpose(x)"));
    }

    @Test
    void expandSqueezeUnsqueeze() {
      assertEquals("f32[B, T, 4]", infer("x: f32[T, 1]", "expand(x, [B, T, 4])"));
      assertEquals("f32[B, 4]", infer("x: f32[B, 1, 4]", "squeeze(x, 1)"));
      assertEquals("f32[B, 4]", infer("x: f32[B, 4, 1]", "squeeze(x, axis=-1)"));
      assertEquals("f32[1, B, 4]", infer("x: f32[B, 4]", "unsqueeze(x, 0)"));
      assertEquals("f32[B, 4, 1]", infer("x: f32[B, 4]", "unsqueeze(x, -1)"));
      assertEquals("f32[B, 1, 4]", infer("x: f32[B, 4]", "unsqueeze(x, axis=-2)"));
    }

    @Test
    void concatAndStack() {
      assertEquals("f32[B, 7]", infer("a: f32[B, 3], b: f32[B, 4]", "concat([a, b], axis=1)"));
      assertEquals("f32[B, 7]", infer("a: f32[B, 3], b: f32[B, 4]", "concat([a, b], -1)"));
      assertEquals("f32[2, B, 3]", infer("a: f32[B, 3], b: f32[B, 3]", "stack([a, b])"));
      assertEquals("f32[B, 3, 2]", infer("a: f32[B, 3], b: f32[B, 3]", "stack([a, b], axis=-1)"));
      assertEquals("f64[6]", infer("a: f32[3], b: f64[3]", "concat([a, b], axis=0)"));
    }

    @Test
    void sliceAndArange() {
      assertEquals("f32[B, 2]", infer("x: f32[B, 5]", "slice(x, 1, 1, 3)"));
      assertEquals("f32[B, 2]", infer("x: f32[B, 5]", "slice(x, -1, -3, -1)"));
      assertEquals("f32[B, 3]", infer("x: f32[B, 5]", "slice(x, axis=1, start=2, end=5)"));
      assertEquals("i32[7]", infer("x: f32[B]", "arange(7)"));
      assertEquals("i32[T]", infer("x: f32[B]", "arange(T)"));
    }

    @Test
    void updateSliceAndDynamicSlice() {
      assertEquals("f32[B, 8, 4]", infer("c: f32[B, 8, 4], v: f32[B, 1, 4], pos: i32", "update_slice(c, v, 1, pos)"));
      assertEquals("f32[B, 8, 4]", infer("c: f32[B, 8, 4], v: f32[B, 8, 4], pos: i32", "update_slice(c, v, axis=-2, start=pos)"));
      assertEquals("f32[B, 8, 4]", infer("c: f32[B, 8, 4], v: f32[B, 8, 2]", "update_slice(c, v, 2, 1)"));
      assertEquals("f32[B, 3, 4]", infer("c: f32[B, 8, 4], pos: i32", "dynamic_slice(c, 1, pos, 3)"));
      assertEquals("f32[B, 4]", infer("c: f32[B, 4], pos: i32", "dynamic_slice(c, 0, pos + 1, B)"));
      assertEquals("f32[2, 4]", infer("c: f32[5, 4]", "dynamic_slice(c, 0, 3, 2)"));
    }

    @Test
    void zerosAndOnesLike() {
      assertEquals("f16[B, 3]", infer("x: f16[B, 3]", "zeros_like(x)"));
      assertEquals("i32[B, 3]", infer("x: i32[B, 3]", "ones_like(x)"));
    }

    @Test
    void softmaxFamily() {
      assertEquals("f32[B, T, 8]", infer("x: f32[B, T, 8]", "softmax(x)"));
      assertEquals("f32[B, T, 8]", infer("x: f32[B, T, 8]", "softmax(x, axis=1)"));
      assertEquals("f64[B, T, 8]", infer("x: f64[B, T, 8]", "log_softmax(x)"));
      assertEquals("f32[B, T, 8]", infer("x: f32[B, T, 8]", "log_softmax(x, axis=0)"));
    }

    @Test
    void norms() {
      assertEquals("f32[B, T, 8]", infer("x: f32[B, T, 8], g: f32[8], b: f32[8]", "layer_norm(x, g, b)"));
      assertEquals("f32[B, T, 8]", infer("x: f32[B, T, 8], g: f32[8], b: f32[8]", "layer_norm(x, g, b, eps=1e-6)"));
      assertEquals("f32[B, T, 8]", infer("x: f32[B, T, 8], g: f32[8]", "rms_norm(x, g)"));
      assertEquals("f64[8]", infer("x: f64[8], g: f64[8]", "rms_norm(x, g, 1e-5)"));
    }

    @Test
    void linearAndEmbedding() {
      assertEquals("f32[B, T, 4]", infer("x: f32[B, T, 8], w: f32[8, 4], b: f32[4]", "linear(x, w, b)"));
      assertEquals("f32[4]", infer("x: f32[8], w: f32[8, 4], b: f32[4]", "linear(x, w, b)"));
      assertEquals("f32[B, T, 16]", infer("table: f32[100, 16], ids: i32[B, T]", "embedding(table, ids)"));
    }

    @Test
    void oneHotDropoutCrossEntropy() {
      assertEquals("f32[B, T, 10]", infer("ids: i32[B, T]", "one_hot(ids, 10)"));
      assertEquals("f32[B, T]", infer("x: f32[B, T]", "dropout(x, 0.1)"));
      assertEquals("f32", infer("logits: f32[B, T, 10], labels: i32[B, T]", "cross_entropy(logits, labels)"));
      assertEquals("f64", infer("logits: f64[B, 10], labels: i32[B]", "cross_entropy(logits, labels, smoothing=0.1)"));
    }

    @Test
    void dropoutInTrainingKeepsTheType() {
      assertEquals("f32[B, T]", type("dim B, T\nfn f(x: f32[B, T]) = dropout(x, 0.1)\n", "f", 0,
          RunOptions.defaults().withTraining(true)));
    }

    @Test
    void masks() {
      assertEquals("f32[T, T]", infer("x: f32[T]", "causal_mask(T)"));
      assertEquals("f32[8, 8]", infer("x: f32[T]", "causal_mask(8)"));
      assertEquals("f32[B, 1, 1, T]", infer("ids: i32[B, T]", "padding_mask(ids)"));
      assertEquals("f32[B, 1, 1, T]", infer("ids: i32[B, T]", "padding_mask(ids, pad=1)"));
    }

    @Test
    void attention() {
      assertEquals("f32[B, 4, T, 16]", infer("q: f32[B, 4, T, 16], k: f32[B, 4, T, 16], v: f32[B, 4, T, 16]",
          "attention(q, k, v, causal_mask(T))"));
      assertEquals("f32[T, 8]", infer("q: f32[T, 16], k: f32[B, 16], v: f32[B, 8], m: f32[T, B]",
          "attention(q, k, v, m)"));
    }

    @Test
    void positions() {
      assertEquals("f32[T, 16]", infer("x: f32[T]", "sinusoidal_positions(T, 16)"));
      assertEquals("f32[B, T, 16]", infer("x: f32[B, T, 16]", "rope(x)"));
      assertEquals("f64[B, T, 16]", infer("x: f64[B, T, 16]", "rope(x, base=500.0)"));
    }

    @Test
    void standardModels() {
      String src = """
          dim B, S, T
          const V = 50, D = 16, H = 4, F = 32, N = 2
          model Net {
            layer lin: Linear(D, F)
            layer norm: LayerNorm(D)
            layer emb: Embedding(V, D)
            layer ffn: FeedForward(D, F)
            layer mha: MultiHeadAttention(D, H)
            layer enc: EncoderLayer(D, H, F)
            layer dec: DecoderLayer(D, H, F)
            layer pre_enc: PreNormEncoderLayer(D, H, F)
            layer pre_dec: PreNormDecoderLayer(D, H, F)
            fn linear(x: f32[B, D]) = lin(x)
            fn norm_(x: f32[B, D]) = norm(x)
            fn embed(ids: i32[B, S]) = emb(ids)
            fn feed(x: f32[B, S, D]) = ffn(x)
            fn attend(q: f32[B, T, D], kv: f32[B, S, D], ids: i32[B, S]) = mha(q, kv, padding_mask(ids))
            fn encode(x: f32[B, S, D]) = pre_enc(enc(x, causal_mask(S)), causal_mask(S))
            fn decode(y: f32[B, T, D], m: f32[B, S, D]) = pre_dec(dec(y, m, causal_mask(T), 0), m, causal_mask(T), 0)
          }
          model Seq2Seq {
            layer t: Transformer(V, D, H, F, N)
            fn forward(src: i32[B, S], tgt: i32[B, T]) = t(src, tgt)
            fn loss(src: i32[B, S], tgt_in: i32[B, T], tgt_out: i32[B, T]) = t.loss(src, tgt_in, tgt_out)
          }
          """;
      assertEquals("f32[B, 32]", type(src, "Net.linear"));
      assertEquals("f32[B, 16]", type(src, "Net.norm_"));
      assertEquals("f32[B, S, 16]", type(src, "Net.embed"));
      assertEquals("f32[B, S, 16]", type(src, "Net.feed"));
      assertEquals("f32[B, T, 16]", type(src, "Net.attend"));
      assertEquals("f32[B, S, 16]", type(src, "Net.encode"));
      assertEquals("f32[B, T, 16]", type(src, "Net.decode"));
      assertEquals("f32[B, T, 50]", type(src, "Seq2Seq.forward"));
      assertEquals("f32", type(src, "Seq2Seq.loss"));
      List<String> names = paramNames(src, "Seq2Seq.forward");
      assertEquals("t.embed.table", names.get(0));
      assertEquals(true, names.contains("t.encoder.1.self_attn.wq"));
      assertEquals(true, names.contains("t.decoder.0.cross_attn.bo"));
    }
  }
}
