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
    Path config;
    Integer threads;
    Path logs;
    Path system1Model;
    Path system2Model;
    List<String> system1Extra;
    Path routerFile;
  }

  /** What it started: the processes, and each service's port (orchestrator, system1, system2-0, ...). */
  final List<Process> started = new ArrayList<>();
  final Map<String, Integer> ports = new LinkedHashMap<>();
  final List<String> system2 = new ArrayList<>();
  final Path logDir;

  private LocalTopology(Path logDir) {
    this.logDir = logDir;
  }

  /** Starts every process and returns once all of them are SERVING; stops what it started if one fails. */
  static LocalTopology start(Spec spec) throws Exception {
    if (spec.replicas < 1 || spec.replicas > 16) throw new IllegalArgumentException("--system2-replicas must be 1..16, got " + spec.replicas);
    if (spec.port < 0 || spec.port + 1 + spec.replicas > 65535) throw new IllegalArgumentException("--port leaves no room for the services: " + spec.port);
    Path root = Cli.root();
    Map<String, String> settings = settings(spec.config != null ? spec.config : root.resolve("deploy/base/config.yaml"));
    if (spec.threads != null) settings.put("FSGEN_THREADS", spec.threads.toString());
    settings.remove("FSGEN_METRICS_PORT"); // one port per process here: the pods each have their own
    LocalTopology t = new LocalTopology(spec.logs != null ? spec.logs : root.resolve("work/launch"));
    Files.createDirectories(t.logDir);
    int p = spec.port;
    t.ports.put("system1", p == 0 ? free() : p + 1);
    for (int i = 0; i < spec.replicas; i++) t.ports.put("system2-" + i, p == 0 ? free() : p + 2 + i);
    t.ports.put("orchestrator", p == 0 ? free() : p);
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
          }
        }
        t.started.add(process(service, env, t.logDir.resolve(e.getKey() + ".log")));
      }
      for (Map.Entry<String, Integer> e : t.ports.entrySet()) t.awaitServing(e.getKey(), e.getValue());
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

  private static Process process(String service, Map<String, String> env, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xmn24m",
        "-Dai.djl.offline=true", "-Dfsgen.root=" + Cli.root(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", service));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    pb.environment().put("DJL_OFFLINE", "true");
    return pb.start();
  }

  private void awaitServing(String name, int port) throws Exception {
    Path log = logDir.resolve(name + ".log");
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        for (Process p : started) {
          if (!p.isAlive()) throw new IllegalStateException(name + " or another service exited; see the logs in " + logDir);
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

  /** SIGTERM to every process (each drains gracefully), then SIGKILL to any still running after 10 s. */
  @Override
  public void close() {
    for (Process p : started) p.destroy();
    for (Process p : started) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
