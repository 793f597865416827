package dev.adjoint.train;

import dev.adjoint.runtime.io.AtomicWrites;

import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.ArrayFileException;
import dev.adjoint.runtime.io.Safetensors;
import dev.adjoint.runtime.io.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * Training checkpoints: two {@code .safetensors} files in the run's folder.
 *
 * <ul>
 *   <li>{@value #PARAMS_FILE}: the params, by full name ({@code attn.wq}), as they are — an ordinary
 *       parameter set that {@code adjoint eval --params} reads;
 *   <li>{@value #OPTIMIZER_FILE}: the optimiser's per-param state, named {@code SLOT/PARAM}
 *       ({@code m/attn.wq}, {@code v/attn.wq}, {@code momentum_buffer/attn.wq}), and in
 *       {@code __metadata__} the step, the optimiser, the seed and the data position — everything
 *       besides the params that continuing the run bit for bit needs (dropout masks and data
 *       order are functions of the seed and step, see {@link SeededStream} and {@link Batcher}).
 * </ul>
 *
 * <p>Both files carry in their metadata {@code format} ({@value #FORMAT}), {@code step}, and
 * {@code sha256}: the SHA-256 (lower-case hex) of the file's data section (every byte after the
 * header) followed by the file's other metadata entries as {@code key=value\n} lines in key order,
 * so a flipped bit in a tensor or in a metadata value is caught. Both files are first written in
 * full to temporary files beside them (forced to disk), then renamed over the old ones, the
 * optimiser file first: an interrupted save leaves the previous checkpoint, or — stopped between
 * the two renames — files of two steps, which {@link #load} refuses rather than mixing them.
 *
 * <p>{@link #load} checks everything before returning anything and throws
 * {@link CheckpointException}s that name the file: missing, truncated or malformed, checksum
 * mismatch, a param missing or not the model's, a dtype or shape that is not the model's, a step
 * or optimiser that does not match.
 */
public final class Checkpoints {
  public static final String PARAMS_FILE = "checkpoint.safetensors";
  public static final String OPTIMIZER_FILE = "optimizer.safetensors";
  public static final String FORMAT = "adjoint-checkpoint-1";

  private static final String KEY_FORMAT = "format";
  private static final String KEY_STEP = "step";
  private static final String KEY_SHA = "sha256";
  private static final String KEY_OPTIMIZER = "optimizer";
  private static final String KEY_SEED = "seed";
  private static final String KEY_EPOCH = "epoch";
  private static final String KEY_BATCH = "batch";
  private static final List<String> RESERVED_KEYS =
      List.of(KEY_FORMAT, KEY_STEP, KEY_SHA, KEY_OPTIMIZER, KEY_SEED, KEY_EPOCH, KEY_BATCH);

  /**
   * Where a run stands, besides its tensors.
   *
   * @param step the last step done (the next is {@code step + 1})
   * @param optimizer the optimiser the slots belong to
   * @param seed the run's seed
   * @param data the data position: the next batch to train on
   * @param extra further settings to keep with the checkpoint (schedule, task, …), keys not among
   *     the reserved ones
   */
  public record TrainingState(int step, OptimizerSettings.Kind optimizer, long seed, Batcher.Position data,
      Map<String, String> extra) {
    public TrainingState {
      if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
      Objects.requireNonNull(optimizer, "optimizer");
      Objects.requireNonNull(data, "data");
      extra = java.util.Collections.unmodifiableMap(new TreeMap<>(extra));
      for (String k : extra.keySet()) {
        if (RESERVED_KEYS.contains(k)) throw new IllegalArgumentException("'" + k + "' is a reserved metadata key");
      }
    }
  }

  /** A loaded checkpoint: the params, the optimiser slots by {@code SLOT/PARAM} name, and the state. */
  public record Checkpoint(Map<String, Tensor> params, Map<String, Tensor> slots, TrainingState state) {
    public Checkpoint {
      params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
      slots = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(slots));
      Objects.requireNonNull(state, "state");
    }

    /** The state tensor {@code slot} of param {@code param}. */
    public Tensor slot(String slot, String param) {
      return slots.get(slotName(slot, param));
    }
  }

  private Checkpoints() {}

  /** The name of param {@code param}'s state {@code slot} in the optimiser file: {@code m/attn.wq}. */
  public static String slotName(String slot, String param) {
    return slot + "/" + param;
  }

  /** Whether {@code folder} holds both checkpoint files (a run to resume). */
  public static boolean exists(Path folder) {
    return Files.isRegularFile(folder.resolve(PARAMS_FILE)) && Files.isRegularFile(folder.resolve(OPTIMIZER_FILE));
  }

  /**
   * Writes both files into {@code folder}, each all at once. {@code slots} must hold every
   * {@code SLOT/PARAM} of the optimiser, each of its param's dtype and shape.
   *
   * @throws IllegalArgumentException if the slots do not match the params and optimiser
   */
  public static void save(Path folder, Map<String, Tensor> params, Map<String, Tensor> slots, TrainingState state) {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(state, "state");
    Map<String, TensorSpec> specs = TensorSpec.of(params);
    checkSlots(specs, slots, state.optimizer(), problem -> new IllegalArgumentException(problem));
    Map<String, String> optimizerMeta = new LinkedHashMap<>(state.extra());
    optimizerMeta.put(KEY_OPTIMIZER, state.optimizer().cliName());
    optimizerMeta.put(KEY_SEED, Long.toString(state.seed()));
    optimizerMeta.put(KEY_EPOCH, Integer.toString(state.data().epoch()));
    optimizerMeta.put(KEY_BATCH, Integer.toString(state.data().batch()));
    SequencedMap<Path, AtomicWrites.Content> files = new LinkedHashMap<>();
    files.put(folder.resolve(OPTIMIZER_FILE), AtomicWrites.Content.of(encode(slots, optimizerMeta, state.step())));
    files.put(folder.resolve(PARAMS_FILE), AtomicWrites.Content.of(encode(params, Map.of(), state.step())));
    AtomicWrites.writeAll(files);
  }

  /** The bytes of one checkpoint file, its metadata completed with format, step and checksum. */
  private static byte[] encode(Map<String, Tensor> tensors, Map<String, String> meta, int step) {
    Map<String, String> metadata = new TreeMap<>(meta);
    metadata.put(KEY_FORMAT, FORMAT);
    metadata.put(KEY_STEP, Integer.toString(step));
    // The data section does not depend on the metadata, so it can be hashed before the header is final.
    byte[] bare = Safetensors.toBytes(tensors, Map.of());
    metadata.put(KEY_SHA, digest(bare, dataStart(bare), metadata));
    return Safetensors.toBytes(tensors, metadata);
  }

  /**
   * Reads and checks the checkpoint in {@code folder} against the model's params and the optimiser
   * the run continues with.
   *
   * @param params the model's params: every one must be in the checkpoint, at this dtype and shape
   * @throws CheckpointException naming the file, for anything that is wrong
   */
  public static Checkpoint load(Path folder, Map<String, TensorSpec> params, OptimizerSettings.Kind optimizer) {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(optimizer, "optimizer");
    Path paramsFile = folder.resolve(PARAMS_FILE);
    Path optimizerFile = folder.resolve(OPTIMIZER_FILE);
    SafetensorsFile p = readVerified(paramsFile);
    SafetensorsFile o = readVerified(optimizerFile);
    checkParams(paramsFile, params, p.tensors());
    int step = intMeta(paramsFile, p.metadata(), KEY_STEP);
    int optimizerStep = intMeta(optimizerFile, o.metadata(), KEY_STEP);
    if (step != optimizerStep) {
      throw new CheckpointException(optimizerFile, "is at step " + optimizerStep + " but '" + paramsFile
          + "' is at step " + step + ": the run was stopped while saving; the two files do not belong together");
    }
    String savedOptimizer = meta(optimizerFile, o.metadata(), KEY_OPTIMIZER);
    if (!savedOptimizer.equals(optimizer.cliName())) {
      throw new CheckpointException(optimizerFile, "holds " + savedOptimizer + " state; the run asks for "
          + optimizer.cliName() + " (resume with --optimizer " + savedOptimizer + ")");
    }
    checkSlots(params, o.tensors(), optimizer, problem -> new CheckpointException(optimizerFile, problem));
    long seed = longMeta(optimizerFile, o.metadata(), KEY_SEED);
    int epoch = intMeta(optimizerFile, o.metadata(), KEY_EPOCH);
    int batch = intMeta(optimizerFile, o.metadata(), KEY_BATCH);
    Map<String, String> extra = new TreeMap<>(o.metadata());
    RESERVED_KEYS.forEach(extra::remove);
    Map<String, Tensor> orderedParams = new LinkedHashMap<>();
    for (String name : params.keySet()) orderedParams.put(name, p.tensors().get(name));
    return new Checkpoint(orderedParams, o.tensors(),
        new TrainingState(step, optimizer, seed, new Batcher.Position(epoch, batch), extra));
  }

  /**
   * Reads a checkpoint's params alone (for decoding with a trained model), checked as {@link #load}
   * checks them.
   */
  public static Map<String, Tensor> loadParams(Path file, Map<String, TensorSpec> params) {
    SafetensorsFile p = readVerified(file);
    checkParams(file, params, p.tensors());
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : params.keySet()) out.put(name, p.tensors().get(name));
    return out;
  }

  /**
   * The settings a run was saved with, for using a trained model later ({@code adjoint translate}):
   * the optimiser file's metadata, checked as {@link #load} checks it, without the format and the
   * checksum — {@code step}, {@code optimizer}, {@code seed}, the data position and the extra
   * settings ({@code task} or {@code data}, {@code max_len}, …).
   *
   * @throws CheckpointException naming the file if it is missing, corrupt or not a checkpoint
   */
  public static Map<String, String> savedSettings(Path folder) {
    Map<String, String> meta = new TreeMap<>(readVerified(folder.resolve(OPTIMIZER_FILE)).metadata());
    meta.remove(KEY_FORMAT);
    meta.remove(KEY_SHA);
    return java.util.Collections.unmodifiableMap(meta);
  }

  // ---- checks -------------------------------------------------------------------------------

  /** Reads {@code file} strictly and checks its format and checksum. */
  static SafetensorsFile readVerified(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file, "no such file (a checkpoint folder holds " + PARAMS_FILE + " and "
          + OPTIMIZER_FILE + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException("'" + file + "': cannot read the checkpoint: " + e, e);
    }
    SafetensorsFile content;
    try {
      content = Safetensors.readFile(file.toString(), bytes);
    } catch (ArrayFileException e) {
      throw new CheckpointException(file, "corrupt or truncated checkpoint: " + e.problem(), e);
    }
    Map<String, String> meta = content.metadata();
    if (!FORMAT.equals(meta.get(KEY_FORMAT))) {
      throw new CheckpointException(file, "not a training checkpoint: its metadata has no format '" + FORMAT + "'"
          + (meta.containsKey(KEY_FORMAT) ? " (found '" + meta.get(KEY_FORMAT) + "')" : ""));
    }
    String expected = meta.get(KEY_SHA);
    if (expected == null) throw new CheckpointException(file, "no sha256 in its metadata: cannot check it is intact");
    Map<String, String> others = new TreeMap<>(meta);
    String actual = digest(bytes, dataStart(bytes), others);
    if (!actual.equals(expected)) {
      throw new CheckpointException(file, "checksum mismatch: the file is corrupted (its data has SHA-256 "
          + actual + ", the metadata says " + expected + ")");
    }
    return content;
  }

  private static void checkParams(Path file, Map<String, TensorSpec> expected, Map<String, Tensor> found) {
    for (Map.Entry<String, TensorSpec> e : expected.entrySet()) {
      Tensor t = found.get(e.getKey());
      if (t == null) throw new CheckpointException(file, "has no tensor '" + e.getKey() + "', a param of the model");
      if (!e.getValue().matches(t)) {
        throw new CheckpointException(file, "tensor '" + e.getKey() + "' is " + TensorSpec.of(t)
            + " but the model's param is " + e.getValue());
      }
    }
    for (String name : found.keySet()) {
      if (!expected.containsKey(name)) {
        throw new CheckpointException(file, "tensor '" + name + "' is not a param of the model");
      }
    }
  }

  private static <E extends RuntimeException> void checkSlots(Map<String, TensorSpec> params,
      Map<String, Tensor> slots, OptimizerSettings.Kind optimizer, java.util.function.Function<String, E> error) {
    for (String slot : optimizer.slots()) {
      for (Map.Entry<String, TensorSpec> p : params.entrySet()) {
        String name = slotName(slot, p.getKey());
        Tensor t = slots.get(name);
        if (t == null) throw error.apply("has no " + optimizer.cliName() + " state '" + name + "'");
        if (!p.getValue().matches(t)) {
          throw error.apply("state '" + name + "' is " + TensorSpec.of(t) + " but param '" + p.getKey() + "' is "
              + p.getValue());
        }
      }
    }
    int expected = optimizer.slots().size() * params.size();
    if (slots.size() != expected) {
      for (String name : slots.keySet()) {
        int slash = name.indexOf('/');
        boolean known = slash > 0 && optimizer.slots().contains(name.substring(0, slash))
            && params.containsKey(name.substring(slash + 1));
        if (!known) throw error.apply("state '" + name + "' belongs to no param of the model");
      }
    }
  }

  private static String meta(Path file, Map<String, String> meta, String key) {
    String v = meta.get(key);
    if (v == null) throw new CheckpointException(file, "no '" + key + "' in its metadata");
    return v;
  }

  private static int intMeta(Path file, Map<String, String> meta, String key) {
    long v = longMeta(file, meta, key);
    if (v < 0 || v > Integer.MAX_VALUE) throw new CheckpointException(file, "metadata '" + key + "' is out of range: " + v);
    return (int) v;
  }

  private static long longMeta(Path file, Map<String, String> meta, String key) {
    String v = meta(file, meta, key);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new CheckpointException(file, "metadata '" + key + "' is not a number: '" + v + "'", e);
    }
  }

  // ---- checksum -----------------------------------------------------------------------------

  /** Where the data section starts: after the 8-byte length and the header (already validated). */
  private static int dataStart(byte[] bytes) {
    return 8 + (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  /** SHA-256 of the data section, then {@code key=value\n} for each metadata entry but sha256, by key. */
  private static String digest(byte[] bytes, int dataStart, Map<String, String> metadata) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    sha.update(bytes, dataStart, bytes.length - dataStart);
    for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
      if (e.getKey().equals(KEY_SHA)) continue;
      sha.update((e.getKey() + "=" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
