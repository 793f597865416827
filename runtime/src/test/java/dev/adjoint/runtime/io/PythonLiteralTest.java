package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PythonLiteralTest {
  private static Object value(String literal) throws LiteralSyntaxException {
    return PythonLiteral.parseDict("{'v': " + literal + "}").get("v");
  }

  private static PythonLiteral.Tuple tuple(long... values) {
    return new PythonLiteral.Tuple(Arrays.stream(values).mapToObj(BigInteger::valueOf).map(Object.class::cast).toList());
  }

  @Test
  void parsesTheLiteralsOfNpyHeaders() throws Exception {
    Map<String, Object> dict = PythonLiteral.parseDict(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }          \n");
    assertEquals(Map.of("descr", "<f4", "fortran_order", false, "shape", tuple(2, 3)), dict);
    assertEquals(List.of("descr", "fortran_order", "shape"), List.copyOf(dict.keySet()));
    assertEquals(tuple(3), value("(3,)"));
    assertEquals(tuple(), value("()"));
    assertEquals(tuple(), value("( )"));
    assertEquals(BigInteger.valueOf(3), value("(3)"));
    assertEquals(tuple(3, 4), value("(3L, 4L)"));
    assertEquals(BigInteger.valueOf(-7), value("-7"));
    assertEquals(true, value("True"));
    assertEquals(PythonLiteral.NONE, value("None"));
    assertEquals(List.of("a", tuple(1)), value("['a', (1,)]"));
    assertEquals("it's \"x\"\t\u00e9", value("'it\\'s \"x\"\\t\\xe9'"));
    assertEquals("double", value("\"double\""));
    assertEquals(Map.of("k", Map.of()), value("{'k': {}}"));
    assertEquals(new BigInteger("123456789012345678901234567890"), value("123456789012345678901234567890"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    "(1, 2)             | (1, 2)",
    "(1,)               | (1,)",
    "()                 | ()",
    "['a', True, None]  | ['a', True, None]",
    "{'k': 'it\\'s'}    | {'k': 'it\\'s'}",
  })
  void reprWritesWhatPythonWould(String literal, String repr) throws Exception {
    assertEquals(repr, PythonLiteral.repr(value(literal)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    "{'a': 1           | expected ',' or '}' but found the end of the header at character 7",
    "{'a': (1,, 2)}    | unexpected ','; expected a value at character 9",
    "{'a': 1.5}        | unsupported number literal; only plain integers are allowed at character 6",
    "{'a': 0x10}       | unsupported number literal; only plain integers are allowed at character 6",
    "{'a': true}       | unexpected name 'true'; only True, False and None are allowed at character 6",
    "{'a': b'x'}       | unexpected name 'b'; only True, False and None are allowed at character 6",
    "{1: 2}            | expected a string key or '}' but found '1' at character 1",
    "{'a': '\\q'}      | unsupported escape '\\q' in a string at character 7",
    "{'a': 1} {}       | unexpected '{' after the dict at character 9",
    "'a'               | expected '{' but found ''' at character 0",
    "''                | expected '{' but found ''' at character 0",
  })
  void reportsWhereTheSyntaxIsWrong(String text, String message) {
    LiteralSyntaxException e = assertThrows(LiteralSyntaxException.class, () -> PythonLiteral.parseDict(text));
    assertEquals(message, e.getMessage());
  }

  @Test
  void emptyTextAndDeepNesting() {
    assertEquals("expected '{' but found the end of the header at character 2",
        assertThrows(LiteralSyntaxException.class, () -> PythonLiteral.parseDict("  ")).getMessage());
    String deep = "{'a': " + "(".repeat(100) + ")".repeat(100) + "}";
    assertEquals("literal nested deeper than 32 levels at character 38",
        assertThrows(LiteralSyntaxException.class, () -> PythonLiteral.parseDict(deep)).getMessage());
  }
}
