package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class PlotsTest {
  @TempDir Path dir;

  static List<MetricsLog.Entry> run(boolean evaluations) {
    Random random = new Random(1);
    List<MetricsLog.Entry> out = new ArrayList<>();
    for (int step = 10; step <= 1000; step += 10) {
      double loss = 2.5 * Math.exp(-step / 300.0) + 0.1 + 0.02 * random.nextGaussian();
      out.add(evaluations && step % 100 == 0
          ? MetricsLog.Entry.evaluation(step, loss, 1e-3, 100, step / 1000.0, 40)
          : MetricsLog.Entry.training(step, loss, 1e-3, 100));
    }
    return out;
  }

  @Test
  void writesAWellFormedSvgAndADecodablePng() throws Exception {
    Plots.write(dir, run(true));
    Path svg = dir.resolve("loss.svg");
    Path png = dir.resolve("loss.png");
    var factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document doc = factory.newDocumentBuilder().parse(svg.toFile());
    assertEquals("svg", doc.getDocumentElement().getLocalName());
    assertEquals(2, doc.getElementsByTagName("polyline").getLength(), "loss and exact-match curves");
    String text = Files.readString(svg);
    assertTrue(text.contains(">Training loss and held-out exact match</text>"), "title");
    assertTrue(text.contains(">training loss</text>") && text.contains(">held-out exact match</text>"), "legend");
    assertTrue(text.contains(">step</text>") && text.contains(">exact match</text>"), "axis labels");
    assertTrue(text.contains(">1000</text>") && text.contains(">0.5</text>"), "ticks");
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(png)));
    assertEquals(Plots.WIDTH, image.getWidth());
    assertEquals(Plots.HEIGHT, image.getHeight());
    assertTrue(countColor(image, 0x1f77b4) > 200, "the loss curve is drawn");
    assertTrue(countColor(image, 0xd62728) > 100, "the exact-match curve is drawn");
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary files left");
    }
  }

  @Test
  void withoutEvaluationsThereIsOneCurveAndOneAxis() throws Exception {
    String svg = Plots.svg(Plots.layout(run(false)));
    assertEquals(1, svg.split("<polyline").length - 1);
    assertTrue(svg.contains(">Training loss</text>"));
    assertFalse(svg.contains("exact match"));
  }

  @Test
  void aTextRunPlotsTrainingAndValidationLossOnOneAxis() throws Exception {
    List<MetricsLog.Entry> entries = new java.util.ArrayList<>();
    for (int step = 1; step <= 100; step++) {
      MetricsLog.Entry e = MetricsLog.Entry.training(step, 4.0 - step / 50.0, 1e-3, 100);
      entries.add(step % 25 == 0 ? e.withExtra("val_loss", 5.0 - step / 40.0).withExtra("perplexity", 1) : e);
    }
    Plots.write(dir, entries);
    String svg = Files.readString(dir.resolve("loss.svg"));
    assertEquals(2, svg.split("<polyline").length - 1, "training and validation curves");
    assertTrue(svg.contains(">Training and validation loss</text>"), "title");
    assertTrue(svg.contains(">training loss</text>") && svg.contains(">validation loss</text>"), "legend");
    assertFalse(svg.contains("exact match"));
    // The loss axis reaches the highest validation loss (4.375 at step 25): ticks to 5, where training alone stops at 4.
    assertTrue(svg.contains(">5</text>"), svg);
    BufferedImage image = ImageIO.read(dir.resolve("loss.png").toFile());
    assertTrue(countColor(image, 0xff7f0e) > 50, "the validation curve is drawn");
  }

  @Test
  void anEmptyOrDivergedLogStillPlots() {
    String empty = Plots.svg(Plots.layout(List.of()));
    assertTrue(empty.contains("no data yet"));
    List<MetricsLog.Entry> flat = List.of(MetricsLog.Entry.training(1, 2.0, 1, 1),
        MetricsLog.Entry.training(2, Double.NaN, 1, 1), MetricsLog.Entry.training(3, 2.0, 1, 1));
    String svg = Plots.svg(Plots.layout(flat));
    assertFalse(svg.contains("NaN"), svg);
    assertNotEquals(0, Plots.png(Plots.layout(flat)).length);
  }

  @Test
  void ticksAreNiceNumbers() {
    Plots.Ticks t = Plots.Ticks.of(0, 2.85, 6);
    assertEquals(0.5, t.step(), 1e-12);
    assertEquals(0.0, t.lo());
    assertEquals(3.0, t.hi(), 1e-12);
    assertEquals(List.of("0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"), t.values().stream().map(t::format).toList());
    Plots.Ticks steps = Plots.Ticks.of(0, 1000, 8);
    assertEquals(100.0, steps.step(), 1e-9);
    assertEquals("1000", steps.format(1000));
    Plots.Ticks point = Plots.Ticks.of(2, 2, 6);
    assertTrue(point.lo() < 2 && point.hi() > 2, point.toString());
  }

  private static int countColor(BufferedImage image, int rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) n++;
      }
    }
    return n;
  }
}
