package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

/** How errors reach Maven: each one logged in full, their first lines again in the failure that ends the build. */
class MojoFailureTest {
  @Test
  void everyErrorIsLoggedAndSummarised() {
    CheckMojo mojo = new CheckMojo();
    RecordingLog log = new RecordingLog();
    mojo.setLog(log);
    List<String> errors = List.of("/p/a.adj:3:11: error: unknown name 'zz'\n  x + zz\n      ^~",
        "/p/b.adj: error: no package for the generated classes");
    Generation.Outcome outcome = new Generation.Outcome(2, 2, 0, 0, 0, errors, 2, 2);

    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo.failOnErrors(outcome));

    assertEquals("2 errors in 2 .adj files:\n/p/a.adj:3:11: error: unknown name 'zz'\n"
        + "/p/b.adj: error: no package for the generated classes", e.getMessage());
    assertEquals(List.of("ERROR " + errors.get(0), "ERROR " + errors.get(1)), log.lines);
  }

  @Test
  void oneErrorIsSingular() {
    CheckMojo mojo = new CheckMojo();
    mojo.setLog(new RecordingLog());
    Generation.Outcome outcome = new Generation.Outcome(1, 1, 0, 0, 0, List.of("/p/a.adj:1:1: error: x"), 1, 1);
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo.failOnErrors(outcome));
    assertEquals("1 error in 1 .adj file:\n/p/a.adj:1:1: error: x", e.getMessage());
  }
}
