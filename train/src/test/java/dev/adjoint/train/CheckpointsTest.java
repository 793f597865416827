package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Safetensors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
  @TempDir Path dir;

  private static final OptimizerSettings.Kind ADAM = OptimizerSettings.Kind.ADAM;

  private static Tensor random(Random r, int... shape) {
    int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
    return Tensor.ofFloats(shape, v);
  }

  private static Map<String, Tensor> params(Random r) {
    Map<String, Tensor> p = new LinkedHashMap<>();
    p.put("attn.wq", random(r, 4, 8));
    p.put("embed", random(r, 16, 4));
    p.put("ln.gain", random(r, 4));
    return p;
  }

  private static Map<String, Tensor> slots(Map<String, Tensor> params, List<String> names, Random r) {
    Map<String, Tensor> s = new LinkedHashMap<>();
    for (String slot : names) {
      params.forEach((k, v) -> s.put(Checkpoints.slotName(slot, k), random(r, v.shapeArray())));
    }
    return s;
  }

  private Map<String, Tensor> saved(int step) {
    Random r = new Random(3);
    Map<String, Tensor> p = params(r);
    Checkpoints.save(dir, p, slots(p, ADAM.slots(), r), new Checkpoints.TrainingState(step, ADAM, 42L,
        new Batcher.Position(2, 5), Map.of("schedule", "noam", "task", "copy")));
    return p;
  }

  @Test
  void roundTripsBitForBit() throws Exception {
    Random r = new Random(3);
    Map<String, Tensor> p = params(r);
    Map<String, Tensor> s = slots(p, ADAM.slots(), r);
    Checkpoints.TrainingState state = new Checkpoints.TrainingState(120, ADAM, -7L, new Batcher.Position(2, 5),
        Map.of("schedule", "noam"));
    Checkpoints.save(dir, p, s, state);
    assertTrue(Checkpoints.exists(dir));
    Checkpoints.Checkpoint c = Checkpoints.load(dir, TensorSpec.of(p), ADAM);
    assertEquals(p, c.params());
    assertEquals(List.copyOf(p.keySet()), List.copyOf(c.params().keySet()), "in the model's order");
    for (var e : s.entrySet()) {
      assertArrayEquals(e.getValue().floatData(), c.slots().get(e.getKey()).floatData(), e.getKey());
    }
    assertEquals(s.get("v/embed"), c.slot("v", "embed"));
    assertEquals(state, c.state());
    // The params file is an ordinary parameter set.
    assertEquals(p.keySet(), Safetensors.read(dir.resolve(Checkpoints.PARAMS_FILE)).keySet());
    assertEquals(p, Checkpoints.loadParams(dir.resolve(Checkpoints.PARAMS_FILE), TensorSpec.of(p)));
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary files left");
    }
  }

  @Test
  void savingAgainReplacesBothFiles() {
    saved(10);
    Map<String, Tensor> p = saved(20);
    assertEquals(20, Checkpoints.load(dir, TensorSpec.of(p), ADAM).state().step());
  }

  @Test
  void aTruncatedFileIsRefused() throws Exception {
    Map<String, Tensor> p = saved(10);
    Path file = dir.resolve(Checkpoints.PARAMS_FILE);
    byte[] bytes = Files.readAllBytes(file);
    for (int cut : new int[] {0, 5, 100, bytes.length - 1}) {
      Files.write(file, Arrays.copyOf(bytes, cut));
      var e = assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, TensorSpec.of(p), ADAM));
      assertTrue(e.getMessage().startsWith("'" + file + "': corrupt or truncated checkpoint"), e.getMessage());
    }
  }

  @Test
  void aFlippedBitInTheDataIsCaughtByTheChecksum() throws Exception {
    Map<String, Tensor> p = saved(10);
    for (String name : List.of(Checkpoints.PARAMS_FILE, Checkpoints.OPTIMIZER_FILE)) {
      Path file = dir.resolve(name);
      byte[] good = Files.readAllBytes(file);
      byte[] bad = good.clone();
      bad[bad.length - 7] ^= 0x10;
      Files.write(file, bad);
      var e = assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, TensorSpec.of(p), ADAM));
      assertTrue(e.getMessage().startsWith("'" + file + "': checksum mismatch"), e.getMessage());
      Files.write(file, good);
    }
  }

  @Test
  void aChangedMetadataValueIsCaughtByTheChecksum() throws Exception {
    Map<String, Tensor> p = saved(10);
    Path file = dir.resolve(Checkpoints.OPTIMIZER_FILE);
    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    assertTrue(text.contains("\"seed\":\"42\""));
    Files.write(file, text.replace("\"seed\":\"42\"", "\"seed\":\"43\"").getBytes(StandardCharsets.ISO_8859_1));
    var e = assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, TensorSpec.of(p), ADAM));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
  }

  @Test
  void aCheckpointOfAnotherModelIsRefusedNamingTheTensor() {
    Map<String, Tensor> p = saved(10);
    Map<String, TensorSpec> more = new LinkedHashMap<>(TensorSpec.of(p));
    more.put("out.bias", new TensorSpec(DType.F32, List.of(16)));
    var missing = assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, more, ADAM));
    assertTrue(missing.getMessage().endsWith("checkpoint.safetensors': has no tensor 'out.bias', a param of the model"),
        missing.getMessage());

    Map<String, TensorSpec> fewer = new LinkedHashMap<>(TensorSpec.of(p));
    fewer.remove("ln.gain");
    var extra = assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, fewer, ADAM));
    assertTrue(extra.getMessage().contains("tensor 'ln.gain' is not a param of the model"), extra.getMessage());

    Map<String, TensorSpec> reshaped = new LinkedHashMap<>(TensorSpec.of(p));
    reshaped.put("attn.wq", new TensorSpec(DType.F32, List.of(8, 4)));
    var shape = assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, reshaped, ADAM));
    assertTrue(shape.getMessage().contains("tensor 'attn.wq' is f32[4, 8] but the model's param is f32[8, 4]"),
        shape.getMessage());

    Map<String, TensorSpec> f64 = new LinkedHashMap<>(TensorSpec.of(p));
    f64.put("embed", new TensorSpec(DType.F64, List.of(16, 4)));
    assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, f64, ADAM));
  }

  @Test
  void filesOfTwoStepsAreNotMixed() throws Exception {
    saved(10);
    Path later = dir.resolve("later");
    Files.createDirectories(later);
    Random r = new Random(3);
    Map<String, Tensor> p = params(r);
    Checkpoints.save(later, p, slots(p, ADAM.slots(), r),
        new Checkpoints.TrainingState(20, ADAM, 42L, new Batcher.Position(0, 0), Map.of()));
    // As if the run stopped between writing the two files of step 20.
    Files.copy(later.resolve(Checkpoints.OPTIMIZER_FILE), dir.resolve(Checkpoints.OPTIMIZER_FILE),
        StandardCopyOption.REPLACE_EXISTING);
    var e = assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, TensorSpec.of(p), ADAM));
    assertTrue(e.getMessage().contains("is at step 20 but"), e.getMessage());
    assertTrue(e.getMessage().contains("is at step 10"), e.getMessage());
  }

  @Test
  void theOptimizerMustMatch() {
    Map<String, Tensor> p = saved(10);
    var e = assertThrows(CheckpointException.class,
        () -> Checkpoints.load(dir, TensorSpec.of(p), OptimizerSettings.Kind.SGD));
    assertTrue(e.getMessage().contains("holds adam state; the run asks for sgd (resume with --optimizer adam)"),
        e.getMessage());
  }

  @Test
  void missingAndForeignFiles() throws Exception {
    Map<String, TensorSpec> specs = TensorSpec.of(params(new Random(3)));
    var none = assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, specs, ADAM));
    assertTrue(none.getMessage().contains("checkpoint.safetensors': no such file"), none.getMessage());
    Safetensors.write(dir.resolve(Checkpoints.PARAMS_FILE), params(new Random(3)));
    var plain = assertThrows(CheckpointException.class, () -> Checkpoints.load(dir, specs, ADAM));
    assertTrue(plain.getMessage().contains("not a training checkpoint"), plain.getMessage());
  }

  @Test
  void savingRefusesIncompleteOptimizerState() {
    Random r = new Random(3);
    Map<String, Tensor> p = params(r);
    Map<String, Tensor> s = slots(p, List.of("m"), r);
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.save(dir, p, s,
        new Checkpoints.TrainingState(1, ADAM, 0, new Batcher.Position(0, 0), Map.of())));
    assertTrue(e.getMessage().contains("has no adam state 'v/attn.wq'"), e.getMessage());
    Map<String, Tensor> stray = new LinkedHashMap<>(slots(p, ADAM.slots(), r));
    stray.put("m/ghost", Tensor.zeros(DType.F32, new int[] {1}));
    var ghost = assertThrows(IllegalArgumentException.class, () -> Checkpoints.save(dir, p, stray,
        new Checkpoints.TrainingState(1, ADAM, 0, new Batcher.Position(0, 0), Map.of())));
    assertTrue(ghost.getMessage().contains("'m/ghost' belongs to no param"), ghost.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Checkpoints.TrainingState(1, ADAM, 0,
        new Batcher.Position(0, 0), Map.of("step", "3")));
  }
}
