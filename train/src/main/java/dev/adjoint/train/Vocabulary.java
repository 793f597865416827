package dev.adjoint.train;

import dev.adjoint.runtime.io.AtomicWrites;

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
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Token ↔ id, with the ids CLI.md fixes: 0 {@code <pad>}, 1 {@code <bos>}, 2 {@code <eos>}, then the
 * data's tokens from 3. A vocabulary also records the {@link Tokenizer} its tokens came from, so
 * text is always split the way the model was trained on.
 *
 * <h2>File format</h2>
 * UTF-8 text, written atomically ({@link #save}):
 * <pre>
 * adjoint-vocabulary 1
 * tokenizer char
 * size 16
 * &lt;pad&gt;
 * &lt;bos&gt;
 * &lt;eos&gt;
 * 0
 * …
 * </pre>
 * then one token per line, the line's position giving the id (the line after {@code size} is id
 * 0). Inside a token, {@code \\} is a backslash, {@code \s} a space, {@code \t} {@code \n}
 * {@code \r} a tab, newline and carriage return; no other escapes exist, so every token is one
 * visible, unambiguous line. {@link #load} checks all of it and names the file and line of any
 * problem.
 */
public final class Vocabulary {
  public static final int PAD = 0;
  public static final int BOS = 1;
  public static final int EOS = 2;
  /** The id of the data's first token. */
  public static final int FIRST_TOKEN = 3;
  public static final String PAD_TOKEN = "<pad>";
  public static final String BOS_TOKEN = "<bos>";
  public static final String EOS_TOKEN = "<eos>";
  public static final List<String> RESERVED = List.of(PAD_TOKEN, BOS_TOKEN, EOS_TOKEN);

  private static final String MAGIC = "adjoint-vocabulary 1";

  private final Tokenizer tokenizer;
  private final List<String> tokens;
  private final Map<String, Integer> ids = new HashMap<>();

  private Vocabulary(Tokenizer tokenizer, List<String> all) {
    this.tokenizer = tokenizer;
    this.tokens = List.copyOf(all);
    for (int i = 0; i < tokens.size(); i++) ids.put(tokens.get(i), i);
  }

  /**
   * A vocabulary whose data tokens, from id 3 on, are {@code tokens} in this order.
   *
   * @throws DataException if a token is empty, repeated, or one of the reserved names
   */
  public static Vocabulary of(Tokenizer tokenizer, List<String> tokens) {
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(tokens, "tokens");
    List<String> all = new ArrayList<>(RESERVED);
    Set<String> seen = new HashSet<>();
    for (String t : tokens) {
      Objects.requireNonNull(t, "token");
      if (t.isEmpty()) throw new DataException("a vocabulary token cannot be empty");
      if (RESERVED.contains(t)) {
        throw new DataException("the token '" + t + "' is reserved (ids 0-2 are " + String.join(" ", RESERVED)
            + "); the data cannot use it");
      }
      if (!seen.add(t)) throw new DataException("the token '" + escape(t) + "' appears twice in the vocabulary");
      all.add(t);
    }
    return new Vocabulary(tokenizer, all);
  }

  /**
   * The vocabulary of some tokenized sentences: every distinct token, in code-point order (so the
   * ids do not depend on the order of the data).
   *
   * @throws DataException if a sentence holds a reserved name
   */
  public static Vocabulary fromSentences(Tokenizer tokenizer, Collection<? extends List<String>> sentences) {
    TreeSet<String> distinct = new TreeSet<>(Vocabulary::compareCodePoints);
    for (List<String> s : sentences) distinct.addAll(s);
    return of(tokenizer, new ArrayList<>(distinct));
  }

  private static int compareCodePoints(String a, String b) {
    return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** The number of ids, reserved ones included: the smallest vocabulary size a model needs. */
  public int size() {
    return tokens.size();
  }

  /** Every token by id, reserved ones first. */
  public List<String> tokens() {
    return tokens;
  }

  /** The id of {@code token}, if the vocabulary has it. */
  public OptionalInt find(String token) {
    Integer id = ids.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /**
   * The id of {@code token}.
   *
   * @throws DataException if the vocabulary does not have it
   */
  public int id(String token) {
    Integer id = ids.get(Objects.requireNonNull(token, "token"));
    if (id == null) throw new DataException(unknown(token));
    return id;
  }

  /**
   * The token of {@code id}.
   *
   * @throws DataException if the id is outside the vocabulary
   */
  public String token(int id) {
    if (id < 0 || id >= tokens.size()) {
      throw new DataException("id " + id + " is outside the vocabulary (ids 0-" + (tokens.size() - 1) + ")");
    }
    return tokens.get(id);
  }

  /**
   * The ids of {@code text}, split by this vocabulary's tokenizer, without BOS or EOS: what the model
   * reads as source at decode time.
   *
   * @throws DataException naming the first token the vocabulary does not have, and where it is
   */
  public int[] encode(String text) {
    List<String> parts = tokenizer.split(text);
    int[] out = new int[parts.size()];
    for (int i = 0; i < out.length; i++) {
      Integer id = ids.get(parts.get(i));
      if (id == null || id < FIRST_TOKEN) {
        throw new DataException(unknown(parts.get(i)) + " (token " + (i + 1) + " of \"" + text + "\")");
      }
      out[i] = id;
    }
    return out;
  }

  private String unknown(String token) {
    return "unknown token '" + escape(token) + "': the vocabulary of " + size()
        + " ids (tokenizer " + tokenizer.cliName() + ") does not have it";
  }

  /**
   * The tokens of model output {@code ids}: up to the first EOS (not included), with padding and
   * BOS left out.
   *
   * @throws DataException if an id is outside the vocabulary
   */
  public List<String> decodeTokens(int[] ids) {
    List<String> out = new ArrayList<>();
    for (int id : ids) {
      if (id == EOS) break;
      String t = token(id);
      if (id != PAD && id != BOS) out.add(t);
    }
    return out;
  }

  /** The text of model output {@code ids}: {@link #decodeTokens} joined by the tokenizer. */
  public String decode(int[] ids) {
    return tokenizer.join(decodeTokens(ids));
  }

  // ---- files --------------------------------------------------------------------------------

  /** The file's text (see the class documentation). */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append(MAGIC).append('\n');
    out.append("tokenizer ").append(tokenizer.cliName()).append('\n');
    out.append("size ").append(size()).append('\n');
    for (String t : tokens) out.append(escape(t)).append('\n');
    return out.toString();
  }

  /** Writes the vocabulary to {@code path} all at once (a temporary file renamed over it). */
  public void save(Path path) {
    AtomicWrites.write(path, toText().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a vocabulary written by {@link #save}.
   *
   * @throws DataException naming the file (and line) if it is not a valid vocabulary file
   * @throws UncheckedIOException naming the file if it cannot be read
   */
  public static Vocabulary load(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new DataException("'" + path + "': no such vocabulary file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("'" + path + "': cannot read the vocabulary: " + e, e);
    }
    return parse(path.toString(), bytes);
  }

  /** Reads a vocabulary from the bytes of a vocabulary file; {@code source} names it in messages. */
  public static Vocabulary parse(String source, byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new DataException("'" + source + "': not a vocabulary file: not valid UTF-8", e);
    }
    if (text.isEmpty()) throw new DataException("'" + source + "': the vocabulary file is empty");
    if (!text.endsWith("\n")) throw new DataException("'" + source + "': the vocabulary file is truncated (no final newline)");
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (!lines[0].equals(MAGIC)) {
      throw new DataException("'" + source + "': not a vocabulary file: line 1 should be '" + MAGIC + "'");
    }
    if (lines.length < 3 || !lines[1].startsWith("tokenizer ") || !lines[2].startsWith("size ")) {
      throw new DataException("'" + source + "': lines 2 and 3 should be 'tokenizer NAME' and 'size N'");
    }
    Tokenizer tokenizer;
    try {
      tokenizer = Tokenizer.fromName(lines[1].substring("tokenizer ".length()));
    } catch (IllegalArgumentException e) {
      throw new DataException("'" + source + "' line 2: " + e.getMessage(), e);
    }
    int size;
    try {
      size = Integer.parseInt(lines[2].substring("size ".length()));
    } catch (NumberFormatException e) {
      throw new DataException("'" + source + "' line 3: the size is not a number", e);
    }
    int count = lines.length - 3;
    if (count != size) {
      throw new DataException("'" + source + "': the header says " + size + " tokens but the file lists " + count
          + (count < size ? " (truncated?)" : ""));
    }
    List<String> data = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int lineNumber = i + 4;
      String token;
      try {
        token = unescape(lines[3 + i]);
      } catch (IllegalArgumentException e) {
        throw new DataException("'" + source + "' line " + lineNumber + ": " + e.getMessage(), e);
      }
      if (i < RESERVED.size()) {
        if (!token.equals(RESERVED.get(i))) {
          throw new DataException("'" + source + "' line " + lineNumber + ": id " + i + " must be "
              + RESERVED.get(i) + ", found '" + lines[3 + i] + "'");
        }
      } else {
        data.add(token);
      }
    }
    try {
      return of(tokenizer, data);
    } catch (DataException e) {
      throw new DataException("'" + source + "': " + e.getMessage(), e);
    }
  }

  static String escape(String token) {
    StringBuilder out = new StringBuilder(token.length());
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case ' ' -> out.append("\\s");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  static String unescape(String line) {
    if (line.isEmpty()) throw new IllegalArgumentException("empty line where a token should be");
    StringBuilder out = new StringBuilder(line.length());
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c != '\\') {
        if (c == ' ' || c == '\t' || c == '\r') {
          throw new IllegalArgumentException("unescaped whitespace in a token (a space is written \\s)");
        }
        out.append(c);
        continue;
      }
      if (++i == line.length()) throw new IllegalArgumentException("a token ends with a lone backslash");
      out.append(switch (line.charAt(i)) {
        case '\\' -> '\\';
        case 's' -> ' ';
        case 't' -> '\t';
        case 'n' -> '\n';
        case 'r' -> '\r';
        default -> throw new IllegalArgumentException("unknown escape '\\" + line.charAt(i) + "'");
      });
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v && v.tokenizer == tokenizer && v.tokens.equals(tokens);
  }

  @Override
  public int hashCode() {
    return tokenizer.hashCode() * 31 + tokens.hashCode();
  }

  @Override
  public String toString() {
    return "Vocabulary(" + tokenizer.cliName() + ", " + size() + " ids)";
  }
}
