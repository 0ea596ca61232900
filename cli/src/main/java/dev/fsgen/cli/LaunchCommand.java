package dev.fsgen.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fsgen launch}: the Kubernetes topology as processes on this machine — System 1, several
 * System 2 replicas and the orchestrator — configured with the same FSGEN_* keys as the manifests
 * (read from deploy/base/config.yaml), until Ctrl-C.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
    description = {"Run the Kubernetes topology as processes on this machine.",
        "System 1, N System 2 replicas and the orchestrator, configured like the Kubernetes deployment (the FSGEN_* keys of "
            + "deploy/base/config.yaml), until Ctrl-C. A process that dies is started again, with back-off, as Kubernetes would."})
public final class LaunchCommand implements Callable<Integer> {
  @Option(names = "--system2-replicas", defaultValue = "3", description = "System 2 processes. Default: ${DEFAULT-VALUE}.")
  int replicas;

  @Option(names = "--port", defaultValue = "50050", description = "The orchestrator's port; System 1 takes the next, System 2 the ones after (0: free ports anywhere). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--http-port", defaultValue = "8080",
      description = "The orchestrator's OpenAI-compatible HTTP API, as the manifests open it (0: a free port). Default: ${DEFAULT-VALUE}.")
  int httpPort;

  @Option(names = "--config", description = "The ConfigMap whose data are the settings. Default: <root>/deploy/base/config.yaml.")
  Path config;

  @Option(names = "--threads", description = "Cores each model process may use (overrides FSGEN_THREADS; on a small machine 1 suits several replicas).")
  Integer threads;

  @Option(names = "--logs", description = "Where each process writes its output. Default: <root>/work/launch.")
  Path logs;

  @Option(names = "--restart-backoff-ms", defaultValue = "1000",
      description = "A process that dies is started again after this wait, doubled after each death in a row. Default: ${DEFAULT-VALUE}.")
  long restartBackoffMs;

  @Option(names = "--max-restart-backoff-ms", defaultValue = "60000",
      description = "The longest wait before a restart; a process that ran this long starts the count again. Default: ${DEFAULT-VALUE}.")
  long maxRestartBackoffMs;

  @Override
  public Integer call() throws Exception {
    try (LocalTopology t = start()) {
      Runtime.getRuntime().addShutdownHook(new Thread(t::close, "launch-stop"));
      System.err.printf("launch: orchestrator on localhost:%d (gRPC) and http://localhost:%d (HTTP) over System 1 (localhost:%d) and %d"
          + " System 2 replicas (%s); logs in %s%n", t.orchestratorPort(), t.httpPort, t.ports.get("system1"), replicas,
          String.join(", ", t.system2), t.logDir);
      System.err.printf("launch: try  ./fsgen generate --target localhost:%d --prompt \"The history of the city\"   (Ctrl-C stops all)%n",
          t.orchestratorPort());
      System.err.printf("launch:  or  curl http://localhost:%d/v1/completions -H 'Content-Type: application/json'"
          + " -d '{\"prompt\": \"The history of the city\", \"max_tokens\": 16}'%n", t.httpPort);
      t.awaitClosed();
      return 0;
    }
  }

  /** Starts every process and returns once all of them are SERVING. */
  LocalTopology start() throws Exception {
    LocalTopology.Spec spec = new LocalTopology.Spec();
    spec.replicas = replicas;
    spec.port = port;
    spec.httpPort = httpPort;
    spec.config = config;
    spec.threads = threads;
    spec.logs = logs;
    spec.restartBackoff = java.time.Duration.ofMillis(restartBackoffMs);
    spec.maxRestartBackoff = java.time.Duration.ofMillis(maxRestartBackoffMs);
    return LocalTopology.start(spec);
  }
}
