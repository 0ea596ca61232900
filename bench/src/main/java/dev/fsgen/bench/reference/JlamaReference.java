package dev.fsgen.bench.reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Independent Llama implementation: runs Jlama ({@code bench/src/main/jlama/JlamaLogits.java}) on a
 * Hugging Face layout Llama checkpoint in a separate Java 21+ JVM and returns its raw last-position
 * logits and greedy continuations, with how long they took (the benchmark's tokens/s beside fsgen's).
 *
 * <p>Jlama's classes need Java 20+ and the incubating Vector API, while this project builds and tests
 * on Java 17, so it cannot be loaded in the test JVM. Its jars are copied to
 * {@code bench/target/jlama} during {@code generate-resources}; the harness source is run with
 * the JDK's source-file launcher so no second compilation step is needed.
 *
 * <p>Prompts are token ids: Jlama's tokenizer does not reproduce Hugging Face's, but the checkpoint
 * directory must still hold a {@code tokenizer.json} because Jlama refuses to load a model without one.
 */
public final class JlamaReference {

    /**
     * Raw logits after the whole prompt, the greedy (argmax) continuation, and the seconds Jlama took
     * for the prompt's forward pass and for the one-token steps that followed it.
     */
    public record Result(float[] lastLogits, int[] greedy, double prefillSeconds, double decodeSeconds) {}

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final int MIN_JAVA = 21;
    private static final String HARNESS = "bench/src/main/jlama/JlamaLogits.java";
    private static final String JAR_DIR = "bench/target/jlama";

    private final Path java;
    private final Path root;
    private final String classpath;

    private JlamaReference(Path java, Path root, String classpath) {
        this.java = java;
        this.root = root;
        this.classpath = classpath;
    }

    private record Lookup(Optional<JlamaReference> reference, String reason) {}

    // Looked up once: scanning JDKs and starting `java -version` is not free and cannot change mid-run.
    private static final class Holder {
        static final Lookup LOOKUP = lookup();
    }

    /** The reference when a Java 21+ JDK, the copied Jlama jars and the harness source are all present. */
    public static Optional<JlamaReference> find() {
        return Holder.LOOKUP.reference();
    }

    /** Why {@link #find()} is empty (suitable for a test-skip message); empty string when it is not. */
    public static String unavailableReason() {
        return Holder.LOOKUP.reason();
    }

    /** The Java executable the harness runs on. */
    public Path java() {
        return java;
    }

    /**
     * Runs Jlama on {@code modelDir} for each prompt. Returns one result per prompt, in order.
     *
     * @throws IOException when the harness cannot start, fails, times out or prints malformed output;
     *     the message carries the harness's stderr
     */
    public List<Result> run(Path modelDir, List<int[]> prompts, int greedyTokens) throws IOException {
        return run(modelDir, prompts, greedyTokens, false);
    }

    /**
     * Like {@link #run(Path, List, int)}; with {@code warmUp} Jlama first runs every prompt once
     * untimed, so that the timings are of JIT-compiled code, as fsgen's are.
     */
    public List<Result> run(Path modelDir, List<int[]> prompts, int greedyTokens, boolean warmUp) throws IOException {
        if (greedyTokens < 0) {
            throw new IllegalArgumentException("greedyTokens < 0: " + greedyTokens);
        }
        Path tmp = Files.createTempDirectory("fsgen-jlama-");
        try {
            Path request = tmp.resolve("request.json");
            Files.writeString(request, requestJson(prompts, greedyTokens, warmUp), StandardCharsets.UTF_8);
            Path stdout = tmp.resolve("stdout.json");
            Path stderr = tmp.resolve("stderr.txt");

            List<String> cmd = List.of(
                    java.toString(),
                    "--add-modules", "jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED",
                    // its native kernels compute wrong rows for dimensions that are not multiples of 128
                    "-Djlama.force_panama_tensor_operations=true",
                    "-cp", classpath,
                    root.resolve(HARNESS).toString(),
                    modelDir.toAbsolutePath().toString(),
                    request.toString());
            // Output goes to files, not pipes, so a chatty child can never block on a full pipe.
            Process p = new ProcessBuilder(cmd)
                    .directory(root.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!ChildProcess.awaitOrKill(p, TIMEOUT, "Jlama")) {
                throw new IOException("Jlama timed out after " + TIMEOUT.toSeconds() + " s; stderr:\n" + read(stderr));
            }
            if (p.exitValue() != 0) {
                throw new IOException("Jlama exited with " + p.exitValue() + "; command: " + String.join(" ", cmd)
                        + "\nstderr:\n" + read(stderr));
            }
            try {
                return parse(stdout, prompts.size(), greedyTokens);
            } catch (RuntimeException e) {
                throw new IOException("malformed Jlama output (" + e.getMessage() + "); stderr:\n" + read(stderr), e);
            }
        } finally {
            deleteRecursively(tmp);
        }
    }

    private static String requestJson(List<int[]> prompts, int greedyTokens, boolean warmUp) {
        StringBuilder sb = new StringBuilder("{\"prompts\":[");
        for (int i = 0; i < prompts.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('[');
            int[] ids = prompts.get(i);
            for (int j = 0; j < ids.length; j++) {
                if (j > 0) {
                    sb.append(',');
                }
                sb.append(ids[j]);
            }
            sb.append(']');
        }
        return sb.append("],\"greedy_tokens\":").append(greedyTokens).append(",\"warm_up\":").append(warmUp).append('}').toString();
    }

    private static List<Result> parse(Path stdout, int expected, int greedyTokens) throws IOException {
        JsonElement root;
        // JsonParser reads leniently, so NaN/Infinity logits (a real finding, not a format error) parse.
        try (Reader r = Files.newBufferedReader(stdout, StandardCharsets.UTF_8)) {
            root = JsonParser.parseReader(r);
        }
        JsonArray results = root.getAsJsonObject().getAsJsonArray("results");
        if (results == null || results.size() != expected) {
            throw new IllegalStateException("expected " + expected + " results, got "
                    + (results == null ? "none" : results.size()));
        }
        List<Result> out = new ArrayList<>(expected);
        for (JsonElement e : results) {
            JsonObject o = e.getAsJsonObject();
            JsonArray l = o.getAsJsonArray("last_logits");
            float[] logits = new float[l.size()];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = l.get(i).getAsFloat();
            }
            JsonArray g = o.getAsJsonArray("greedy");
            int[] greedy = new int[g.size()];
            for (int i = 0; i < greedy.length; i++) {
                greedy[i] = g.get(i).getAsInt();
            }
            if (greedy.length != greedyTokens) {
                throw new IllegalStateException("expected " + greedyTokens + " greedy tokens, got " + greedy.length);
            }
            if (logits.length == 0 || (!out.isEmpty() && out.get(0).lastLogits().length != logits.length)) {
                throw new IllegalStateException("inconsistent logits length " + logits.length);
            }
            out.add(new Result(logits, greedy, o.get("prefill_seconds").getAsDouble(), o.get("decode_seconds").getAsDouble()));
        }
        return out;
    }

    // ---- discovery ----

    private static Lookup lookup() {
        List<String> notes = new ArrayList<>();
        Optional<Path> java = findJava(notes);
        if (java.isEmpty()) {
            return new Lookup(Optional.empty(), "no Java " + MIN_JAVA + "+ found for the Jlama reference (set "
                    + "FSGEN_JAVA21_HOME or JAVA_HOME to a JDK " + MIN_JAVA + "+, or install one under /usr/lib/jvm)"
                    + (notes.isEmpty() ? "" : ": " + String.join("; ", notes)));
        }
        Optional<Path> root = findRoot();
        if (root.isEmpty()) {
            return new Lookup(Optional.empty(), "cannot locate " + HARNESS + " from fsgen.root="
                    + System.getProperty("fsgen.root") + " or user.dir=" + System.getProperty("user.dir"));
        }
        Path jars = root.get().resolve(JAR_DIR);
        if (firstJar(jars, "jlama-core-").isEmpty()) {
            return new Lookup(Optional.empty(), "no jlama-core jar in " + jars
                    + " (run: mvn -pl bench generate-resources)");
        }
        StringBuilder cp = new StringBuilder(jars.toAbsolutePath() + File.separator + "*");
        // Jlama logs through slf4j-api, which the copy into target/jlama can miss: this module already
        // has it on its compile classpath (through DJL), so Maven files it under compile, not provided.
        if (firstJar(jars, "slf4j-api-").isEmpty()) {
            Optional<Path> slf4j = slf4jApiJar();
            if (slf4j.isEmpty()) {
                return new Lookup(Optional.empty(), "slf4j-api is neither in " + jars + " nor on this JVM's classpath");
            }
            cp.append(File.pathSeparator).append(slf4j.get());
        }
        return new Lookup(Optional.of(new JlamaReference(java.get(), root.get(), cp.toString())), "");
    }

    private static Optional<Path> findJava(List<String> notes) {
        String explicit = System.getenv("FSGEN_JAVA21_HOME");
        if (explicit != null && !explicit.isBlank()) {
            Optional<Path> j = usableJdk(Paths.get(explicit), notes, "FSGEN_JAVA21_HOME");
            if (j.isPresent()) {
                return j;
            }
        }
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            Optional<Path> j = usableJdk(Paths.get(javaHome), new ArrayList<>(), "JAVA_HOME");
            if (j.isPresent()) {
                return j;
            }
        }
        Optional<Path> self = usableJdk(Paths.get(System.getProperty("java.home")), new ArrayList<>(), "java.home");
        if (self.isPresent()) {
            return self;
        }
        Path jvmDir = Paths.get("/usr/lib/jvm");
        if (Files.isDirectory(jvmDir)) {
            List<Path> homes = new ArrayList<>();
            try (Stream<Path> s = Files.list(jvmDir)) {
                s.filter(Files::isDirectory).forEach(homes::add);
            } catch (IOException e) {
                notes.add("cannot list " + jvmDir + ": " + e.getMessage());
            }
            // Prefer the newest JDK; symlinked aliases of one JDK resolve to the same real path.
            Set<Path> seen = new LinkedHashSet<>();
            Path best = null;
            int bestVersion = -1;
            for (Path h : homes) {
                Path real;
                try {
                    real = h.toRealPath();
                } catch (IOException e) {
                    continue;
                }
                if (!seen.add(real)) {
                    continue;
                }
                int v = releaseVersion(real);
                if (v >= MIN_JAVA && v > bestVersion && Files.isExecutable(real.resolve("bin/java"))) {
                    best = real;
                    bestVersion = v;
                }
            }
            if (best != null) {
                return Optional.of(best.resolve("bin/java"));
            }
            notes.add("no JDK " + MIN_JAVA + "+ under " + jvmDir);
        }
        return Optional.empty();
    }

    private static Optional<Path> usableJdk(Path home, List<String> notes, String source) {
        Path bin = home.resolve("bin/java");
        if (!Files.isExecutable(bin)) {
            notes.add(source + "=" + home + " has no bin/java");
            return Optional.empty();
        }
        int v = releaseVersion(home);
        if (v < 0) {
            v = versionFromLauncher(bin);
        }
        if (v < MIN_JAVA) {
            notes.add(source + "=" + home + " is Java " + (v < 0 ? "of unknown version" : v));
            return Optional.empty();
        }
        return Optional.of(bin);
    }

    /** Major version from a JDK's {@code release} file, or -1. */
    static int releaseVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return -1;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(release, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            return -1;
        }
        String v = p.getProperty("JAVA_VERSION");
        return v == null ? -1 : majorVersion(v.replace("\"", "").trim());
    }

    private static final Pattern VERSION_LINE = Pattern.compile("version \"([^\"]+)\"");

    private static int versionFromLauncher(Path java) {
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            Matcher m = VERSION_LINE.matcher(text);
            return m.find() ? majorVersion(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** "25.0.1" → 25, "21" → 21, "1.8.0_402" → 8; -1 when unparseable. */
    static int majorVersion(String v) {
        String[] parts = v.split("[.\\-+_]");
        try {
            int first = Integer.parseInt(parts[0]);
            return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<Path> findRoot() {
        // Surefire sets fsgen.root to the reactor root; a run from the module directory lands in
        // bench/, hence the parents.
        List<Path> candidates = new ArrayList<>();
        for (String prop : new String[] {"fsgen.root", "user.dir"}) {
            String v = System.getProperty(prop);
            if (v != null && !v.isBlank()) {
                Path p = Paths.get(v).toAbsolutePath().normalize();
                candidates.add(p);
                if (p.getParent() != null) {
                    candidates.add(p.getParent());
                }
            }
        }
        return candidates.stream().filter(p -> Files.isRegularFile(p.resolve(HARNESS))).findFirst();
    }

    private static Optional<Path> firstJar(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, prefix + "*.jar")) {
            for (Path p : ds) {
                return Optional.of(p);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<Path> slf4jApiJar() {
        try {
            Class<?> c = Class.forName("org.slf4j.LoggerFactory", false, JlamaReference.class.getClassLoader());
            var src = c.getProtectionDomain().getCodeSource();
            if (src == null || src.getLocation() == null) {
                return Optional.empty();
            }
            return Optional.of(Paths.get(src.getLocation().toURI()));
        } catch (ClassNotFoundException | URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    // ---- small I/O helpers ----

    private static File nullDevice() {
        return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
    }

    private static String read(Path p) {
        try {
            String s = Files.readString(p, StandardCharsets.UTF_8);
            // keep exception messages readable: the end of stderr holds the stack trace
            return s.length() > 20_000 ? "...\n" + s.substring(s.length() - 20_000) : s;
        } catch (IOException e) {
            return "(stderr unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover temp directory is harmless
        }
    }
}
