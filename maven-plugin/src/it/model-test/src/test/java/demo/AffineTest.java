package demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import checks.Squares;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classes the plugin generated, used as a user would: only adjoint-runtime is on the classpath. */
class AffineTest {
  static final float[] X = {1, 2, 3, 4, -1, 0, 0.5f, 2};
  static final float[] W = {1, 0, 2, 0, 1, -1, 3, 0, 0, 0.5f, 2, 1};
  static final float[] B = {0.25f, -1, 0};

  static Affine model() {
    Affine model = new Affine(7);
    model.setW(Tensor.ofFloats(new int[] {4, 3}, W.clone()));
    model.setB(Tensor.ofFloats(new int[] {3}, B.clone()));
    return model;
  }

  static float[] expectedForward() {
    float[] y = new float[2 * 3];
    for (int r = 0; r < 2; r++) {
      for (int j = 0; j < 3; j++) {
        float s = B[j];
        for (int i = 0; i < 4; i++) s += X[r * 4 + i] * W[i * 3 + j];
        y[r * 3 + j] = s;
      }
    }
    return y;
  }

  @Test
  void forwardIsXTimesWPlusB() {
    Tensor y = model().forward(Tensor.ofFloats(new int[] {2, 4}, X.clone()));
    assertEquals(DType.F32, y.dtype());
    assertEquals(List.of(2, 3), y.shape());
    assertArrayEquals(expectedForward(), y.floatData(), 1e-5f);
  }

  @Test
  void valueAndGradGivesTheResultAndEveryGradient() {
    Affine.ValueAndGrad out = model().valueAndGrad(Tensor.ofFloats(new int[] {2, 4}, X.clone()));
    assertArrayEquals(expectedForward(), out.value().floatData(), 1e-5f);
    // d sum(y) / d w[i][j] = sum over rows of x[r][i]; / d b[j] = rows; / d x[r][i] = sum over j of w[i][j].
    float[] dw = new float[12];
    for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) dw[i * 3 + j] = X[i] + X[4 + i];
    float[] dx = new float[8];
    for (int r = 0; r < 2; r++) for (int i = 0; i < 4; i++) dx[r * 4 + i] = W[i * 3] + W[i * 3 + 1] + W[i * 3 + 2];
    assertArrayEquals(dw, out.w().floatData(), 1e-5f);
    assertArrayEquals(new float[] {2, 2, 2}, out.b().floatData(), 1e-5f);
    assertArrayEquals(dx, out.x().floatData(), 1e-5f);
    assertEquals(List.of("x", "w", "b"), List.copyOf(out.gradients().keySet()));
  }

  @Test
  void paramsComeFromTheSeedAndSurviveAFile(@TempDir Path dir) {
    assertEquals(new Affine(7).params(), new Affine(7).params());
    assertNotEquals(new Affine(7).w(), new Affine(8).w());
    Affine model = model();
    model.saveParams(dir.resolve("affine.safetensors"));
    Affine loaded = Affine.load(dir.resolve("affine.safetensors"));
    assertArrayEquals(W, loaded.w().floatData());
    assertArrayEquals(B, loaded.b().floatData());
  }

  @Test
  void aWrongShapeIsRefusedWithAMessage() {
    var e = assertThrows(IllegalArgumentException.class, () -> model().forward(Tensor.ofFloats(new int[] {2, 3}, new float[6])));
    assertEquals("argument 'x' axis 1 has size 3, expected 4", e.getMessage());
  }

  @Test
  void aTestOnlyModelFromSrcTestAdjoint() {
    Squares.ValueAndGrad out = new Squares().valueAndGrad(Tensor.ofFloats(new int[] {3}, new float[] {1, -2, 3}));
    assertEquals(14.0, out.value().getDouble(0), 1e-6);
    assertArrayEquals(new float[] {2, -4, 6}, out.x().floatData(), 1e-6f);
  }
}
