package dev.adjoint.codegen.java;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The on-disk cache of {@link InProcessCompiler}: compiled classes by the key of their source. An
 * entry is a folder named by the key holding one {@code .class} file per class and a
 * {@code SHA256SUMS} file with the digest of each; an entry whose files do not match their digests
 * (truncated, altered, half-written) is ignored, and rebuilt by the next write. Every file is
 * written to a temporary file and renamed into place, the checksums last.
 */
final class CompiledClassCache {
  private static final String CHECKSUMS = "SHA256SUMS";
  private static final System.Logger LOG = System.getLogger(InProcessCompiler.class.getName());

  private final Path folder;

  CompiledClassCache(Path folder) {
    this.folder = folder;
  }

  /**
   * The classes of entry {@code key}, by binary name, if it is complete and holds {@code className};
   * empty if there is none, or it is damaged (then a warning is logged).
   */
  Optional<Map<String, byte[]>> read(String key, String className) {
    Path entry = folder.resolve(key);
    Path sums = entry.resolve(CHECKSUMS);
    if (!Files.isRegularFile(sums)) return Optional.empty();
    try {
      Map<String, byte[]> classes = new TreeMap<>();
      for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
        if (line.isBlank()) continue;
        int space = line.indexOf("  ");
        if (space != 64) return corrupt(entry, "bad line in " + CHECKSUMS);
        String digest = line.substring(0, space);
        String fileName = line.substring(space + 2);
        if (!fileName.endsWith(".class") || fileName.contains("/") || fileName.contains("\\")) {
          return corrupt(entry, "bad file name in " + CHECKSUMS);
        }
        Path file = entry.resolve(fileName);
        if (!Files.isRegularFile(file)) return corrupt(entry, fileName + " is missing");
        byte[] bytes = Files.readAllBytes(file);
        if (!sha256Hex(bytes).equals(digest)) return corrupt(entry, fileName + " does not match its checksum");
        classes.put(fileName.substring(0, fileName.length() - ".class".length()), bytes);
      }
      if (!classes.containsKey(className)) return corrupt(entry, "no class " + className);
      return Optional.of(classes);
    } catch (IOException e) {
      return corrupt(entry, e.toString());
    }
  }

  private static Optional<Map<String, byte[]>> corrupt(Path entry, String why) {
    LOG.log(System.Logger.Level.WARNING, "ignoring damaged compiled-code cache entry {0}: {1}; compiling again", entry, why);
    return Optional.empty();
  }

  /** Writes entry {@code key}: the classes, then their checksums; a folder it cannot write costs only a warning. */
  void write(String key, Map<String, byte[]> classes) {
    Path entry = folder.resolve(key);
    try {
      Files.createDirectories(entry);
      StringBuilder sums = new StringBuilder();
      for (var c : new TreeMap<>(classes).entrySet()) {
        String fileName = c.getKey() + ".class";
        writeAtomically(entry, fileName, c.getValue());
        sums.append(sha256Hex(c.getValue())).append("  ").append(fileName).append('\n');
      }
      // The checksums last: an entry is complete once they are in place.
      writeAtomically(entry, CHECKSUMS, sums.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException | UncheckedIOException e) {
      // The cache only saves time: a folder we cannot write costs a compilation next time.
      LOG.log(System.Logger.Level.WARNING, "cannot write compiled-code cache entry {0}: {1}", entry, e.toString());
    }
  }

  private static void writeAtomically(Path folder, String fileName, byte[] bytes) throws IOException {
    Path tmp = Files.createTempFile(folder, ".tmp-", ".part");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, folder.resolve(fileName), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, folder.resolve(fileName), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  private static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }
}
