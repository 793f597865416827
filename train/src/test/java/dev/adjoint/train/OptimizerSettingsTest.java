package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerSettingsTest {
  @Test
  void adamDefaultsAreThePapers() {
    OptimizerSettings a = OptimizerSettings.defaults(OptimizerSettings.Kind.ADAM);
    assertEquals(0.9, a.beta1());
    assertEquals(0.98, a.beta2());
    assertEquals(1e-9, a.eps());
    assertEquals(0, a.weightDecay());
    assertEquals(0.01, OptimizerSettings.defaults(OptimizerSettings.Kind.ADAMW).weightDecay());
    assertEquals(0.9, OptimizerSettings.defaults(OptimizerSettings.Kind.SGD).momentum());
  }

  @Test
  void scalarsIncludeTheBiasCorrections() {
    Map<String, Double> s = OptimizerSettings.adamw(0.1).scalars(3, 1e-3, 0.5);
    assertEquals(List.of("lr", "beta1", "beta2", "eps", "weight_decay", "bias_correction1", "bias_correction2",
        "grad_scale"), List.copyOf(s.keySet()));
    assertEquals(1 - 0.9 * 0.9 * 0.9, s.get("bias_correction1"), 1e-15);
    assertEquals(1 - 0.98 * 0.98 * 0.98, s.get("bias_correction2"), 1e-15);
    assertEquals(0.5, s.get("grad_scale"));
    assertEquals(List.of("lr", "momentum", "weight_decay", "grad_scale"),
        List.copyOf(OptimizerSettings.sgd(0.9).scalars(1, 0.1, 1).keySet()));
    assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.adam().scalars(0, 1, 1));
  }

  @Test
  void slotsAndNames() {
    assertEquals(List.of("m", "v"), OptimizerSettings.adam().slots());
    assertEquals(List.of("momentum_buffer"), OptimizerSettings.sgd(0.9).slots());
    for (var k : OptimizerSettings.Kind.values()) assertEquals(k, OptimizerSettings.Kind.fromName(k.cliName()));
    var e = assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.Kind.fromName("lamb"));
    assertTrue(e.getMessage().contains("adam, adamw or sgd"), e.getMessage());
  }

  @Test
  void badHyperParametersAreRefused() {
    var k = OptimizerSettings.Kind.ADAM;
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSettings(k, 1.0, 0.98, 1e-9, 0, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSettings(k, 0.9, -0.1, 1e-9, 0, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSettings(k, 0.9, 0.98, 0, 0, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSettings(k, 0.9, 0.98, 1e-9, -1, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSettings(k, 0.9, 0.98, 1e-9, 0, 1, false));
  }

  @Test
  void clippingScalesDownOnlyAboveTheMaximum() {
    assertEquals(1.0, GradientClipping.scale(0.5, 1.0));
    assertEquals(1.0, GradientClipping.scale(0, 1.0));
    assertEquals(1.0 / (4.0 + 1e-6), GradientClipping.scale(4.0, 1.0), 1e-15);
    assertEquals(1.0, GradientClipping.scale(1e9, 0), "0 turns clipping off");
    assertEquals(1.0, GradientClipping.scale(1e9, Double.POSITIVE_INFINITY));
    assertEquals(0.0, GradientClipping.scale(Double.POSITIVE_INFINITY, 1.0));
    assertTrue(Double.isNaN(GradientClipping.scale(Double.NaN, 1.0)));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.scale(1, -1));
  }

  @Test
  void updateArgumentNames() {
    assertEquals("grad_0", UpdateArguments.gradient(0));
    assertEquals("grad_12", UpdateArguments.gradient(12));
    assertThrows(IllegalArgumentException.class, () -> UpdateArguments.gradient(-1));
  }
}
