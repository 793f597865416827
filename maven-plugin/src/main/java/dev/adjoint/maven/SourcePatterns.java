package dev.adjoint.maven;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Ant-style include and exclude patterns over paths relative to a source directory, as Maven users
 * write them for every other plugin: {@code **}{@code /} is any number of folders (none included),
 * {@code *} any run of characters within one name, {@code ?} one character. Paths use {@code /}.
 */
record SourcePatterns(List<String> includes, List<String> excludes) {
  static final List<String> DEFAULT_INCLUDES = List.of("**/*.adj");

  SourcePatterns {
    includes = List.copyOf(Objects.requireNonNull(includes, "includes"));
    excludes = List.copyOf(Objects.requireNonNull(excludes, "excludes"));
  }

  /** Whether a relative path ({@code a/b/model.adj}) is included and not excluded. */
  boolean matches(String relativePath) {
    return includes.stream().anyMatch(p -> matches(p, relativePath))
        && excludes.stream().noneMatch(p -> matches(p, relativePath));
  }

  static boolean matches(String pattern, String relativePath) {
    return toRegex(pattern).matcher(relativePath).matches();
  }

  /** The pattern as a regular expression; a pattern ending in {@code /} means everything below that folder. */
  static Pattern toRegex(String pattern) {
    String p = pattern.replace('\\', '/');
    if (p.endsWith("/")) p += "**";
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (p.startsWith("**/", i)) {
        regex.append("(?:.*/)?");
        i += 2;
      } else if (p.startsWith("**", i)) {
        regex.append(".*");
        i += 1;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
