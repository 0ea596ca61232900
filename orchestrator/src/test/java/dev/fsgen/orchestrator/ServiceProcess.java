package dev.fsgen.orchestrator;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A model service in a process of its own (this test's class path), so that a test can kill it for real. */
final class ServiceProcess implements AutoCloseable {
  final Process process;
  final int port;
  final Path log;

  private ServiceProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts {@code mainClass} (a service's main) on a free loopback port; returns once its health says SERVING. */
  static ServiceProcess start(String mainClass, Path model, String name) throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return start(mainClass, model, name, port);
  }

  /** The same on a given port (a restart where a killed process was). */
  static ServiceProcess start(String mainClass, Path model, String name, int port) throws IOException, InterruptedException {
    return start(mainClass, model, name, port, List.of());
  }

  /** The same with more options for the service (e.g. {@code --extra-model tuned=DIR}). */
  static ServiceProcess start(String mainClass, Path model, String name, int port, List<String> options)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xmn24m",
        "-Dai.djl.offline=true", "-Dfsgen.root=" + LiveServices.ROOT.toAbsolutePath(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), mainClass,
        "--host", "127.0.0.1", "--port", String.valueOf(port), "--model", model.toAbsolutePath().toString(), "--threads", "1"));
    cmd.addAll(options);
    Path log = Files.createTempFile("fsgen-" + name + "-", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServiceProcess sp = new ServiceProcess(p, port, log);
    sp.awaitServing(120);
    return sp;
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  private void awaitServing(int seconds) throws InterruptedException, IOException {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) throw new IllegalStateException("service exited: " + Files.readString(log));
        try {
          HealthCheckResponse h = HealthGrpc.newBlockingStub(c).withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());
          if (h.getStatus() == HealthCheckResponse.ServingStatus.SERVING) return;
        } catch (StatusRuntimeException e) {
          // not up yet
        }
        Thread.sleep(100);
      }
      throw new IllegalStateException("service on port " + port + " not serving after " + seconds + " s: " + Files.readString(log));
    } finally {
      c.shutdownNow();
    }
  }

  /** Resident memory in bytes, from /proc (Linux). */
  long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
    return -1;
  }

  /** {@code kill -9}: no shutdown hook, no goodbye to its clients. */
  void kill() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).inheritIO().start().waitFor();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
    Files.deleteIfExists(log);
  }
}
