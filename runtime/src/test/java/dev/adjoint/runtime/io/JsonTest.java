package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTest {
  @Test
  void parsesEveryKindOfValue() throws Exception {
    Object value = JsonParser.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"\\u00e9\\n\\\"\\/\"},"
        + " \"big\": 18446744073709551615} ");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("a", List.of(BigInteger.ONE, new BigDecimal("-2.5e3"), true, false, JsonParser.NULL));
    expected.put("b", Map.of("c", "\u00e9\n\"/"));
    expected.put("big", new BigInteger("18446744073709551615"));
    assertEquals(expected, value);
    assertEquals(List.of("a", "b", "big"), List.copyOf(((Map<?, ?>) value).keySet()));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "''                | unexpected end of text; expected a JSON value at character 0",
    "{\"a\" 1}         | unexpected '1'; expected ':' at character 5",
    "{\"a\":01}        | unexpected '1'; expected ',' or '}' at character 6",
    "[1.]              | invalid number: expected a digit at character 3",
    "[-]               | invalid number: expected a digit at character 2",
    "[1e]              | invalid number: expected a digit at character 3",
    "{a:1}             | unexpected 'a'; expected a string key at character 1",
    "[\"a\\x\"]        | invalid escape '\\x' in a string at character 3",
    "[\"\\u12\"]       | invalid \\u escape at character 2",
    "[\"abc            | unterminated string at character 1",
    "[tru]             | unexpected 't'; expected a JSON value at character 1",
    "[NaN]             | unexpected 'N'; expected a JSON value at character 1",
    "[1] [2]           | unexpected '[' after the JSON value at character 4",
  })
  void reportsWhereTheSyntaxIsWrong(String text, String message) {
    assertEquals(message, assertThrows(LiteralSyntaxException.class, () -> JsonParser.parse(text)).getMessage());
  }

  @Test
  void refusesControlCharactersDuplicateKeysAndDeepNesting() {
    assertEquals("unescaped control character U+000A in a string at character 2",
        assertThrows(LiteralSyntaxException.class, () -> JsonParser.parse("[\"\n\"]")).getMessage());
    JsonParser.DuplicateKeyException duplicate = assertThrows(JsonParser.DuplicateKeyException.class,
        () -> JsonParser.parse("{\"x\":{\"k\":1,\"k\":2}}"));
    assertEquals("k", duplicate.key());
    assertEquals(1, duplicate.depth());
    assertEquals("JSON nested deeper than 64 levels at character 65",
        assertThrows(LiteralSyntaxException.class, () -> JsonParser.parse("[".repeat(100))).getMessage());
  }

  @Test
  void writesCompactJsonWithMinimalEscapes() throws Exception {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("s", "quote \" backslash \\ newline \n tab \t bell \u0007 caf\u00e9 \u65e5 /");
    value.put("n", List.of(1, 2L, new BigInteger("18446744073709551615")));
    value.put("b", true);
    value.put("z", JsonParser.NULL);
    String json = JsonWriter.write(value);
    assertEquals("{\"s\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 caf\u00e9 \u65e5 /\","
        + "\"n\":[1,2,18446744073709551615],\"b\":true,\"z\":null}", json);
    assertEquals(List.of("s", "n", "b", "z"), List.copyOf(((Map<?, ?>) JsonParser.parse(json)).keySet()));
  }
}
