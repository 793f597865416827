package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void rendersTheDocumentedLine() {
    assertEquals("step 120/1000 [==>                 ] loss 1.234 lr 3.1e-04 1520 tok/s ETA 0:02:31",
        ProgressBar.render(120, 1000, 1.2344, 3.1e-4, 1520.2, 151));
    assertEquals("step 1000/1000 [====================] loss 0.010 lr 1.0e-05 999 tok/s ETA 0:00:00",
        ProgressBar.render(1000, 1000, 0.01, 1e-5, 999, 0));
    assertEquals("step 0/10 [>                   ] loss NaN lr 0.0e+00 0 tok/s ETA -:--:--",
        ProgressBar.render(0, 10, Double.NaN, 0, 0, Double.NaN));
  }

  @Test
  void interactiveRedrawsInPlaceAndClearsForMessages() {
    StringWriter text = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), 10, true, 1);
    bar.update(1, 10.0, 1e-3, 100, 9);
    bar.update(2, 1.0, 1e-3, 100, 8);
    String first = ProgressBar.render(1, 10, 10.0, 1e-3, 100, 9);
    String second = ProgressBar.render(2, 10, 1.0, 1e-3, 100, 8);
    // The second line is one character shorter: a space covers the old last character.
    assertEquals("\r" + first + "\r" + second + " ", text.toString());
    bar.message("eval: exact_match=0.5");
    bar.finish();
    assertEquals("\r" + first + "\r" + second + " \r" + " ".repeat(second.length()) + "\reval: exact_match=0.5"
        + System.lineSeparator(), text.toString());
  }

  @Test
  void plainModePrintsEveryNStepsAndTheLast() {
    StringWriter text = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), 7, false, 3);
    for (int step = 1; step <= 7; step++) bar.update(step, 1, 1e-3, 10, 7 - step);
    bar.finish();
    String[] lines = text.toString().split(System.lineSeparator());
    assertEquals(3, lines.length);
    assertEquals(ProgressBar.render(3, 7, 1, 1e-3, 10, 4), lines[0]);
    assertEquals(ProgressBar.render(6, 7, 1, 1e-3, 10, 1), lines[1]);
    assertEquals(ProgressBar.render(7, 7, 1, 1e-3, 10, 0), lines[2]);
  }
}
