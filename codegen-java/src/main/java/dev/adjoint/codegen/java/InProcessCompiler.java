package dev.adjoint.codegen.java;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.runtime.exec.CompiledKernels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated Java source in memory with the JDK's compiler ({@code javax.tools}) and loads
 * it, each source in its own class loader whose parent is the one that loaded the runtime, so the
 * generated code sees {@code dev.adjoint.runtime} and nothing of the compiler.
 *
 * <p>Compiled classes are kept in an on-disk cache, keyed by the SHA-256 of the source, the
 * compiler options and the Java version: loading unchanged source again, in this process or a later
 * one, does not run javac ({@code CompiledClassCache}: checksummed entries, written atomically).
 *
 * <p>The cache folder is, in order: the one given to {@link #withCache}, the system property
 * {@value #CACHE_PROPERTY}, or {@code ~/.cache/adjoint/java}.
 */
public final class InProcessCompiler {
  /** System property naming the cache folder. */
  public static final String CACHE_PROPERTY = "adjoint.cache";

  /** Options every compilation uses: all lint warnings on, no annotation processing. */
  public static final List<String> DEFAULT_OPTIONS = List.of("-Xlint:all", "-proc:none");

  private static final String KEY_VERSION = "adjoint-java-cache-1";
  private static final System.Logger LOG = System.getLogger(InProcessCompiler.class.getName());

  private final Optional<Path> cache;
  private final Optional<CompiledClassCache> entries;
  private final List<String> options;
  private final AtomicLong javacRuns = new AtomicLong();
  private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();
  private final Object javacLock = new Object();

  private InProcessCompiler(Optional<Path> cache, List<String> options) {
    this.cache = cache;
    this.entries = cache.map(CompiledClassCache::new);
    this.options = List.copyOf(options);
  }

  /** A compiler with the default options and the default cache folder. */
  public static InProcessCompiler create() {
    return new InProcessCompiler(Optional.of(defaultCacheDirectory()), DEFAULT_OPTIONS);
  }

  /** A compiler with the default options that caches under {@code cacheDirectory}. */
  public static InProcessCompiler withCache(Path cacheDirectory) {
    return withCache(cacheDirectory, DEFAULT_OPTIONS);
  }

  /**
   * A compiler that passes {@code options} to javac (e.g. {@link #DEFAULT_OPTIONS} plus
   * {@code -Werror}) and caches under {@code cacheDirectory}.
   */
  public static InProcessCompiler withCache(Path cacheDirectory, List<String> options) {
    Objects.requireNonNull(cacheDirectory, "cacheDirectory");
    return new InProcessCompiler(Optional.of(cacheDirectory), checkOptions(options));
  }

  /** A compiler that keeps nothing on disk. */
  public static InProcessCompiler withoutCache(List<String> options) {
    return new InProcessCompiler(Optional.empty(), checkOptions(options));
  }

  private static List<String> checkOptions(List<String> options) {
    Objects.requireNonNull(options, "options");
    for (String o : options) {
      Objects.requireNonNull(o, "option");
      if (o.equals("-classpath") || o.equals("-cp") || o.equals("--class-path") || o.equals("-d")) {
        throw new IllegalArgumentException("option " + o + " is set by the compiler itself");
      }
    }
    return List.copyOf(options);
  }

  /** The system property {@value #CACHE_PROPERTY}, or {@code ~/.cache/adjoint/java}. */
  public static Path defaultCacheDirectory() {
    String configured = System.getProperty(CACHE_PROPERTY);
    if (configured != null && !configured.isBlank()) return Path.of(configured);
    return Path.of(System.getProperty("user.home"), ".cache", "adjoint", "java");
  }

  /** The cache folder, if this compiler has one. */
  public Optional<Path> cacheDirectory() {
    return cache;
  }

  public List<String> options() {
    return options;
  }

  /** How many times this compiler has run javac (one run may compile many sources). */
  public long javacRuns() {
    return javacRuns.get();
  }

  /**
   * The class of {@code file}, compiled (or taken from the cache) and loaded.
   *
   * @throws IllegalStateException if the source does not compile; the message has javac's errors
   */
  public Class<?> load(JavaFile file) {
    return loadAll(List.of(file)).get(0);
  }

  /**
   * The classes of {@code files}, in order. Sources not in the cache are compiled together, in one
   * javac run (or one per group of sources whose class names clash), which is much faster than one
   * run each.
   */
  public List<Class<?>> loadAll(List<JavaFile> files) {
    Objects.requireNonNull(files, "files");
    List<Source> sources = new ArrayList<>();
    for (JavaFile f : files) sources.add(Source.of(f, key(f)));
    Class<?>[] out = new Class<?>[sources.size()];
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      Source s = sources.get(i);
      Class<?> known = loaded.get(s.key());
      if (known == null) {
        Optional<Map<String, byte[]>> cached = entries.flatMap(c -> c.read(s.key(), s.className()));
        if (cached.isPresent()) known = define(s, cached.get());
      }
      if (known != null) out[i] = known;
      else missing.add(i);
    }
    // Sources in one javac run need distinct class names: a clash starts another run.
    while (!missing.isEmpty()) {
      Map<String, Integer> batch = new LinkedHashMap<>();
      List<Integer> later = new ArrayList<>();
      for (int i : missing) {
        Source s = sources.get(i);
        if (batch.containsKey(s.className())) {
          if (!sources.get(batch.get(s.className())).key().equals(s.key())) later.add(i);
        } else {
          batch.put(s.className(), i);
        }
      }
      List<Source> toCompile = batch.values().stream().map(sources::get).toList();
      Map<String, Map<String, byte[]>> compiled = compile(toCompile);
      for (Source s : toCompile) {
        Map<String, byte[]> classes = compiled.get(s.className());
        entries.ifPresent(c -> c.write(s.key(), classes));
        define(s, classes);
      }
      for (int i : missing) {
        if (!later.contains(i)) out[i] = loaded.get(sources.get(i).key());
      }
      missing = later;
    }
    return List.of(out);
  }

  /** A new instance of a generated {@link CompiledKernels} class. */
  public static CompiledKernels instantiate(Class<?> generated) {
    if (!CompiledKernels.class.isAssignableFrom(generated)) {
      throw new IllegalArgumentException(generated.getName() + " does not implement " + CompiledKernels.class.getName());
    }
    try {
      return (CompiledKernels) generated.getConstructor().newInstance();
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
      throw new IllegalStateException("cannot instantiate " + generated.getName(), e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("constructor of " + generated.getName() + " failed", e.getCause());
    }
  }

  // ---- the key

  private record Source(JavaFile file, String className, String text, String key) {
    static Source of(JavaFile file, String key) {
      String name = file.packageName().isEmpty() ? file.typeSpec().name() : file.packageName() + "." + file.typeSpec().name();
      return new Source(file, name, file.toString(), key);
    }
  }

  private String key(JavaFile file) {
    MessageDigest sha = CompiledClassCache.sha256();
    String name = file.packageName() + "." + file.typeSpec().name();
    for (String part : List.of(KEY_VERSION, Runtime.version().toString(), String.join("\u0000", options), name,
        file.toString())) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) ':');
      sha.update(bytes);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  // ---- javac

  private Map<String, Map<String, byte[]>> compile(List<Source> sources) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler in this JVM (java.home = " + System.getProperty("java.home")
          + "): the Java backend needs a JDK, not a JRE");
    }
    synchronized (javacLock) {
      javacRuns.incrementAndGet();
      DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
      StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8);
      MemoryFileManager files = new MemoryFileManager(standard);
      List<JavaFileObject> units = new ArrayList<>();
      Map<JavaFileObject, Source> bySource = new LinkedHashMap<>();
      for (Source s : sources) {
        JavaFileObject unit = new SourceObject(s.className(), s.text());
        units.add(unit);
        bySource.put(unit, s);
      }
      List<String> args = new ArrayList<>(options);
      args.add("-classpath");
      args.add(runtimeClassPath());
      boolean ok;
      try {
        ok = javac.getTask(null, files, diagnostics, args, null, units).call();
      } finally {
        try {
          files.close();
        } catch (IOException e) {
          LOG.log(System.Logger.Level.DEBUG, "closing javac's file manager: {0}", e.toString());
        }
      }
      if (!ok) throw new IllegalStateException(describeFailure(diagnostics, bySource));
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.WARNING || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
          LOG.log(System.Logger.Level.WARNING, "generated Java: {0}", d.getMessage(Locale.ROOT));
        }
      }
      Map<String, Map<String, byte[]>> out = new LinkedHashMap<>();
      for (Source s : sources) {
        Map<String, byte[]> classes = new TreeMap<>();
        files.classes.forEach((name, bytes) -> {
          if (name.equals(s.className()) || name.startsWith(s.className() + "$")) classes.put(name, bytes.toByteArray());
        });
        if (!classes.containsKey(s.className())) {
          throw new IllegalStateException("javac wrote no class " + s.className());
        }
        out.put(s.className(), classes);
      }
      return out;
    }
  }

  private static String describeFailure(DiagnosticCollector<JavaFileObject> diagnostics, Map<JavaFileObject, Source> sources) {
    StringBuilder out = new StringBuilder("generated Java does not compile (a bug in the Java backend):");
    int shown = 0;
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (shown++ == 20) {
        out.append("\n  ...");
        break;
      }
      Source s = d.getSource() == null ? null : sources.get(d.getSource());
      out.append("\n  ").append(s == null ? "" : s.className() + ":" + d.getLineNumber() + ": ")
          .append(d.getKind().name().toLowerCase(Locale.ROOT)).append(": ").append(d.getMessage(Locale.ROOT));
      if (s != null && d.getLineNumber() > 0) {
        List<String> lines = s.text().lines().toList();
        if (d.getLineNumber() <= lines.size()) out.append("\n      ").append(lines.get((int) d.getLineNumber() - 1).strip());
      }
    }
    return out.toString();
  }

  /** Where the runtime classes are, for javac's class path. */
  private static String runtimeClassPath() {
    CodeSource source = CompiledKernels.class.getProtectionDomain().getCodeSource();
    if (source != null && source.getLocation() != null && "file".equals(source.getLocation().getProtocol())) {
      try {
        return Path.of(source.getLocation().toURI()).toString();
      } catch (URISyntaxException | IllegalArgumentException e) {
        // fall through to the class path of the JVM
      }
    }
    return System.getProperty("java.class.path", ".");
  }

  private Class<?> define(Source s, Map<String, byte[]> classes) {
    return loaded.computeIfAbsent(s.key(), k -> {
      GeneratedClassLoader loader = new GeneratedClassLoader(s.className(), classes);
      try {
        return Class.forName(s.className(), true, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("cannot load generated class " + s.className(), e);
      }
    });
  }

  /** Defines the classes of one generated source; everything else comes from the runtime's loader. */
  private static final class GeneratedClassLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    GeneratedClassLoader(String name, Map<String, byte[]> classes) {
      super("adjoint:" + name, CompiledKernels.class.getClassLoader());
      this.classes = Map.copyOf(classes);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) throw new ClassNotFoundException(name);
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  private static final class SourceObject extends SimpleJavaFileObject {
    private final String text;

    SourceObject(String className, String text) {
      super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
      this.text = text;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }
  }

  /** Keeps javac's class files in memory, by binary name. */
  private static final class MemoryFileManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
    final Map<String, ByteArrayOutputStream> classes = new TreeMap<>();

    MemoryFileManager(StandardJavaFileManager standard) {
      super(standard);
    }

    @Override
    public JavaFileObject getJavaFileForOutput(JavaFileManager.Location location, String className, JavaFileObject.Kind kind,
        FileObject sibling) {
      return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
        @Override
        public OutputStream openOutputStream() {
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          classes.put(className, bytes);
          return bytes;
        }
      };
    }
  }
}
