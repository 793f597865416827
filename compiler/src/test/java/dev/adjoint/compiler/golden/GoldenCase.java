package dev.adjoint.compiler.golden;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One folder of {@code goldens/}: a program, how to run it, and what PyTorch computed (see
 * tools/reference/README.md).
 *
 * <pre>
 *   program.adj        the program
 *   case.properties    entry=, dtype=f64, and optionally dims=B=2,T=3  rtol=  atol=  description=
 *                      grad_rtol=  grad_atol=  grad_skip=NAME,NAME
 *                      as_written_rtol=  as_written_atol=
 *   input_NAME.npy     the entry's argument NAME
 *   param_NAME.npy     the param with full name NAME (e.g. encoder.0.self_attn.wq)
 *   output.npy         the result, or output_0.npy, output_1.npy, ... for a tuple
 *   grad_NAME.npy      the gradient for the float argument or param NAME
 *   cotangent.npy      the seed of a single non-scalar output's gradient (else ones, or 1)
 * </pre>
 *
 * <p>A case with gradients has a grad file for every float argument and param, except those named
 * in {@code grad_skip} (deliberately left out by the reference script, which says why).
 *
 * <p>A case with {@code as_written_rtol} or {@code as_written_atol} also runs with its types as
 * written (no dtype forced on its floats: an f32 {@code causal_mask} in an f64 program stays f32
 * and is promoted where it meets the f64 values), compared with the same goldens at those
 * tolerances (each defaults to the case's own).
 */
record GoldenCase(
    String name,
    Path program,
    String entry,
    DType dtype,
    Map<String, Long> dims,
    double rtol,
    double atol,
    String description,
    Map<String, Tensor> inputs,
    Map<String, Tensor> params,
    List<Tensor> outputs,
    Map<String, Tensor> gradients,
    Optional<Tensor> cotangent,
    Set<String> gradSkip,
    double gradRtol,
    double gradAtol,
    Optional<Tolerance> asWritten) {

  /** How close a result must be: {@code |actual - expected| <= atol + rtol * |expected|}. */
  record Tolerance(double rtol, double atol) {}

  static final double DEFAULT_TOLERANCE = 1e-12;
  static final double DEFAULT_GRAD_RTOL = 1e-9;
  static final double DEFAULT_GRAD_ATOL = 1e-10;

  private static final Set<String> KEYS = Set.of("entry", "dtype", "dims", "rtol", "atol", "description",
      "grad_rtol", "grad_atol", "grad_skip", "as_written_rtol", "as_written_atol");
  private static final Pattern OUTPUT = Pattern.compile("output(?:_(\\d+))?\\.npy");

  static GoldenCase load(Path folder) {
    String name = folder.getFileName().toString();
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(folder.resolve("case.properties"), StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": cannot read case.properties", e);
    }
    for (String key : properties.stringPropertyNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(name + "/case.properties: unknown key '" + key + "' (known: " + KEYS + ")");
      }
    }
    String entry = properties.getProperty("entry");
    if (entry == null || entry.isBlank()) {
      throw new IllegalArgumentException(name + "/case.properties: 'entry' is missing");
    }
    Path program = folder.resolve("program.adj");
    if (!Files.isRegularFile(program)) {
      throw new IllegalArgumentException(name + ": program.adj is missing");
    }

    Map<String, Tensor> inputs = new TreeMap<>();
    Map<String, Tensor> params = new TreeMap<>();
    Map<Integer, Tensor> numbered = new TreeMap<>();
    Map<String, Tensor> gradients = new TreeMap<>();
    Tensor cotangent = null;
    Tensor single = null;
    for (Path file : list(folder)) {
      String fileName = file.getFileName().toString();
      if (!fileName.endsWith(".npy")) {
        continue;
      }
      String stem = fileName.substring(0, fileName.length() - ".npy".length());
      Matcher output = OUTPUT.matcher(fileName);
      if (stem.startsWith("input_")) {
        inputs.put(stem.substring("input_".length()), Npy.read(file));
      } else if (stem.startsWith("param_")) {
        params.put(stem.substring("param_".length()), Npy.read(file));
      } else if (stem.startsWith("grad_")) {
        gradients.put(stem.substring("grad_".length()), Npy.read(file));
      } else if (stem.equals("cotangent")) {
        cotangent = Npy.read(file);
      } else if (output.matches()) {
        if (output.group(1) == null) {
          single = Npy.read(file);
        } else {
          numbered.put(Integer.parseInt(output.group(1)), Npy.read(file));
        }
      } else {
        throw new IllegalArgumentException(name + ": unexpected file " + fileName);
      }
    }
    List<Tensor> outputs = new ArrayList<>();
    if (single != null) {
      if (!numbered.isEmpty()) {
        throw new IllegalArgumentException(name + ": both output.npy and output_N.npy");
      }
      outputs.add(single);
    } else {
      for (int i = 0; i < numbered.size(); i++) {
        Tensor t = numbered.get(i);
        if (t == null) {
          throw new IllegalArgumentException(name + ": output_" + i + ".npy is missing");
        }
        outputs.add(t);
      }
    }
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException(name + ": no output.npy");
    }
    Set<String> gradSkip = new TreeSet<>();
    for (String item : properties.getProperty("grad_skip", "").split(",")) {
      if (!item.isBlank()) gradSkip.add(item.strip());
    }
    if (cotangent != null && gradients.isEmpty() && gradSkip.isEmpty()) {
      throw new IllegalArgumentException(name + ": cotangent.npy without grad_*.npy or grad_skip");
    }

    return new GoldenCase(
        name,
        program,
        entry.strip(),
        DType.fromName(properties.getProperty("dtype", "f64").strip()),
        parseDims(name, properties.getProperty("dims", "")),
        tolerance(name, properties, "rtol", DEFAULT_TOLERANCE),
        tolerance(name, properties, "atol", DEFAULT_TOLERANCE),
        properties.getProperty("description", "").strip(),
        inputs,
        params,
        outputs,
        gradients,
        Optional.ofNullable(cotangent),
        gradSkip,
        tolerance(name, properties, "grad_rtol", DEFAULT_GRAD_RTOL),
        tolerance(name, properties, "grad_atol", DEFAULT_GRAD_ATOL),
        asWritten(name, properties));
  }

  private static Optional<Tolerance> asWritten(String name, Properties properties) {
    if (properties.getProperty("as_written_rtol") == null && properties.getProperty("as_written_atol") == null) {
      return Optional.empty();
    }
    double rtol = tolerance(name, properties, "rtol", DEFAULT_TOLERANCE);
    double atol = tolerance(name, properties, "atol", DEFAULT_TOLERANCE);
    return Optional.of(new Tolerance(tolerance(name, properties, "as_written_rtol", rtol),
        tolerance(name, properties, "as_written_atol", atol)));
  }

  /**
   * The inputs at the element types the entry declares when run as written: the {@code .npy}
   * files hold every float as f64.
   */
  Map<String, Tensor> inputsAsDeclared(Map<String, DType> declared) {
    Map<String, Tensor> out = new TreeMap<>();
    inputs.forEach((k, t) -> {
      DType want = declared.getOrDefault(k, t.dtype());
      out.put(k, t.dtype().isFloating() && want.isFloating() ? t.cast(want) : t);
    });
    return out;
  }

  /** Whether the gradient test runs this case: it has gradients, or skips every one on purpose. */
  boolean hasGradients() {
    return !gradients.isEmpty() || !gradSkip.isEmpty();
  }

  /** {@code B=2,T=3} → {B: 2, T: 3}. */
  static Map<String, Long> parseDims(String name, String text) {
    Map<String, Long> dims = new LinkedHashMap<>();
    if (text.isBlank()) {
      return dims;
    }
    for (String item : text.split(",")) {
      String[] parts = item.split("=", -1);
      if (parts.length != 2 || parts[0].isBlank()) {
        throw new IllegalArgumentException(name + "/case.properties: bad dims entry '" + item
            + "', expected NAME=SIZE");
      }
      dims.put(parts[0].strip(), Long.parseLong(parts[1].strip()));
    }
    return dims;
  }

  private static double tolerance(String name, Properties properties, String key, double byDefault) {
    String text = properties.getProperty(key);
    if (text == null || text.isBlank()) {
      return byDefault;
    }
    double value = Double.parseDouble(text.strip());
    if (!(value >= 0)) {
      throw new IllegalArgumentException(name + "/case.properties: " + key + " must be >= 0, got " + text);
    }
    return value;
  }

  private static List<Path> list(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      return files.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }

  @Override
  public String toString() {
    return name + (description.isEmpty() ? "" : " (" + description + ")");
  }
}
