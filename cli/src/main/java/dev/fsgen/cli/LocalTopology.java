package dev.fsgen.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes topology as processes on this machine: System 1, N System 2 replicas and the
 * orchestrator, each a {@code fsgen serve} JVM configured through the same FSGEN_* environment
 * keys as the pods (the ConfigMap's data, then the per-process keys the manifests set). Shared by
 * {@code fsgen launch} (until Ctrl-C) and {@code fsgen demo} (its single-replica form).
 */
final class LocalTopology implements AutoCloseable {
  /** What to run; null fields take the ConfigMap's or the bundled defaults. */
  static final class Spec {
    int replicas = 1;
    /** The orchestrator's port; System 1 takes the next, System 2 the ones after. 0: free ports anywhere. */
    int port;
    /** The orchestrator's OpenAI-compatible HTTP API (FSGEN_HTTP_PORT, as the manifests set it); 0: a free port, null: none. */
    Integer httpPort;
    Path config;
    Integer threads;
    Path logs;
    Path system1Model;
    Path system2Model;
    List<String> system1Extra;
    Path routerFile;
    /** A process that dies is started again after this wait, doubled after each death in a row (Kubernetes' back-off). */
    Duration restartBackoff = Duration.ofSeconds(1);
    /** The longest wait before a restart; a process that ran this long without dying starts the count again. */
    Duration maxRestartBackoff = Duration.ofSeconds(60);
  }

  /** Each service's port (orchestrator, system1, system2-0, ...). */
  final Map<String, Integer> ports = new LinkedHashMap<>();
  /** The orchestrator's HTTP port, or null when it serves none. */
  Integer httpPort;
  final List<String> system2 = new ArrayList<>();
  final Path logDir;
  /** The services, by name, each with its process as it runs now. */
  private final Map<String, Supervised> services = new LinkedHashMap<>();
  private final Spec spec;
  private volatile boolean closing;
  /** Set once every process is SERVING: from then on a process that dies is restarted. */
  private volatile boolean supervising;

  private LocalTopology(Path logDir, Spec spec) {
    this.logDir = logDir;
    this.spec = spec;
  }

  /**
   * One service's process, started again with back-off when it dies while the topology runs, as a
   * Kubernetes Deployment's pod would be: same port, same settings, its log appended to.
   */
  private final class Supervised {
    final String name;
    final String service;
    final Map<String, String> env;
    final Path log;
    volatile Process process;
    volatile int restarts;
    private final Thread watcher;

    Supervised(String name, String service, Map<String, String> env, Path log) throws IOException {
      this.name = name;
      this.service = service;
      this.env = env;
      this.log = log;
      this.process = process(service, env, log, false);
      this.watcher = new Thread(this::watch, "launch-watch-" + name);
      watcher.setDaemon(true);
      watcher.start();
    }

    private void watch() {
      Duration wait = spec.restartBackoff;
      try {
        while (!closing) {
          long started = System.nanoTime();
          int code = process.waitFor();
          // one that dies before every service is up is a configuration error: the start fails and says so
          if (closing || !supervising) return;
          if (Duration.ofNanos(System.nanoTime() - started).compareTo(spec.maxRestartBackoff) >= 0) wait = spec.restartBackoff;
          System.err.printf("launch: %s exited with code %d; restarting it in %.1f s (restart %d; its log: %s)%n", name, code,
              wait.toMillis() / 1e3, restarts + 1, log);
          Thread.sleep(wait.toMillis());
          if (closing) return;
          try {
            process = process(service, env, log, true);
            restarts++;
          } catch (IOException e) {
            System.err.println("launch: cannot restart " + name + ": " + e.getMessage());
          }
          wait = wait.multipliedBy(2).compareTo(spec.maxRestartBackoff) > 0 ? spec.maxRestartBackoff : wait.multipliedBy(2);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The processes running now, one per service (a restarted service's new one). */
  List<Process> processes() {
    return services.values().stream().map(s -> s.process).toList();
  }

  /** The process running now for one service (orchestrator, system1, system2-0, ...). */
  Process process(String name) {
    return services.get(name).process;
  }

  /** How many times a service's process was started again after it died. */
  int restarts(String name) {
    return services.get(name).restarts;
  }

  /** Waits until the topology is closed (Ctrl-C): processes that die meanwhile are restarted. */
  void awaitClosed() throws InterruptedException {
    while (!closing) Thread.sleep(500);
  }

  /** Starts every process and returns once all of them are SERVING; stops what it started if one fails. */
  static LocalTopology start(Spec spec) throws Exception {
    if (spec.replicas < 1 || spec.replicas > 16) throw new IllegalArgumentException("--system2-replicas must be 1..16, got " + spec.replicas);
    if (spec.port < 0 || spec.port + 1 + spec.replicas > 65535) throw new IllegalArgumentException("--port leaves no room for the services: " + spec.port);
    if (spec.httpPort != null && (spec.httpPort < 0 || spec.httpPort > 65535)) {
      throw new IllegalArgumentException("--http-port must be 0..65535 (0: a free port), got " + spec.httpPort);
    }
    Path root = Cli.root();
    Map<String, String> settings = settings(spec.config != null ? spec.config : root.resolve("deploy/base/config.yaml"));
    if (spec.threads != null) settings.put("FSGEN_THREADS", spec.threads.toString());
    settings.remove("FSGEN_METRICS_PORT"); // one port per process here: the pods each have their own
    if (spec.restartBackoff.isNegative() || spec.restartBackoff.isZero() || spec.maxRestartBackoff.compareTo(spec.restartBackoff) < 0) {
      throw new IllegalArgumentException("the restart back-off must be > 0 and at most its maximum, got " + spec.restartBackoff.toMillis()
          + " ms and " + spec.maxRestartBackoff.toMillis() + " ms");
    }
    LocalTopology t = new LocalTopology(spec.logs != null ? spec.logs : root.resolve("work/launch"), spec);
    Files.createDirectories(t.logDir);
    int p = spec.port;
    t.ports.put("system1", p == 0 ? free() : p + 1);
    for (int i = 0; i < spec.replicas; i++) t.ports.put("system2-" + i, p == 0 ? free() : p + 2 + i);
    t.ports.put("orchestrator", p == 0 ? free() : p);
    if (spec.httpPort != null) t.httpPort = spec.httpPort == 0 ? free() : spec.httpPort;
    try {
      for (Map.Entry<String, Integer> e : t.ports.entrySet()) {
        Map<String, String> env = new LinkedHashMap<>(settings);
        env.put("FSGEN_HOST", "127.0.0.1");
        env.put("FSGEN_PORT", e.getValue().toString());
        String service = e.getKey().startsWith("system2") ? "system2" : e.getKey();
        switch (service) {
          case "system1" -> {
            env.put("FSGEN_MODEL", orDefault(spec.system1Model, root.resolve("models/system1")));
            if (spec.system1Extra != null && !spec.system1Extra.isEmpty()) env.put("FSGEN_EXTRA_MODELS", String.join(",", spec.system1Extra));
          }
          case "system2" -> {
            env.put("FSGEN_MODEL", orDefault(spec.system2Model, root.resolve("models/system2")));
            t.system2.add("localhost:" + e.getValue());
          }
          default -> {
            env.put("FSGEN_SYSTEM1", "localhost:" + t.ports.get("system1"));
            env.put("FSGEN_SYSTEM2", String.join(",", t.system2));
            if (spec.routerFile != null) env.put("FSGEN_ROUTER_FILE", spec.routerFile.toAbsolutePath().toString());
            if (t.httpPort != null) env.put("FSGEN_HTTP_PORT", t.httpPort.toString());
          }
        }
        t.services.put(e.getKey(), t.new Supervised(e.getKey(), service, env, t.logDir.resolve(e.getKey() + ".log")));
      }
      for (Map.Entry<String, Integer> e : t.ports.entrySet()) t.awaitServing(e.getKey(), e.getValue());
      t.supervising = true;
      return t;
    } catch (Exception | Error e) {
      t.close();
      throw e;
    }
  }

  int orchestratorPort() {
    return ports.get("orchestrator");
  }

  private static String orDefault(Path given, Path fallback) {
    return (given != null ? given : fallback).toAbsolutePath().toString();
  }

  private static int free() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The ConfigMap's data: every key the services read, as the manifests set it. */
  @SuppressWarnings("unchecked")
  static Map<String, String> settings(Path configMap) throws IOException {
    try (InputStream in = Files.newInputStream(configMap)) {
      Map<String, Object> doc = new Yaml().load(in);
      Object data = doc == null ? null : doc.get("data");
      if (!(data instanceof Map)) throw new IllegalArgumentException(configMap + " is not a ConfigMap with data");
      Map<String, String> out = new LinkedHashMap<>();
      ((Map<String, Object>) data).forEach((k, v) -> out.put(k, String.valueOf(v)));
      return out;
    }
  }

  /** @param append add to the log (a restart) instead of starting it afresh */
  private static Process process(String service, Map<String, String> env, Path log, boolean append) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xmn24m",
        "-Dai.djl.offline=true", "-Dfsgen.root=" + Cli.root(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", service));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(append ? ProcessBuilder.Redirect.appendTo(log.toFile()) : ProcessBuilder.Redirect.to(log.toFile()));
    pb.environment().putAll(env);
    pb.environment().put("DJL_OFFLINE", "true");
    return pb.start();
  }

  /** The last line a process wrote: where a service that refuses to start says why (a bad pair, a bad model). */
  private static String lastLine(Path log) {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(log);
      for (int i = lines.size() - 1; i >= 0; i--) if (!lines.get(i).isBlank()) return lines.get(i).strip();
    } catch (java.io.IOException | RuntimeException e) {
      // the log is only a hint: the exit itself is the error
    }
    return "no output";
  }

  private void awaitServing(String name, int port) throws Exception {
    Path log = logDir.resolve(name + ".log");
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        for (Supervised p : services.values()) {
          // at start a process that exits is a configuration error, not a crash to ride out
          if (!p.process.isAlive() && !supervising) {
            throw new IllegalStateException(p.name + " exited: " + lastLine(p.log) + " (its log: " + p.log + ")");
          }
        }
        try {
          HealthCheckResponse h = HealthGrpc.newBlockingStub(c).withDeadlineAfter(1, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
          if (h.getStatus() == HealthCheckResponse.ServingStatus.SERVING) return;
        } catch (StatusRuntimeException notYet) {
          // starting
        }
        Thread.sleep(100);
      }
      throw new IllegalStateException(name + " is not serving on port " + port + " after 3 minutes; see " + log);
    } finally {
      c.shutdownNow();
    }
  }

  /** Waits until a service is SERVING on its port again (after a restart), for up to 3 minutes. */
  void awaitServing(String name) throws Exception {
    awaitServing(name, ports.get(name));
  }

  /** Stops supervising, then SIGTERM to every process (each drains gracefully), then SIGKILL to any still running after 10 s. */
  @Override
  public void close() {
    closing = true;
    List<Process> running = processes();
    for (Process p : running) p.destroy();
    for (Process p : running) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
