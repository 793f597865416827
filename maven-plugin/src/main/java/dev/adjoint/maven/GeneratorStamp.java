package dev.adjoint.maven;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.CodeSource;

/**
 * Identifies the code that generates: the plugin's version and, for each jar (or class folder) the
 * generated text depends on, its location, size and time. A new compiler, or a snapshot built again,
 * changes the stamp, and every model is generated again with it; a release stays the same until upgraded.
 */
final class GeneratorStamp {
  private GeneratorStamp() {}

  static String of(String pluginVersion) {
    StringBuilder out = new StringBuilder(pluginVersion);
    for (Class<?> c : new Class<?>[] {
        GeneratorStamp.class, dev.adjoint.compiler.Compilation.class, dev.adjoint.codegen.java.ModelGenerator.class,
        dev.adjoint.codegen.cuda.CudaGenerator.class}) {
      out.append('\n').append(codeStamp(c));
    }
    return out.toString();
  }

  private static String codeStamp(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) return c.getName() + " (no code source)";
    try {
      Path location = Path.of(source.getLocation().toURI());
      BasicFileAttributes a = Files.readAttributes(location, BasicFileAttributes.class);
      if (a.isDirectory()) {
        // A class folder (tests, an IDE): its own class file changes when it is compiled again.
        Path classFile = location.resolve(c.getName().replace('.', '/') + ".class");
        a = Files.readAttributes(classFile, BasicFileAttributes.class);
      }
      return location + " " + a.size() + " " + a.lastModifiedTime().toMillis();
    } catch (IOException | URISyntaxException | IllegalArgumentException e) {
      return source.getLocation() + " (unreadable)";
    }
  }
}
