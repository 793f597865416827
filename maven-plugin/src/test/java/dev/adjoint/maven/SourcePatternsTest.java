package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SourcePatternsTest {
  static Stream<Arguments> patterns() {
    return Stream.of(
        Arguments.of("**/*.adj", "model.adj", true),        // **/ matches no folder at all
        Arguments.of("**/*.adj", "a/b/model.adj", true),
        Arguments.of("**/*.adj", "model.adjx", false),
        Arguments.of("**/*.adj", "a/model.txt", false),
        Arguments.of("*.adj", "model.adj", true),
        Arguments.of("*.adj", "a/model.adj", false),         // * stays within one name
        Arguments.of("lib/**", "lib/a/b.adj", true),
        Arguments.of("lib/**", "src/lib/b.adj", false),
        Arguments.of("lib/", "lib/b.adj", true),             // a trailing slash is everything below
        Arguments.of("**/lib/*.adj", "x/lib/b.adj", true),
        Arguments.of("**/lib/*.adj", "lib/b.adj", true),
        Arguments.of("m?del.adj", "model.adj", true),
        Arguments.of("m?del.adj", "m/del.adj", false),
        Arguments.of("a.b(c)+.adj", "a.b(c)+.adj", true),    // regex characters are literal
        Arguments.of("a.b(c)+.adj", "aXb(c)+.adj", false),
        Arguments.of("lib\\*.adj", "lib/x.adj", true));      // Windows separators in a pattern
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @MethodSource("patterns")
  void matchesLikeAnt(String pattern, String path, boolean expected) {
    assertEquals(expected, SourcePatterns.matches(pattern, path));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("selections")
  void anExcludeWinsOverAnInclude(String path, boolean expected) {
    SourcePatterns p = new SourcePatterns(List.of("**/*.adj"), List.of("lib/**", "**/draft_*.adj"));
    assertEquals(expected, p.matches(path));
  }

  static Stream<Arguments> selections() {
    return Stream.of(
        Arguments.of("model.adj", true),
        Arguments.of("lib/layers.adj", false),
        Arguments.of("x/draft_one.adj", false),
        Arguments.of("x/one.adj", true));
  }
}
