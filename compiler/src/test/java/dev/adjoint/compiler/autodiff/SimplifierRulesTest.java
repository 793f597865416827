package dev.adjoint.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.Constant;
import dev.adjoint.compiler.ir.DotGeneral;
import dev.adjoint.compiler.ir.Emitter;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.GraphBuilder;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Reshape;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.StopGradient;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Transpose;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.ir.Verifier;
import dev.adjoint.runtime.DType;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One small test per rewrite rule: a graph before, its simplified form as an S-expression after. */
class SimplifierRulesTest {
  private static final TensorType VEC = new TensorType(DType.F64, Shape.ofConstants(3));
  private static final TensorType MAT = new TensorType(DType.F64, Shape.ofConstants(2, 3));

  /** Builds the body from inputs x, y (f64[3]) and a (f64[2, 3]). */
  record Case(String rule, BiFunction<Emitter, Node[], Node> body, String expected) {
    @Override
    public String toString() {
      return rule;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c("x + 0 -> x", (e, in) -> e.add(in[0], e.fullLike(0, in[0])), "x"),
        c("x - 0 -> x", (e, in) -> e.sub(in[0], e.fullLike(0, in[0])), "x"),
        c("0 - x -> -x", (e, in) -> e.sub(e.fullLike(0, in[0]), in[0]), "(neg x)"),
        c("x * 1 -> x", (e, in) -> e.mul(e.fullLike(1, in[0]), in[0]), "x"),
        c("x * 0 -> 0", (e, in) -> e.mul(in[0], e.fullLike(0, in[0])), "(broadcast (constant 0))"),
        c("x * -1 -> -x", (e, in) -> e.mul(in[0], e.fullLike(-1, in[0])), "(neg x)"),
        c("x / 1 -> x", (e, in) -> e.div(in[0], e.fullLike(1, in[0])), "x"),
        c("0 / x -> 0", (e, in) -> e.div(e.fullLike(0, in[0]), in[0]), "(broadcast (constant 0))"),
        c("x ^ 1 -> x", (e, in) -> e.binary(Binary.Fn.POW, in[0], e.fullLike(1, in[0])), "x"),
        c("x ^ 2 -> x * x", (e, in) -> e.binary(Binary.Fn.POW, in[0], e.fullLike(2, in[0])), "(mul x x)"),
        c("-(-x) -> x", (e, in) -> e.neg(e.neg(in[0])), "x"),
        c("a + (-b) -> a - b", (e, in) -> e.add(in[0], e.neg(in[1])), "(sub x y)"),
        c("a - (-b) -> a + b", (e, in) -> e.sub(in[0], e.neg(in[1])), "(add x y)"),
        c("where(c, x, x) -> x", (e, in) -> e.select(e.binary(Binary.Fn.LT, in[0], in[1]), in[0], in[0]), "x"),
        c("where(c, 0, 0) -> 0", (e, in) -> e.select(e.binary(Binary.Fn.LT, in[0], in[1]), e.fullLike(0, in[0]),
            e.mul(e.fullLike(0, in[0]), in[1])), "(broadcast (constant 0))"),
        c("stop_gradient(x) -> x", (e, in) -> e.node(new StopGradient(), in[0]), "x"),
        c("fold unary", (e, in) -> e.add(in[0], e.unary(Unary.Fn.EXP, e.fullLike(0, in[0]))), "(add x (broadcast (constant 1)))"),
        c("fold binary", (e, in) -> e.mul(in[0], e.add(e.fullLike(2, in[0]), e.fullLike(3, in[0]))), "(mul x (broadcast (constant 5)))"),
        c("fold cast", (e, in) -> e.mul(in[0], e.cast(e.full(2.5, new TensorType(DType.F32, VEC.shape())), DType.F64)),
            "(mul x (broadcast (constant 2.5)))"),
        c("fold where", (e, in) -> e.select(e.binary(Binary.Fn.LT, e.fullLike(0, in[0]), e.fullLike(1, in[0])), in[0], in[1]), "x"),
        c("fold layout of a constant", (e, in) -> e.mul(in[0], e.node(new Reshape(VEC.shape()),
            e.full(4, new TensorType(DType.F64, Shape.ofConstants(1, 3))))), "(mul x (broadcast (constant 4)))"),
        c("fold reduction of a constant", (e, in) -> e.add(in[0], e.broadcast(e.reduce(Reduce.Fn.SUM, e.full(2, MAT), List.of(0, 1)),
            VEC.shape())), "(add x (broadcast (constant 12)))"),
        c("reshape(x) -> x when shapes match", (e, in) -> e.node(new Reshape(VEC.shape()), in[0]), "x"),
        c("reshape(reshape(x)) -> reshape(x)", (e, in) -> e.node(new Reshape(Shape.ofConstants(6)),
            e.node(new Reshape(Shape.ofConstants(3, 2)), in[2])), "(reshape a)"),
        c("transpose(x, identity) -> x", (e, in) -> e.node(new Transpose(List.of(0, 1)), in[2]), "a"),
        c("transpose(transpose(x)) -> transpose(x)", (e, in) -> e.node(new Transpose(List.of(1, 0)),
            e.node(new Transpose(List.of(1, 0)), in[2])), "a"),
        c("broadcast(broadcast(x)) -> broadcast(x)", (e, in) -> e.node(new Broadcast(Shape.ofConstants(4, 2, 3), List.of(1, 2)),
            e.node(new Broadcast(MAT.shape(), List.of(1)), in[0])), "(broadcast x)"),
        c("broadcast(x with unit axes) -> broadcast(x)", (e, in) -> e.node(new Broadcast(MAT.shape(), List.of(0, 1)),
            e.node(new Reshape(Shape.ofConstants(1, 3)), in[0])), "(broadcast x)"),
        c("sum(a * b) over shared axes -> dot_general", (e, in) -> e.reduce(Reduce.Fn.SUM,
            e.mul(e.node(new Broadcast(Shape.ofConstants(2, 2, 3), List.of(0, 2)), in[2]),
                e.node(new Broadcast(Shape.ofConstants(2, 2, 3), List.of(1, 2)), in[2])), List.of(2)), "(dot_general a a)"),
        c("reduce(broadcast(x)) -> broadcast(reduce(x))", (e, in) -> e.reduce(Reduce.Fn.MAX,
            e.node(new Broadcast(Shape.ofConstants(4, 2, 3), List.of(1, 2)), in[2]), List.of(2)), "(broadcast (reduce_max a))"),
        c("dot(constant, x) -> c * broadcast(sum(x))", (e, in) -> e.node(new DotGeneral(List.of(), List.of(), List.of(1), List.of(1)),
            e.full(2, MAT), in[2]), "(mul (broadcast (reduce_sum a)) (broadcast (constant 2)))"),
        c("transpose(a . b) -> b . a", (e, in) -> e.node(new Transpose(List.of(1, 0)),
            e.node(new DotGeneral(List.of(), List.of(), List.of(1), List.of(0)), in[2], e.node(new Transpose(List.of(1, 0)), in[2]))),
            "(dot_general (transpose a) a)"),
        c("log(exp(x)) -> x", (e, in) -> e.unary(Unary.Fn.LOG, e.unary(Unary.Fn.EXP, in[0])), "x"),
        c("log(exp(a) / b) -> a - log(b)", (e, in) -> e.unary(Unary.Fn.LOG, e.div(e.unary(Unary.Fn.EXP, in[0]), in[1])),
            "(sub x (log y))"),
        c("log(broadcast(x)) -> broadcast(log(x))", (e, in) -> e.unary(Unary.Fn.LOG, e.broadcast(in[0], MAT.shape())),
            "(broadcast (log x))"));
  }

  private static Arguments c(String rule, BiFunction<Emitter, Node[], Node> body, String expected) {
    return Arguments.of(new Case(rule, body, expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void ruleRewrites(Case c) {
    assertEquals(c.expected(), simplified(c.body()));
  }

  @Test
  void aRowSumOfAProductStaysAReduction() {
    // No free axis on one side: a variance or a scale's gradient, left to the reduction fusion.
    assertEquals("(reduce_sum (mul (broadcast x) a))", simplified((e, in) -> e.reduce(Reduce.Fn.SUM,
        e.mul(e.node(new Broadcast(MAT.shape(), List.of(1)), in[0]), in[2]), List.of(1))));
  }

  @Test
  void everyRuleHasATest() {
    List<String> tested = cases().map(a -> ((Case) a.get()[0]).rule()).toList();
    List<String> all = Simplifier.PASSES.stream().flatMap(p -> p.rules().stream()).map(Rule::name).toList();
    List<String> missing = all.stream().filter(r -> !tested.contains(r) && !r.startsWith("log(sum(exp(x)))")).toList();
    assertEquals(List.of(), missing);
  }

  @Test
  void logSumExpIsShiftedByItsMaximum() {
    String out = simplified((e, in) -> e.unary(Unary.Fn.LOG, e.reduce(Reduce.Fn.SUM, e.unary(Unary.Fn.EXP, in[0]), List.of(0))));
    assertEquals("(add (select (eq (abs (reduce_max x)) (constant Infinity)) (constant 0) (reduce_max x))"
        + " (log (reduce_sum (exp (sub x (broadcast (select (eq (abs (reduce_max x)) (constant Infinity))"
        + " (constant 0) (reduce_max x))))))))", out);
  }

  @Test
  void logOfSoftmaxBecomesLogSoftmax() {
    // log(e / broadcast(sum(e))) with e = exp(x - m): the stable (x - m) - log(sum(e)).
    String out = simplified((e, in) -> {
      Node shifted = e.sub(in[0], e.broadcast(e.reshape(e.reduce(Reduce.Fn.MAX, in[0], List.of(0)), Shape.ofConstants(1)), VEC.shape()));
      Node ex = e.unary(Unary.Fn.EXP, shifted);
      Node sum = e.broadcast(e.reshape(e.reduce(Reduce.Fn.SUM, ex, List.of(0)), Shape.ofConstants(1)), VEC.shape());
      return e.unary(Unary.Fn.LOG, e.div(ex, sum));
    });
    assertEquals("(sub (sub x (broadcast (reduce_max x))) (broadcast (log (reduce_sum (exp (sub x"
        + " (broadcast (reduce_max x))))))))", out);
  }

  private static String simplified(BiFunction<Emitter, Node[], Node> body) {
    GraphBuilder b = new GraphBuilder();
    Emitter e = new Emitter(b);
    Node x = b.add(new Input("x", Input.Kind.ARGUMENT, VEC));
    Node y = b.add(new Input("y", Input.Kind.ARGUMENT, VEC));
    Node a = b.add(new Input("a", Input.Kind.ARGUMENT, MAT));
    Node out = body.apply(e, new Node[] {x, y, a});
    Graph g = Simplifier.simplify(new Graph("t", List.of(x, y, a), List.of(), List.of(out)));
    Verifier.verify(g);
    return sexpr(g.outputs().get(0));
  }

  static String sexpr(Node n) {
    if (n.op() instanceof Input in) return in.name();
    String head = n.op() instanceof Constant c ? "constant " + formatted(c.value()) : n.op().describe().split(" ")[0];
    if (n.inputs().isEmpty()) return "(" + head + ")";
    return "(" + head + " " + n.inputs().stream().map(SimplifierRulesTest::sexpr).collect(Collectors.joining(" ")) + ")";
  }

  private static String formatted(double v) {
    return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
