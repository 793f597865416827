package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFileTest {
  @TempDir Path run;

  @Test
  void aCharTokenizerIsSavedAsBpeWithoutMergesInHuggingFacesLayout() throws Exception {
    TextTokenizer t = TextTokenizer.learn("char", "ab\"\n", OptionalInt.empty());
    t.save(run);
    assertEquals("""
        {
          "version": "1.0",
          "truncation": null,
          "padding": null,
          "added_tokens": [],
          "normalizer": null,
          "pre_tokenizer": null,
          "post_processor": null,
          "decoder": null,
          "model": {
            "type": "BPE",
            "dropout": null,
            "unk_token": null,
            "continuing_subword_prefix": null,
            "end_of_word_suffix": null,
            "fuse_unk": false,
            "byte_fallback": false,
            "ignore_merges": false,
            "vocab": {
              "\\n": 0,
              "\\"": 1,
              "a": 2,
              "b": 3
            },
            "merges": []
          }
        }
        """, Files.readString(run.resolve("tokenizer.json")));
    assertEquals(t, TextTokenizer.load(run));
    try (var files = Files.list(run)) {
      assertEquals(List.of(run.resolve("tokenizer.json")), files.toList());
    }
  }

  @Test
  void aBpeTokenizerSpellsBytesAsGpt2Does() throws Exception {
    BpeTokenizer t = BpeTrainer.learn("aaabdaaabac aaab aaab", 260);
    t.save(run);
    String json = Files.readString(run.resolve("tokenizer.json"));
    assertTrue(json.contains("""
          "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
        """), json);
    assertTrue(json.contains("\n      \"Ā\": 0,\n"), json); // byte 0
    assertTrue(json.contains("\n      \"Ġ\": 32,\n"), json); // the space
    assertTrue(json.contains("\n      \"a\": 97,\n"), json);
    assertTrue(json.contains("\n      \"aa\": 256,\n"), json);
    assertTrue(json.contains("\"merges\": [\n      \"a a\",\n"), json);
    assertEquals(t, TextTokenizer.load(run));
  }

  /** Random tokenizers of both kinds read back equal and encode the same. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void saveThenLoadGivesTheSameTokenizer(long seed) {
    Random random = new Random(seed);
    String text = RandomText.of(random, 20 + random.nextInt(1500));
    for (TextTokenizer t : List.of(TextTokenizer.learn("char", text, OptionalInt.empty()),
        TextTokenizer.learn("bpe", text, OptionalInt.of(256 + random.nextInt(100))))) {
      t.save(run);
      TextTokenizer back = TextTokenizer.load(run);
      assertEquals(t, back);
      assertEquals(t.toJson(), back.toJson());
      assertEquals(java.util.Arrays.toString(t.encode(text)), java.util.Arrays.toString(back.encode(text)));
    }
  }

  @Test
  void brokenFilesAreNamedWithTheProblem() throws Exception {
    var missing = assertThrows(DataException.class, () -> TextTokenizer.load(run));
    assertEquals("'" + run.resolve("tokenizer.json") + "': no tokenizer file; was the run trained with --text?",
        missing.getMessage());
    String good = BpeTrainer.learn("aaabdaaabac", 300).toJson();
    assertLoadFails("{", "line 1, column 2: expected a key in quotes");
    assertLoadFails("[]", "not a JSON object");
    assertLoadFails(good.replace("\"BPE\"", "\"WordPiece\""), "no \"model\" of type \"BPE\"");
    assertLoadFails(good.replace("\"aa\": 256", "\"aa\": 2.5"), "the vocab id of \"aa\" is 2.5, not an integer in 0-258");
    assertLoadFails(good.replace("\"a b\"", "\"a zz\""), "merge \"a zz\" names a token the vocab lacks");
    assertLoadFails(good.replace("\"a b\"", "\"ab\""), "merge 1 is ab, not \"left right\"");
    assertLoadFails(good.replace("\"Ā\": 0", "\"\\u0100\\u0100\": 0"), "token 0 must be the single byte 0");
    assertLoadFails(TextTokenizer.learn("char", "abc", OptionalInt.empty()).toJson().replace("\"a\"", "\"ab\""),
        "the char tokenizer's token 0 is \"ab\", not one character");
    Files.write(run.resolve("tokenizer.json"), new byte[] {'{', (byte) 0xC3});
    var bytes = assertThrows(DataException.class, () -> TextTokenizer.load(run));
    assertEquals("'" + run.resolve("tokenizer.json") + "' is not valid UTF-8: byte 0xC3 at offset 1 (line 1); save the"
        + " text as UTF-8", bytes.getMessage());
  }

  private void assertLoadFails(String content, String expected) throws Exception {
    Path file = run.resolve("tokenizer.json");
    Files.writeString(file, content);
    var e = assertThrows(DataException.class, () -> TextTokenizer.load(run));
    assertEquals("'" + file + "' is not a tokenizer this version wrote: " + expected, e.getMessage());
  }
}
