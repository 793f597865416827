package dev.adjoint.maven;

import java.util.Optional;
import javax.lang.model.SourceVersion;

/**
 * The Java package of a model's classes: the configured one, else the folder the {@code .adj} file is in
 * below the source directory ({@code src/main/adjoint/com/example/model.adj} → {@code com.example}),
 * as protobuf and ANTLR users expect.
 */
final class PackageNames {
  private PackageNames() {}

  /**
   * @param relativePath the source below its source directory, with {@code /} separators
   * @param configured the {@code packageName} parameter, if set
   * @throws IllegalArgumentException with a message for the user when no valid package name results
   */
  static String packageFor(String relativePath, Optional<String> configured) {
    if (configured.isPresent()) {
      String name = configured.get().strip();
      if (!isPackageName(name)) {
        throw new IllegalArgumentException("<packageName>" + name + "</packageName> is not a Java package name");
      }
      return name;
    }
    int slash = relativePath.lastIndexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("no package for the generated classes: put the file in a folder named after "
          + "its package (com/example/" + relativePath + " gives com.example), or set <packageName>");
    }
    String name = relativePath.substring(0, slash).replace('/', '.');
    if (!isPackageName(name)) {
      throw new IllegalArgumentException("the folder '" + relativePath.substring(0, slash)
          + "' does not name a Java package (each folder must be a Java identifier, not a keyword); "
          + "rename it, or set <packageName>");
    }
    return name;
  }

  static boolean isPackageName(String name) {
    return !name.isEmpty() && SourceVersion.isName(name);
  }
}
