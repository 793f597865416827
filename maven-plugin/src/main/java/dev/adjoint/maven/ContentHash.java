package dev.adjoint.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and strings, in hex: how the build state tells a changed input from an unchanged one. */
final class ContentHash {
  private ContentHash() {}

  /** The hash of a file's bytes, or {@code "missing"} when it cannot be read (so a deleted import is a change). */
  static String ofFile(Path file) {
    try {
      return hex(Files.readAllBytes(file));
    } catch (IOException e) {
      return "missing";
    }
  }

  static String ofText(String text) {
    return hex(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
