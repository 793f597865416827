package dev.adjoint.train;

import dev.adjoint.runtime.io.AtomicWrites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How {@code adjoint train --text} turns text into ids and {@code adjoint generate} turns ids back:
 * {@link CharTokenizer} (one id per character of the training text) or {@link BpeTokenizer}
 * (GPT-2-style byte-level byte-pair encoding, merges learned from the training text). Ids run from
 * 0 to {@link #size()}−1 with no reserved ids: a language model's data is one stream of tokens.
 *
 * <h2>The file</h2>
 * A run folder keeps its tokenizer in {@value #FILE}, written atomically, in the layout of Hugging
 * Face {@code tokenizers}' {@code tokenizer.json}: a {@code "model"} of type {@code "BPE"} with its
 * {@code "vocab"} (token → id) and {@code "merges"} (pairs {@code "left right"} in the order they
 * were learned). The byte-level tokenizer has {@code ByteLevel} pre-tokenizer and decoder, and
 * spells its tokens with GPT-2's byte alphabet ({@link ByteLevel}: a space is {@code Ġ}); the char
 * tokenizer is a BPE model with no merges and no pre-tokenizer, its vocab the characters
 * themselves. {@link #load} reads back exactly what {@link #save} writes and names the file and
 * the problem otherwise.
 */
public sealed interface TextTokenizer permits CharTokenizer, BpeTokenizer {
  /** The tokenizer's file name in a run folder. */
  String FILE = "tokenizer.json";

  /** {@code char} or {@code bpe}: the value of {@code --tokenizer}. */
  String kind();

  /** The number of ids; a model's vocabulary V must be at least this. */
  int size();

  /**
   * The ids of {@code text}.
   *
   * @throws DataException if the text has a character this tokenizer cannot encode (char
   *     tokenizer), naming it and its position
   */
  int[] encode(String text);

  /** The UTF-8 bytes that id {@code id} stands for (a BPE token may be part of a character). */
  byte[] bytes(int id);

  /**
   * The text of {@code ids}: their bytes, decoded as UTF-8 with U+FFFD for byte sequences that are
   * not (a sampled BPE sequence may cut a character).
   *
   * @throws DataException if an id is outside {@code [0, size())}
   */
  default String decode(int[] ids) {
    Objects.requireNonNull(ids, "ids");
    var out = new java.io.ByteArrayOutputStream();
    for (int id : ids) out.writeBytes(bytes(checkId(id)));
    return out.toString(StandardCharsets.UTF_8);
  }

  /** {@link #FILE}'s text. */
  String toJson();

  /** Writes {@link #FILE} into {@code runFolder} atomically. */
  default void save(Path runFolder) {
    AtomicWrites.write(runFolder.resolve(FILE), toJson().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The tokenizer {@code --tokenizer kind} learns from {@code text}.
   *
   * @param vocabSize {@code --vocab-size}: required for {@code bpe} (the size the merges grow the
   *     256 byte tokens to, fewer if the text runs out of pairs seen twice); for {@code char} an
   *     upper bound that the text's distinct characters must fit in
   * @throws DataException for an empty text, an unknown kind, a missing or too small vocabulary size
   */
  static TextTokenizer learn(String kind, String text, OptionalInt vocabSize) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(vocabSize, "vocabSize");
    if (text.isEmpty()) throw new DataException("the training text is empty: there is nothing to learn a tokenizer from");
    return switch (kind.toLowerCase(Locale.ROOT)) {
      case "char" -> CharTokenizer.learn(text, vocabSize);
      case "bpe" -> {
        if (vocabSize.isEmpty()) {
          throw new DataException("--tokenizer bpe needs --vocab-size N (256 byte tokens plus N-256 merges)");
        }
        yield BpeTrainer.learn(text, vocabSize.getAsInt());
      }
      default -> throw new DataException("unknown tokenizer '" + kind + "'; expected char or bpe");
    };
  }

  /**
   * The tokenizer saved in {@code runFolder}.
   *
   * @throws DataException naming the file if it is missing, not UTF-8 JSON, or not a tokenizer
   *     this class writes
   */
  static TextTokenizer load(Path runFolder) {
    Path file = runFolder.resolve(FILE);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DataException("'" + file + "': no tokenizer file; was the run trained with --text?");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read '" + file + "'", e);
    }
    String text = TextCorpus.decodeUtf8(bytes, file.toString());
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new DataException("'" + file + "' is not a tokenizer this version wrote: " + e.getMessage(), e);
    }
  }

  /**
   * The tokenizer whose {@link #toJson} is {@code json}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static TextTokenizer parse(String json) {
    if (!(NestedJson.parse(json) instanceof Map<?, ?> root)) throw new IllegalArgumentException("not a JSON object");
    if (!(root.get("model") instanceof Map<?, ?> model) || !"BPE".equals(model.get("type"))) {
      throw new IllegalArgumentException("no \"model\" of type \"BPE\"");
    }
    if (!(model.get("vocab") instanceof Map<?, ?> vocab)) throw new IllegalArgumentException("no \"model.vocab\" object");
    if (!(model.get("merges") instanceof List<?> merges)) throw new IllegalArgumentException("no \"model.merges\" list");
    Object pre = root.get("pre_tokenizer");
    boolean byteLevel = pre instanceof Map<?, ?> p && "ByteLevel".equals(p.get("type"));
    return byteLevel ? BpeTokenizer.fromJson(vocab, merges) : CharTokenizer.fromJson(vocab, merges);
  }

  /** {@code id}, checked to be in {@code [0, size())}. */
  default int checkId(int id) {
    if (id < 0 || id >= size()) {
      throw new DataException("id " + id + " is outside the " + kind() + " tokenizer's vocabulary (ids 0-"
          + (size() - 1) + ")");
    }
    return id;
  }

  /** Writes a JSON string literal. */
  static void appendJsonString(StringBuilder out, String s) {
    FlatJson.appendString(out, s);
  }
}
