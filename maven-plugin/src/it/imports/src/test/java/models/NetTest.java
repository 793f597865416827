package models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.adjoint.runtime.Tensor;
import org.junit.jupiter.api.Test;

/** Net calls scaled() of the imported lib/layers.adj: with w the identity, forward halves its input. */
class NetTest {
  @Test
  void theImportedFunctionRunsInTheModel() {
    Net net = new Net();
    float[] identity = new float[16];
    for (int i = 0; i < 4; i++) identity[i * 5] = 1;
    net.setW(Tensor.ofFloats(new int[] {4, 4}, identity));
    Tensor y = net.forward(Tensor.ofFloats(new int[] {1, 4}, new float[] {2, -4, 6, 1}));
    assertArrayEquals(new float[] {1, -2, 3, 0.5f}, y.floatData(), 1e-6f);
    // d sum(y) / d w[i][j] = 0.5 x[i]: the gradient goes through the imported function too.
    float[] dw = new float[16];
    float[] x = {2, -4, 6, 1};
    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) dw[i * 4 + j] = 0.5f * x[i];
    assertArrayEquals(dw, net.valueAndGrad(Tensor.ofFloats(new int[] {1, 4}, x.clone())).w().floatData(), 1e-6f);
  }
}
