package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  @Test
  void charactersAreCodePointsSpacesIncluded() {
    assertEquals(List.of("a", " ", "b", "😀", "é"), Tokenizer.CHARACTER.split("a b😀é"));
    assertEquals("a b😀é", Tokenizer.CHARACTER.join(Tokenizer.CHARACTER.split("a b😀é")));
    assertEquals(List.of(), Tokenizer.CHARACTER.split(""));
  }

  @Test
  void wordsAreSeparatedByRunsOfWhitespace() {
    assertEquals(List.of("the", "cat", "sat."), Tokenizer.WHITESPACE.split("  the\tcat   sat. \n"));
    assertEquals("the cat sat.", Tokenizer.WHITESPACE.join(List.of("the", "cat", "sat.")));
    assertEquals(List.of(), Tokenizer.WHITESPACE.split("   "));
  }

  @Test
  void namesRoundTripAndUnknownNamesSayTheChoices() {
    for (Tokenizer t : Tokenizer.values()) assertEquals(t, Tokenizer.fromName(t.cliName()));
    assertEquals(Tokenizer.CHARACTER, Tokenizer.fromName("Character"));
    assertEquals(Tokenizer.WHITESPACE, Tokenizer.fromName("word"));
    var e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromName("bpe"));
    assertTrue(e.getMessage().contains("char or whitespace"), e.getMessage());
  }
}
