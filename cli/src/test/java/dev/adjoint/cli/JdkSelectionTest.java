package dev.adjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tools/jdk.sh}, the one place that chooses the JDK for {@code ./adjoint}, {@code ./build}
 * and {@code .ci/run}: JAVA_HOME when it is 25 or newer, else the {@code java} on the PATH, else the
 * newest JDK 25+ under the JDK folders; a clear message when there is none. The JDKs here are fakes
 * that print only the property the script reads.
 */
class JdkSelectionTest {
  private static final Path SCRIPT = Path.of("../tools/jdk.sh").toAbsolutePath().normalize();

  @TempDir Path dir;

  @Test
  void javaHomeAt25IsKept() throws Exception {
    Path jdk25 = fakeJdk("jdk-25", "25");
    fakeJdk("jvm/jdk-26", "26");
    assertEquals(List.of("0", jdk25.toString()), select(jdk25, null));
  }

  @Test
  void anOlderJavaHomeAndPathGiveWayToTheNewestJdkInTheFolders() throws Exception {
    Path jdk17 = fakeJdk("jdk-17", "17");
    Path path17 = fakeJdk("path-jdk", "17");
    fakeJdk("jvm/java-17-openjdk", "17");
    fakeJdk("jvm/temurin-25-jdk", "25");
    Path jdk26 = fakeJdk("jvm/jdk-26", "26");
    assertEquals(List.of("0", jdk26.toString()), select(jdk17, path17));
  }

  @Test
  void aJavaOnThePathAt25IsTakenBeforeTheFolders() throws Exception {
    Path path25 = fakeJdk("path-jdk", "25");
    fakeJdk("jvm/jdk-26", "26");
    assertEquals(List.of("0", path25.toString()), select(null, path25));
  }

  @Test
  void legacyVersionStringsAreReadAsTheirMajorVersion() throws Exception {
    Path jdk8 = fakeJdk("jdk-8", "1.8");
    Path jdk25 = fakeJdk("jvm/jdk-25", "25");
    assertEquals(List.of("0", jdk25.toString()), select(jdk8, null));
  }

  @Test
  void withoutAJdk25TheMessageSaysWhatWasTried() throws Exception {
    Path jdk17 = fakeJdk("jdk-17", "17");
    Files.createDirectories(dir.resolve("jvm"));
    Process p = start(jdk17, null);
    assertEquals(1, p.waitFor());
    assertEquals("adjoint: no JDK 25 or newer found; install one (e.g. Temurin 25) and set JAVA_HOME to it\n"
        + "  looked at: " + jdk17.resolve("bin/java") + " (17)\n", new String(p.getErrorStream().readAllBytes()));
  }

  /** Sources the script with this JAVA_HOME and a PATH holding only this JDK's bin (and the shell's tools). */
  private List<String> select(Path javaHome, Path onPath) throws Exception {
    Process p = start(javaHome, onPath);
    String out = new String(p.getInputStream().readAllBytes()).strip();
    String err = new String(p.getErrorStream().readAllBytes());
    int status = p.waitFor();
    assertEquals("", err);
    return List.of(Integer.toString(status), out);
  }

  private Process start(Path javaHome, Path onPath) throws IOException, InterruptedException {
    Path tools = dir.resolve("tools");
    Files.createDirectories(tools);
    for (String tool : List.of("sed", "head", "dirname", "readlink")) {
      Path link = tools.resolve(tool);
      if (!Files.exists(link)) Files.createSymbolicLink(link, Path.of("/usr/bin", tool).toRealPath());
    }
    ProcessBuilder b = new ProcessBuilder("/bin/bash", "-c",
        "source \"$1\" && adjoint_select_jdk && echo \"$JAVA_HOME\"", "bash", SCRIPT.toString());
    Map<String, String> env = b.environment();
    env.clear();
    env.put("PATH", (onPath == null ? "" : onPath.resolve("bin") + ":") + tools);
    env.put("ADJOINT_JDK_DIRS", dir.resolve("jvm").toString());
    if (javaHome != null) env.put("JAVA_HOME", javaHome.toString());
    Process p = b.start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("the script did not finish");
    return p;
  }

  /** A folder with bin/java that prints what {@code java -XshowSettings:properties -version} would. */
  private Path fakeJdk(String name, String version) throws IOException {
    Path home = dir.resolve(name);
    Path java = home.resolve("bin/java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "#!/bin/bash\necho '    java.specification.version = " + version + "' >&2\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home.toRealPath();
  }
}
