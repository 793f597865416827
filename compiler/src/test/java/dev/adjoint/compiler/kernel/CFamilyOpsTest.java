package dev.adjoint.compiler.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.ir.Binary;
import org.junit.jupiter.api.Test;

/** The shared op table: C's precedence, spellings, and the library functions per type. */
class CFamilyOpsTest {
  @Test
  void levelsFollowCPrecedence() {
    assertTrue(CFamilyOps.level(Binary.Fn.OR).bindsLooserThan(CFamilyOps.level(Binary.Fn.AND)));
    assertTrue(CFamilyOps.level(Binary.Fn.AND).bindsLooserThan(CFamilyOps.level(Binary.Fn.EQ)));
    assertTrue(CFamilyOps.level(Binary.Fn.NE).bindsLooserThan(CFamilyOps.level(Binary.Fn.LT)));
    assertTrue(CFamilyOps.level(Binary.Fn.GE).bindsLooserThan(CFamilyOps.level(Binary.Fn.SUB)));
    assertTrue(CFamilyOps.level(Binary.Fn.ADD).bindsLooserThan(CFamilyOps.level(Binary.Fn.MOD)));
    assertEquals(CFamilyOps.Level.PRIMARY, CFamilyOps.level(Binary.Fn.MAX));
    assertEquals(CFamilyOps.Level.MULTIPLICATIVE, CFamilyOps.Level.ADDITIVE.tighter());
    assertEquals(CFamilyOps.Level.PRIMARY, CFamilyOps.Level.PRIMARY.tighter());
  }

  @Test
  void comparisonsNeverChainAndArithmeticDoes() {
    assertFalse(CFamilyOps.chains(Binary.Fn.LT));
    assertFalse(CFamilyOps.chains(Binary.Fn.EQ));
    assertTrue(CFamilyOps.chains(Binary.Fn.SUB));
    assertTrue(CFamilyOps.chains(Binary.Fn.AND));
  }

  @Test
  void spellings() {
    assertEquals("%", CFamilyOps.infix(Binary.Fn.MOD));
    assertEquals("&&", CFamilyOps.infix(Binary.Fn.AND));
    assertNull(CFamilyOps.infix(Binary.Fn.POW));
  }
}
