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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code fsgen launch}: the Kubernetes topology as processes on this machine — System 1, several
 * System 2 replicas and the orchestrator — configured with the same FSGEN_* keys as the manifests
 * (read from deploy/base/config.yaml), until Ctrl-C.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
    description = {"Run System 1, N System 2 replicas and the orchestrator as processes on this machine, configured like",
        "the Kubernetes deployment (the FSGEN_* keys of deploy/base/config.yaml), until Ctrl-C."})
public final class LaunchCommand implements Callable<Integer> {
  @Option(names = "--system2-replicas", defaultValue = "3", description = "System 2 processes. Default: ${DEFAULT-VALUE}.")
  int replicas;

  @Option(names = "--port", defaultValue = "50050", description = "The orchestrator's port; System 1 takes the next, System 2 the ones after (0: free ports anywhere). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--config", description = "The ConfigMap whose data are the settings. Default: <root>/deploy/base/config.yaml.")
  Path config;

  @Option(names = "--threads", description = "Cores each model process may use (overrides FSGEN_THREADS; on a small machine 1 suits several replicas).")
  Integer threads;

  @Option(names = "--logs", description = "Where each process writes its output. Default: <root>/work/launch.")
  Path logs;

  /** What it started: the processes, and each service's port. */
  final List<Process> started = new ArrayList<>();
  final Map<String, Integer> ports = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "launch-stop"));
    startAll();
    for (Process p : started) p.waitFor();
    return 0;
  }

  /** Starts every process and returns once all of them are SERVING. */
  void startAll() throws Exception {
    if (replicas < 1 || replicas > 16) throw new IllegalArgumentException("--system2-replicas must be 1..16, got " + replicas);
    if (port < 0 || port + 1 + replicas > 65535) throw new IllegalArgumentException("--port leaves no room for the services: " + port);
    Path root = Cli.root();
    Map<String, String> settings = settings(config != null ? config : root.resolve("deploy/base/config.yaml"));
    if (threads != null) settings.put("FSGEN_THREADS", threads.toString());
    settings.remove("FSGEN_METRICS_PORT"); // one port per process here: given below
    Path logDir = logs != null ? logs : root.resolve("work/launch");
    Files.createDirectories(logDir);
    List<String> system2 = new ArrayList<>();
    ports.put("system1", port == 0 ? free() : port + 1);
    for (int i = 0; i < replicas; i++) ports.put("system2-" + i, port == 0 ? free() : port + 2 + i);
    ports.put("orchestrator", port == 0 ? free() : port);
    for (Map.Entry<String, Integer> e : ports.entrySet()) {
      Map<String, String> env = new LinkedHashMap<>(settings);
      env.put("FSGEN_HOST", "127.0.0.1");
      env.put("FSGEN_PORT", e.getValue().toString());
      String service = e.getKey().startsWith("system2") ? "system2" : e.getKey();
      if (service.equals("system2")) system2.add("localhost:" + e.getValue());
      if (service.equals("orchestrator")) {
        env.put("FSGEN_SYSTEM1", "localhost:" + ports.get("system1"));
        env.put("FSGEN_SYSTEM2", String.join(",", system2));
      } else {
        env.put("FSGEN_MODEL", root.resolve("models").resolve(service).toString());
      }
      started.add(start(service, env, logDir.resolve(e.getKey() + ".log")));
    }
    for (Map.Entry<String, Integer> e : ports.entrySet()) awaitServing(e.getKey(), e.getValue(), logDir.resolve(e.getKey() + ".log"));
    int o = ports.get("orchestrator");
    System.err.printf("launch: orchestrator on localhost:%d over System 1 (localhost:%d) and %d System 2 replicas (%s); logs in %s%n",
        o, ports.get("system1"), replicas, String.join(", ", system2), logDir);
    System.err.printf("launch: try  ./fsgen generate --target localhost:%d --prompt \"The history of the city\"   (Ctrl-C stops all)%n", o);
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

  private static Process start(String service, Map<String, String> env, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xmn24m",
        "-Dai.djl.offline=true", "-Dfsgen.root=" + Cli.root(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", service));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    pb.environment().put("DJL_OFFLINE", "true");
    return pb.start();
  }

  private void awaitServing(String name, int port, Path log) throws Exception {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        for (Process p : started) {
          if (!p.isAlive()) throw new IllegalStateException(name + " or another service exited; see " + log.getParent());
        }
        try {
          HealthCheckResponse h = HealthGrpc.newBlockingStub(c).withDeadlineAfter(1, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
          if (h.getStatus() == HealthCheckResponse.ServingStatus.SERVING) return;
        } catch (StatusRuntimeException notYet) {
          // starting
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException(name + " is not serving on port " + port + " after 3 minutes; see " + log);
    } finally {
      c.shutdownNow();
    }
  }

  /** SIGTERM to every process (each drains gracefully), then SIGKILL to any still running after 10 s. */
  void stop() {
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
