package dev.adjoint.codegen.java;

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
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The part of a golden case (compiler/src/test/resources/goldens/NAME) the Java backend tests
 * need: the program, its entry, dtype and dims, the inputs, the params and the cotangent. The
 * expected outputs are not read: the oracle here is the kernel interpreter.
 */
record GoldenCase(String name, Path program, String entry, DType dtype, Map<String, Long> dims,
    Map<String, Tensor> inputs, Map<String, Tensor> params, Optional<Tensor> cotangent, boolean hasGradients) {

  /** The golden folders, sorted by name. */
  static List<Path> folders() {
    Path root = Path.of("..", "compiler", "src", "test", "resources", "goldens").toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) throw new IllegalStateException("no golden cases at " + root);
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GoldenCase load(Path folder) {
    String name = folder.getFileName().toString();
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(folder.resolve("case.properties"), StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": cannot read case.properties", e);
    }
    Map<String, Tensor> inputs = new TreeMap<>();
    Map<String, Tensor> params = new TreeMap<>();
    Tensor cotangent = null;
    boolean gradients = !properties.getProperty("grad_skip", "").isBlank();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(folder)) {
      s.sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path file : files) {
      String fileName = file.getFileName().toString();
      if (!fileName.endsWith(".npy")) continue;
      String stem = fileName.substring(0, fileName.length() - ".npy".length());
      if (stem.startsWith("input_")) inputs.put(stem.substring("input_".length()), Npy.read(file));
      else if (stem.startsWith("param_")) params.put(stem.substring("param_".length()), Npy.read(file));
      else if (stem.equals("cotangent")) cotangent = Npy.read(file);
      else if (stem.startsWith("grad_")) gradients = true;
    }
    Map<String, Long> dims = new LinkedHashMap<>();
    String dimText = properties.getProperty("dims", "");
    if (!dimText.isBlank()) {
      for (String item : dimText.split(",")) {
        String[] parts = item.split("=", -1);
        dims.put(parts[0].strip(), Long.parseLong(parts[1].strip()));
      }
    }
    return new GoldenCase(name, folder.resolve("program.adj"), properties.getProperty("entry").strip(),
        DType.fromName(properties.getProperty("dtype", "f64").strip()), dims, inputs, params,
        Optional.ofNullable(cotangent), gradients);
  }

  @Override
  public String toString() {
    return name;
  }
}
