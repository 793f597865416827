package dev.adjoint.train;

import dev.adjoint.runtime.io.AtomicWrites;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * The training plot, {@code loss.svg} and {@code loss.png}: the training loss against the step
 * (left axis) with, for {@code train --text}, the validation loss ({@code val_loss}) on the same axis,
 * and, when the log has evaluations, the held-out exact match (right axis, 0–1), with
 * axes, ticks, a title and a legend. The picture is laid out once as a list of shapes
 * ({@link Shape}) and printed twice, as hand-written SVG and through Java2D into a PNG (headless),
 * so the two files show the same thing. Both are written atomically.
 */
public final class Plots {
  public static final int WIDTH = 800;
  public static final int HEIGHT = 500;
  public static final String LOSS_COLOR = "#1f77b4";
  public static final String ACCURACY_COLOR = "#d62728";
  public static final String VALIDATION_COLOR = "#ff7f0e";
  private static final String AXIS_COLOR = "#333333";
  private static final String GRID_COLOR = "#e5e5e5";
  private static final int LEFT = 80;
  private static final int RIGHT = 80;
  private static final int TOP = 75;
  private static final int BOTTOM = 60;

  /** One thing drawn, in pixels from the top-left corner. */
  public sealed interface Shape {}

  /** A straight line. */
  public record Line(double x1, double y1, double x2, double y2, String color, double width) implements Shape {}

  /** A connected curve. */
  public record Polyline(List<double[]> points, String color, double width) implements Shape {
    public Polyline {
      points = List.copyOf(points);
    }
  }

  /** A filled circle: a data point. */
  public record Dot(double x, double y, double radius, String color) implements Shape {}

  /** A filled and stroked rectangle; a null colour draws nothing for that part. */
  public record Rect(double x, double y, double w, double h, String fill, String stroke) implements Shape {}

  /** Text anchored at (x, y) on its baseline: {@code start}, {@code middle} or {@code end}; rotated by degrees. */
  public record Text(double x, double y, String text, String anchor, int size, String color, int rotate)
      implements Shape {}

  private Plots() {}

  // ---- writing ------------------------------------------------------------------------------

  /** Writes {@code loss.svg} and {@code loss.png} into {@code folder} from the log's entries. */
  public static void write(Path folder, List<MetricsLog.Entry> entries) {
    List<Shape> shapes = layout(entries);
    writeSvg(folder.resolve("loss.svg"), shapes);
    writePng(folder.resolve("loss.png"), shapes);
  }

  public static void writeSvg(Path file, List<Shape> shapes) {
    AtomicWrites.write(file, svg(shapes).getBytes(StandardCharsets.UTF_8));
  }

  public static void writePng(Path file, List<Shape> shapes) {
    AtomicWrites.write(file, png(shapes));
  }

  // ---- layout -------------------------------------------------------------------------------

  /** The plot of {@code entries} as shapes; an empty log gives axes with a "no data yet" note. */
  public static List<Shape> layout(List<MetricsLog.Entry> entries) {
    Objects.requireNonNull(entries, "entries");
    List<double[]> loss = new ArrayList<>();
    List<double[]> accuracy = new ArrayList<>();
    List<double[]> validation = new ArrayList<>();
    for (MetricsLog.Entry e : entries) {
      if (Double.isFinite(e.loss())) loss.add(new double[] {e.step(), e.loss()});
      Double v = e.extra().get("val_loss");
      if (v != null && Double.isFinite(v)) validation.add(new double[] {e.step(), v});
      if (e.exactMatch().isPresent() && Double.isFinite(e.exactMatch().getAsDouble())) {
        accuracy.add(new double[] {e.step(), e.exactMatch().getAsDouble()});
      }
    }
    boolean second = !accuracy.isEmpty();
    boolean validated = !validation.isEmpty();
    double x0 = LEFT;
    double x1 = WIDTH - RIGHT;
    double y0 = HEIGHT - BOTTOM;
    double y1 = TOP;
    List<Shape> out = new ArrayList<>();
    out.add(new Rect(0, 0, WIDTH, HEIGHT, "#ffffff", null));
    out.add(new Text(WIDTH / 2.0, 28, second ? "Training loss and held-out exact match"
        : validated ? "Training and validation loss" : "Training loss", "middle",
        18, AXIS_COLOR, 0));

    double minStep = Double.POSITIVE_INFINITY;
    double maxStep = Double.NEGATIVE_INFINITY;
    for (List<double[]> series : List.of(loss, accuracy, validation)) {
      for (double[] p : series) {
        minStep = Math.min(minStep, p[0]);
        maxStep = Math.max(maxStep, p[0]);
      }
    }
    if (minStep > maxStep) {
      minStep = 0;
      maxStep = 1;
    }
    Ticks xs = Ticks.of(Math.min(0, minStep), maxStep, 8);
    List<double[]> losses = new ArrayList<>(loss);
    losses.addAll(validation);
    double lo = losses.stream().mapToDouble(p -> p[1]).min().orElse(0);
    double hi = losses.stream().mapToDouble(p -> p[1]).max().orElse(1);
    Ticks ys = Ticks.of(Math.min(0, lo), hi, 6);
    Scale sx = new Scale(xs.lo(), xs.hi(), x0, x1);
    Scale sy = new Scale(ys.lo(), ys.hi(), y0, y1);
    Scale sa = new Scale(0, 1, y0, y1);

    for (double t : ys.values()) out.add(new Line(x0, sy.map(t), x1, sy.map(t), GRID_COLOR, 1));
    for (double t : xs.values()) out.add(new Line(sx.map(t), y0, sx.map(t), y1, GRID_COLOR, 1));
    out.add(new Line(x0, y0, x1, y0, AXIS_COLOR, 1.5));
    out.add(new Line(x0, y0, x0, y1, AXIS_COLOR, 1.5));
    for (double t : xs.values()) {
      out.add(new Line(sx.map(t), y0, sx.map(t), y0 + 5, AXIS_COLOR, 1));
      out.add(new Text(sx.map(t), y0 + 20, xs.format(t), "middle", 12, AXIS_COLOR, 0));
    }
    for (double t : ys.values()) {
      out.add(new Line(x0 - 5, sy.map(t), x0, sy.map(t), AXIS_COLOR, 1));
      out.add(new Text(x0 - 8, sy.map(t) + 4, ys.format(t), "end", 12, AXIS_COLOR, 0));
    }
    out.add(new Text((x0 + x1) / 2, HEIGHT - 15, "step", "middle", 14, AXIS_COLOR, 0));
    out.add(new Text(22, (y0 + y1) / 2, "loss", "middle", 14, LOSS_COLOR, -90));
    if (second) {
      out.add(new Line(x1, y0, x1, y1, AXIS_COLOR, 1.5));
      for (int i = 0; i <= 5; i++) {
        double t = i / 5.0;
        out.add(new Line(x1, sa.map(t), x1 + 5, sa.map(t), AXIS_COLOR, 1));
        out.add(new Text(x1 + 8, sa.map(t) + 4, String.format(Locale.ROOT, "%.1f", t), "start", 12, AXIS_COLOR, 0));
      }
      out.add(new Text(WIDTH - 18, (y0 + y1) / 2, "exact match", "middle", 14, ACCURACY_COLOR, 90));
    }

    if (!loss.isEmpty()) out.add(curve(loss, sx, sy, LOSS_COLOR));
    if (loss.size() == 1) out.add(new Dot(sx.map(loss.get(0)[0]), sy.map(loss.get(0)[1]), 3, LOSS_COLOR));
    if (second) {
      out.add(curve(accuracy, sx, sa, ACCURACY_COLOR));
      for (double[] p : accuracy) out.add(new Dot(sx.map(p[0]), sa.map(p[1]), 3, ACCURACY_COLOR));
    }
    if (validated) {
      out.add(curve(validation, sx, sy, VALIDATION_COLOR));
      for (double[] p : validation) out.add(new Dot(sx.map(p[0]), sy.map(p[1]), 3, VALIDATION_COLOR));
    }
    if (loss.isEmpty() && !second) {
      out.add(new Text((x0 + x1) / 2, (y0 + y1) / 2, "no data yet", "middle", 14, "#888888", 0));
    }

    // Legend: one row between the title and the axes, where no curve can run under it.
    double ly = 52;
    double lx = second ? WIDTH / 2.0 - 150 : validated ? WIDTH / 2.0 - 130 : WIDTH / 2.0 - 55;
    out.add(new Line(lx, ly - 4, lx + 24, ly - 4, LOSS_COLOR, 2));
    out.add(new Text(lx + 30, ly, "training loss", "start", 12, AXIS_COLOR, 0));
    if (second) {
      out.add(new Line(lx + 140, ly - 4, lx + 164, ly - 4, ACCURACY_COLOR, 2));
      out.add(new Dot(lx + 152, ly - 4, 3, ACCURACY_COLOR));
      out.add(new Text(lx + 170, ly, "held-out exact match", "start", 12, AXIS_COLOR, 0));
    } else if (validated) {
      out.add(new Line(lx + 140, ly - 4, lx + 164, ly - 4, VALIDATION_COLOR, 2));
      out.add(new Dot(lx + 152, ly - 4, 3, VALIDATION_COLOR));
      out.add(new Text(lx + 170, ly, "validation loss", "start", 12, AXIS_COLOR, 0));
    }
    return out;
  }

  private static Polyline curve(List<double[]> series, Scale sx, Scale sy, String color) {
    List<double[]> points = new ArrayList<>();
    for (double[] p : series) points.add(new double[] {sx.map(p[0]), sy.map(p[1])});
    return new Polyline(points, color, 2);
  }

  private record Scale(double from, double to, double pixelFrom, double pixelTo) {
    double map(double v) {
      return pixelFrom + (v - from) / (to - from) * (pixelTo - pixelFrom);
    }
  }

  /**
   * "Nice" axis ticks, after Heckbert (Graphics Gems, 1990): a step of 1, 2 or 5 times a power of
   * ten near the range over {@code count - 1}, and the range widened to whole steps.
   */
  record Ticks(double lo, double hi, double step) {
    static Ticks of(double min, double max, int count) {
      if (!(max > min)) {
        double pad = min == 0 ? 1 : Math.abs(min) * 0.5;
        min -= pad;
        max += pad;
        if (min < 0 && min + pad >= 0) min = 0;
      }
      double step = nice((max - min) / Math.max(1, count - 1));
      return new Ticks(Math.floor(min / step) * step, Math.ceil(max / step) * step, step);
    }

    /** The 1, 2 or 5 times a power of ten nearest {@code x}. */
    private static double nice(double x) {
      double exp = Math.floor(Math.log10(x));
      double f = x / Math.pow(10, exp);
      double nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
      return nf * Math.pow(10, exp);
    }

    List<Double> values() {
      List<Double> out = new ArrayList<>();
      long n = Math.round((hi - lo) / step);
      for (long i = 0; i <= n; i++) out.add(lo + i * step);
      return out;
    }

    String format(double v) {
      int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
      if (Math.abs(v) < step * 1e-6) v = 0;
      return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
  }

  // ---- SVG ----------------------------------------------------------------------------------

  /** The shapes as an SVG document. */
  public static String svg(List<Shape> shapes) {
    StringBuilder out = new StringBuilder();
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    for (Shape s : shapes) {
      switch (s) {
        case Rect r -> out.append(String.format(Locale.ROOT,
            "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\" stroke=\"%s\"/>\n", n(r.x()), n(r.y()),
            n(r.w()), n(r.h()), r.fill() == null ? "none" : r.fill(), r.stroke() == null ? "none" : r.stroke()));
        case Line l -> out.append(String.format(Locale.ROOT,
            "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" stroke-width=\"%s\"/>\n", n(l.x1()),
            n(l.y1()), n(l.x2()), n(l.y2()), l.color(), n(l.width())));
        case Polyline p -> {
          StringBuilder pts = new StringBuilder();
          for (double[] q : p.points()) {
            if (!pts.isEmpty()) pts.append(' ');
            pts.append(n(q[0])).append(',').append(n(q[1]));
          }
          out.append(String.format(Locale.ROOT,
              "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-linejoin=\"round\"/>\n",
              pts, p.color(), n(p.width())));
        }
        case Dot d -> out.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"%s\" fill=\"%s\"/>\n",
            n(d.x()), n(d.y()), n(d.radius()), d.color()));
        case Text t -> {
          String anchor = t.anchor();
          String rotate = t.rotate() == 0 ? ""
              : String.format(Locale.ROOT, " transform=\"rotate(%d %s %s)\"", t.rotate(), n(t.x()), n(t.y()));
          out.append(String.format(Locale.ROOT,
              "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\" font-size=\"%d\" fill=\"%s\"%s>%s</text>\n", n(t.x()),
              n(t.y()), anchor, t.size(), t.color(), rotate, xml(t.text())));
        }
      }
    }
    return out.append("</svg>\n").toString();
  }

  private static String n(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  // ---- PNG ----------------------------------------------------------------------------------

  /** The shapes drawn into a PNG, headless. */
  public static byte[] png(List<Shape> shapes) {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = render(shapes);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the PNG: " + e, e);
    }
    return bytes.toByteArray();
  }

  /** The shapes drawn into an RGB image of {@link #WIDTH} × {@link #HEIGHT}. */
  public static BufferedImage render(List<Shape> shapes) {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      boolean text = true;
      for (Shape s : shapes) {
        switch (s) {
          case Rect r -> {
            if (r.fill() != null) {
              g.setColor(color(r.fill()));
              g.fill(new java.awt.geom.Rectangle2D.Double(r.x(), r.y(), r.w(), r.h()));
            }
            if (r.stroke() != null) {
              g.setColor(color(r.stroke()));
              g.setStroke(new BasicStroke(1));
              g.draw(new java.awt.geom.Rectangle2D.Double(r.x(), r.y(), r.w(), r.h()));
            }
          }
          case Line l -> {
            g.setColor(color(l.color()));
            g.setStroke(new BasicStroke((float) l.width()));
            g.draw(new java.awt.geom.Line2D.Double(l.x1(), l.y1(), l.x2(), l.y2()));
          }
          case Polyline p -> {
            if (p.points().isEmpty()) break;
            Path2D.Double path = new Path2D.Double();
            path.moveTo(p.points().get(0)[0], p.points().get(0)[1]);
            for (double[] q : p.points()) path.lineTo(q[0], q[1]);
            g.setColor(color(p.color()));
            g.setStroke(new BasicStroke((float) p.width(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path);
          }
          case Dot d -> {
            g.setColor(color(d.color()));
            g.fill(new java.awt.geom.Ellipse2D.Double(d.x() - d.radius(), d.y() - d.radius(), 2 * d.radius(),
                2 * d.radius()));
          }
          case Text t -> {
            if (text) text = drawText(g, t);
          }
        }
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  /**
   * Draws one text; false when the JDK has no usable font here (a headless machine without
   * fontconfig), after which the PNG keeps its lines and curves without labels — the SVG still has
   * them all.
   */
  private static boolean drawText(Graphics2D g, Text t) {
    try {
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, t.size()));
      g.setColor(color(t.color()));
      FontMetrics fm = g.getFontMetrics();
      int w = fm.stringWidth(t.text());
      double dx = switch (t.anchor()) {
        case "middle" -> -w / 2.0;
        case "end" -> -w;
        default -> 0;
      };
      AffineTransform saved = g.getTransform();
      g.translate(t.x(), t.y());
      if (t.rotate() != 0) g.rotate(Math.toRadians(t.rotate()));
      g.drawString(t.text(), (float) dx, 0f);
      g.setTransform(saved);
      return true;
    } catch (RuntimeException | LinkageError | InternalError e) {
      return false;
    }
  }

  private static Color color(String hex) {
    return new Color(Integer.parseInt(hex.substring(1), 16));
  }
}
