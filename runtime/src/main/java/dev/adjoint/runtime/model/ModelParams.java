package dev.adjoint.runtime.model;

import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Safetensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The values of a model's params, one tensor per declared {@link ModelParam}, always of the
 * declared element type and shape. Each value is replaced as a whole, so a run that reads the
 * params while another thread sets one sees each param either before or after the change.
 */
public final class ModelParams {
  private final List<ModelParam> declarations;
  private final Map<String, Integer> index = new LinkedHashMap<>();
  private final AtomicReferenceArray<Tensor> values;

  private ModelParams(List<ModelParam> declarations) {
    this.declarations = List.copyOf(declarations);
    for (int i = 0; i < this.declarations.size(); i++) {
      String name = this.declarations.get(i).name();
      if (index.put(name, i) != null) throw new IllegalArgumentException("param '" + name + "' is declared twice");
    }
    this.values = new AtomicReferenceArray<>(this.declarations.size());
  }

  /** The params initialised from {@code seed} as the compiler does ({@code --seed}). */
  public static ModelParams initialized(List<ModelParam> declarations, long seed) {
    ModelParams params = new ModelParams(Objects.requireNonNull(declarations, "declarations"));
    for (int i = 0; i < params.declarations.size(); i++) params.values.set(i, params.declarations.get(i).initialValue(seed));
    return params;
  }

  /** The declarations, in the model's order. */
  public List<ModelParam> declarations() {
    return declarations;
  }

  /** The value of param {@code i} of {@link #declarations()}. */
  public Tensor get(int i) {
    return values.get(i);
  }

  /**
   * The value of the param named {@code name}.
   *
   * @throws IllegalArgumentException if the model has no such param
   */
  public Tensor get(String name) {
    return values.get(indexOf(name));
  }

  /**
   * Replaces the value of param {@code i}.
   *
   * @throws IllegalArgumentException if {@code value} is not of the param's element type and shape
   */
  public void set(int i, Tensor value) {
    values.set(i, checked(declarations.get(i), value, false));
  }

  /** As {@link #set(int, Tensor)}, by name. */
  public void set(String name, Tensor value) {
    set(indexOf(name), value);
  }

  /** Every value, by name, in declaration order: a snapshot. */
  public Map<String, Tensor> asMap() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < declarations.size(); i++) out.put(declarations.get(i).name(), values.get(i));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Replaces every value with those of {@code tensors}, which must name every param and nothing
   * else; floating-point values of another floating-point type are converted. Nothing changes
   * unless every value is good.
   *
   * @param source what the tensors come from, for messages ({@code 'params.safetensors'})
   * @throws IllegalArgumentException naming the first param that is missing, unknown, or of the
   *     wrong type or shape
   */
  public void setAll(Map<String, Tensor> tensors, String source) {
    Objects.requireNonNull(tensors, "tensors");
    for (String name : new TreeSet<>(tensors.keySet())) {
      if (!index.containsKey(name)) {
        throw new IllegalArgumentException(source + " holds '" + name + "', which is not a param of this model");
      }
    }
    List<String> missing = new ArrayList<>();
    for (ModelParam p : declarations) if (!tensors.containsKey(p.name())) missing.add(p.name());
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(source + " has no value for " + (missing.size() == 1 ? "param " : "params ")
          + String.join(", ", missing.stream().map(n -> "'" + n + "'").toList()));
    }
    Tensor[] checked = new Tensor[declarations.size()];
    for (int i = 0; i < checked.length; i++) checked[i] = checked(declarations.get(i), tensors.get(declarations.get(i).name()), true);
    for (int i = 0; i < checked.length; i++) values.set(i, checked[i]);
  }

  /**
   * Replaces every value with those of a {@code .safetensors} file, as {@link #setAll}.
   *
   * @throws dev.adjoint.runtime.io.ArrayFileException if the file is not a valid safetensors file
   * @throws java.io.UncheckedIOException if it cannot be read
   */
  public void load(Path file) {
    setAll(Safetensors.read(file), "'" + file + "'");
  }

  /**
   * Writes every value to a {@code .safetensors} file, replacing it all at once.
   *
   * @throws java.io.UncheckedIOException if it cannot be written
   */
  public void save(Path file) {
    Safetensors.write(file, asMap());
  }

  private int indexOf(String name) {
    Objects.requireNonNull(name, "name");
    Integer i = index.get(name);
    if (i == null) {
      throw new IllegalArgumentException("no param named '" + name + "'; the params are " + String.join(", ", index.keySet()));
    }
    return i;
  }

  private static Tensor checked(ModelParam p, Tensor value, boolean convertFloats) {
    Objects.requireNonNull(value, () -> "value of param '" + p.name() + "'");
    if (!Arrays.equals(value.shapeArray(), p.shapeArray())) {
      throw new IllegalArgumentException("param '" + p.name() + "' must be " + p.typeText() + ", got "
          + value.dtype().languageName() + value.shape());
    }
    if (value.dtype() == p.dtype()) return value;
    if (convertFloats && value.dtype().isFloating() && p.dtype().isFloating()) return value.cast(p.dtype());
    throw new IllegalArgumentException("param '" + p.name() + "' must be " + p.typeText() + ", got "
        + value.dtype().languageName() + value.shape());
  }
}
