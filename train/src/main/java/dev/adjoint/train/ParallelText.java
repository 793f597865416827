package dev.adjoint.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parallel text for {@code adjoint train --data FILE.tsv}: UTF-8, one {@code source<TAB>target}
 * pair per line. A byte-order mark, Windows line ends and blank lines are accepted; everything
 * else that is not a pair is refused with the file and line: an empty file, a line without a tab
 * or with more than one, an empty source or target (also one with no tokens), bytes that are not
 * UTF-8.
 */
public final class ParallelText {
  /** One line of the file. */
  public record Pair(String source, String target, int line) {
    public Pair {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(target, "target");
    }
  }

  /**
   * Tokenized, encoded data and its vocabulary.
   *
   * @param vocabulary the vocabulary the examples are encoded with
   * @param examples the pairs that fit {@code maxLen}, in file order
   * @param skippedTooLong how many pairs had a side longer than {@code maxLen} tokens and were left out
   */
  public record Dataset(Vocabulary vocabulary, List<Example> examples, int skippedTooLong) {
    public Dataset {
      Objects.requireNonNull(vocabulary, "vocabulary");
      examples = List.copyOf(examples);
    }
  }

  private ParallelText() {}

  /**
   * The pairs of {@code file}, in order.
   *
   * @throws DataException naming the file and line of the first problem
   * @throws UncheckedIOException naming the file if it cannot be read
   */
  public static List<Pair> read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DataException("'" + file + "': no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("'" + file + "': cannot read the file: " + e, e);
    }
    return parse(file.toString(), bytes);
  }

  /** The pairs in the bytes of a TSV file; {@code source} names it in messages. */
  public static List<Pair> parse(String source, byte[] bytes) {
    if (bytes.length == 0) throw new DataException("'" + source + "': the file is empty; expected source<TAB>target lines");
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new DataException("'" + source + "': the file is not valid UTF-8 text", e);
    }
    if (text.startsWith("\uFEFF")) text = text.substring(1);
    List<Pair> pairs = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      if (line.isBlank()) continue;
      String where = "'" + source + "' line " + (i + 1) + ": ";
      int tab = line.indexOf('\t');
      if (tab < 0) throw new DataException(where + "no tab; expected source<TAB>target");
      if (line.indexOf('\t', tab + 1) >= 0) {
        throw new DataException(where + (line.split("\t", -1).length) + " tab-separated fields; expected two, source<TAB>target");
      }
      String src = line.substring(0, tab);
      String tgt = line.substring(tab + 1);
      if (src.isEmpty()) throw new DataException(where + "empty source (nothing before the tab)");
      if (tgt.isEmpty()) throw new DataException(where + "empty target (nothing after the tab)");
      pairs.add(new Pair(src, tgt, i + 1));
    }
    if (pairs.isEmpty()) throw new DataException("'" + source + "': the file has only blank lines; expected source<TAB>target lines");
    return pairs;
  }

  /**
   * Reads, tokenizes and encodes {@code file} with a vocabulary built from all of it (see
   * {@link Vocabulary#fromSentences}), leaving out pairs with a side longer than {@code maxLen}.
   *
   * @throws DataException if the file is bad, a side has no tokens, or no pair fits {@code maxLen}
   */
  public static Dataset load(Path file, Tokenizer tokenizer, int maxLen) {
    List<Pair> pairs = read(file);
    List<List<String>> sentences = new ArrayList<>();
    for (Pair p : pairs) {
      sentences.add(tokens(file, p, tokenizer, p.source(), "source"));
      sentences.add(tokens(file, p, tokenizer, p.target(), "target"));
    }
    Vocabulary vocabulary;
    try {
      vocabulary = Vocabulary.fromSentences(tokenizer, sentences);
    } catch (DataException e) {
      throw new DataException("'" + file + "': " + e.getMessage(), e);
    }
    return encode(file, pairs, vocabulary, maxLen);
  }

  /**
   * Reads and encodes {@code file} with an existing vocabulary (and its tokenizer), e.g. a resumed
   * run's or held-out data for a trained model.
   *
   * @throws DataException as {@link #load(Path, Tokenizer, int)}, and naming the line of a token the
   *     vocabulary does not have
   */
  public static Dataset load(Path file, Vocabulary vocabulary, int maxLen) {
    return encode(file, read(file), vocabulary, maxLen);
  }

  private static Dataset encode(Path file, List<Pair> pairs, Vocabulary vocabulary, int maxLen) {
    if (maxLen < 1) throw new DataException("--max-len must be at least 1, got " + maxLen);
    List<Example> examples = new ArrayList<>();
    int skipped = 0;
    for (Pair p : pairs) {
      int[] src = ids(file, p, vocabulary, p.source(), "source");
      int[] tgt = ids(file, p, vocabulary, p.target(), "target");
      if (src.length > maxLen || tgt.length > maxLen) {
        skipped++;
        continue;
      }
      examples.add(new Example(src, tgt));
    }
    if (examples.isEmpty()) {
      throw new DataException("'" + file + "': none of the " + pairs.size() + " pairs fits --max-len " + maxLen
          + " (every one has a side with more tokens)");
    }
    return new Dataset(vocabulary, examples, skipped);
  }

  private static List<String> tokens(Path file, Pair p, Tokenizer tokenizer, String text, String side) {
    List<String> t = tokenizer.split(text);
    if (t.isEmpty()) throw new DataException("'" + file + "' line " + p.line() + ": the " + side + " has no tokens");
    return t;
  }

  private static int[] ids(Path file, Pair p, Vocabulary vocabulary, String text, String side) {
    tokens(file, p, vocabulary.tokenizer(), text, side);
    try {
      return vocabulary.encode(text);
    } catch (DataException e) {
      throw new DataException("'" + file + "' line " + p.line() + " (" + side + "): " + e.getMessage(), e);
    }
  }
}
