package dev.adjoint.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Writes and reads the parts of {@code tokenizer.json} that both {@link TextTokenizer}s share. */
final class TokenizerJson {
  private static final String BYTE_LEVEL =
      "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}";

  private TokenizerJson() {}

  /**
   * The whole file: Hugging Face's field order, one vocab entry and one merge per line.
   *
   * @param byteLevel whether the pre-tokenizer and decoder are GPT-2's byte level
   * @param vocab the token of each id, in id order
   * @param merges {@code "left right"} in the order learned
   */
  static String write(boolean byteLevel, List<String> vocab, List<String> merges) {
    StringBuilder sb = new StringBuilder();
    String level = byteLevel ? BYTE_LEVEL : "null";
    sb.append("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [],\n")
        .append("  \"normalizer\": null,\n  \"pre_tokenizer\": ").append(level).append(",\n")
        .append("  \"post_processor\": null,\n  \"decoder\": ").append(level).append(",\n")
        .append("  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n")
        .append("    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n")
        .append("    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n")
        .append("    \"vocab\": {");
    for (int id = 0; id < vocab.size(); id++) {
      sb.append(id == 0 ? "\n      " : ",\n      ");
      FlatJson.appendString(sb, vocab.get(id));
      sb.append(": ").append(id);
    }
    sb.append(vocab.isEmpty() ? "},\n" : "\n    },\n").append("    \"merges\": [");
    for (int i = 0; i < merges.size(); i++) {
      sb.append(i == 0 ? "\n      " : ",\n      ");
      FlatJson.appendString(sb, merges.get(i));
    }
    sb.append(merges.isEmpty() ? "]\n" : "\n    ]\n").append("  }\n}\n");
    return sb.toString();
  }

  /**
   * The tokens of {@code vocab} in id order.
   *
   * @throws IllegalArgumentException unless the ids are exactly 0 … n−1, each once
   */
  static List<String> tokensById(Map<?, ?> vocab) {
    String[] byId = new String[vocab.size()];
    for (var e : vocab.entrySet()) {
      if (!(e.getValue() instanceof Double d) || d != Math.rint(d) || d < 0 || d >= byId.length) {
        throw new IllegalArgumentException("the vocab id of \"" + e.getKey() + "\" is " + e.getValue()
            + ", not an integer in 0-" + (byId.length - 1));
      }
      int id = d.intValue();
      if (byId[id] != null) {
        throw new IllegalArgumentException("id " + id + " belongs to both \"" + byId[id] + "\" and \"" + e.getKey() + "\"");
      }
      byId[id] = (String) e.getKey();
    }
    return new ArrayList<>(Arrays.asList(byId));
  }

  /** The merges as strings, each checked to be {@code "left right"}. */
  static List<String[]> mergePairs(List<?> merges) {
    List<String[]> out = new ArrayList<>(merges.size());
    for (int i = 0; i < merges.size(); i++) {
      String[] parts = merges.get(i) instanceof String s ? s.split(" ", -1) : new String[0];
      if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new IllegalArgumentException("merge " + i + " is " + merges.get(i) + ", not \"left right\"");
      }
      out.add(parts);
    }
    return out;
  }
}
