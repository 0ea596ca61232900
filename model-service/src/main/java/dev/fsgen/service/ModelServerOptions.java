package dev.fsgen.service;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How a model service is configured: every flag also reads an environment variable, so the same
 * keys work on the command line, in the local launcher and in a Kubernetes ConfigMap.
 */
public final class ModelServerOptions {
  @Option(names = "--host", defaultValue = "${env:FSGEN_HOST:-0.0.0.0}", description = "Address to listen on (FSGEN_HOST). Default: ${DEFAULT-VALUE}.")
  public String host;

  @Option(names = "--port", defaultValue = "${env:FSGEN_PORT}", description = "Port to listen on, 0 = any free one (FSGEN_PORT). Default: 50051 for System 1, 50052 for System 2.")
  public Integer port;

  @Option(names = "--model", defaultValue = "${env:FSGEN_MODEL}", description = "Model directory in the Hugging Face layout (FSGEN_MODEL). Default: the bundled models/system1 or models/system2.")
  public Path model;

  @Option(names = "--extra-model", split = ",", defaultValue = "${env:FSGEN_EXTRA_MODELS}",
      description = "More models to host, as name=DIR (repeatable, or comma-separated in FSGEN_EXTRA_MODELS); requests select them by name.")
  public java.util.List<String> extraModels;

  @Option(names = "--threads", defaultValue = "${env:FSGEN_THREADS}", description = "Cores the model may use (FSGEN_THREADS): libtorch's threads and the decode step's. Default: all.")
  public Integer threads;

  @Option(names = "--weights", defaultValue = "${env:FSGEN_WEIGHTS:-bf16}",
      description = "How the decode path holds the weights: bf16 (half the bytes per step; the model's weights rounded to bf16) or fp32 (the checkpoint's values exactly) (FSGEN_WEIGHTS). Default: ${DEFAULT-VALUE}.")
  public String weights;

  @Option(names = "--device", defaultValue = "${env:FSGEN_DEVICE:-cpu}",
      description = "Where the model runs: cpu, cuda (the first GPU) or cuda:N (FSGEN_DEVICE). On a GPU the weights, the KV caches and every step live"
          + " on it (a CUDA build of libtorch: the image fsgen/system2-cuda). Default: ${DEFAULT-VALUE}.")
  public String device;

  @Option(names = "--decode-path", defaultValue = "${env:FSGEN_DECODE_PATH}",
      description = "What runs one-token steps and short verify blocks: java (Vector API code on host memory, the CPU's default) or libtorch"
          + " (every step a libtorch pass on --device, the only path on a GPU) (FSGEN_DECODE_PATH).")
  public String decodePath;

  @Option(names = "--max-draft-tokens", defaultValue = "${env:FSGEN_MAX_DRAFT_TOKENS:-64}", description = "Largest gamma for Draft and draft for BatchVerify (FSGEN_MAX_DRAFT_TOKENS). Default: ${DEFAULT-VALUE}.")
  public int maxDraftTokens;

  @Option(names = "--max-sessions", defaultValue = "${env:FSGEN_MAX_SESSIONS:-256}", description = "Session caches held at once (FSGEN_MAX_SESSIONS). Default: ${DEFAULT-VALUE}.")
  public int maxSessions;

  @Option(names = "--max-cache-mb", defaultValue = "${env:FSGEN_MAX_CACHE_MB:-2048}", description = "KV cache memory over all sessions, MiB (FSGEN_MAX_CACHE_MB). Default: ${DEFAULT-VALUE}.")
  public long maxCacheMb;

  @Option(names = "--session-idle-seconds", defaultValue = "${env:FSGEN_SESSION_IDLE_SECONDS:-300}", description = "Free a session cache unused this long (FSGEN_SESSION_IDLE_SECONDS). Default: ${DEFAULT-VALUE}.")
  public long sessionIdleSeconds;

  @Option(names = "--max-queued", defaultValue = "${env:FSGEN_MAX_QUEUED:-256}", description = "Requests waiting for the model at once; more get RESOURCE_EXHAUSTED (FSGEN_MAX_QUEUED). Default: ${DEFAULT-VALUE}.")
  public int maxQueued;

  @Option(names = "--max-batch", defaultValue = "${env:FSGEN_MAX_BATCH:-64}", description = "Most NextToken and BatchVerify requests that share one forward pass (continuous batching; FSGEN_MAX_BATCH). Default: ${DEFAULT-VALUE}.")
  public int maxBatch;

  @Option(names = "--max-message-bytes", defaultValue = "${env:FSGEN_MAX_MESSAGE_BYTES:-16777216}", description = "Largest request message (FSGEN_MAX_MESSAGE_BYTES). Default: ${DEFAULT-VALUE}.")
  public int maxMessageBytes;

  @Option(names = "--tls-cert", defaultValue = "${env:FSGEN_TLS_CERT}", description = "PEM certificate chain: serve over TLS (FSGEN_TLS_CERT).")
  public Path tlsCert;

  @Option(names = "--tls-key", defaultValue = "${env:FSGEN_TLS_KEY}", description = "PEM PKCS#8 key of --tls-cert (FSGEN_TLS_KEY).")
  public Path tlsKey;

  @Option(names = "--tls-client-ca", defaultValue = "${env:FSGEN_TLS_CLIENT_CA}", description = "PEM CA: only callers with a client certificate it signed get in (mutual TLS; FSGEN_TLS_CLIENT_CA).")
  public Path tlsClientCa;

  @Option(names = "--metrics-port", defaultValue = "${env:FSGEN_METRICS_PORT}", description = "Serve Prometheus metrics at http://<host>:<port>/metrics (FSGEN_METRICS_PORT). Default: none.")
  public Integer metricsPort;

  @Option(names = "--probe-port", defaultValue = "${env:FSGEN_PROBE_PORT}", description = "A plaintext port serving only gRPC health, for probes that cannot speak TLS (FSGEN_PROBE_PORT). Default: none.")
  public Integer probePort;




  @picocli.CommandLine.Mixin
  public dev.fsgen.grpc.ConnectionOptions connectionOptions = new dev.fsgen.grpc.ConnectionOptions();

  @Option(names = "--max-connection-age-seconds", defaultValue = "${env:FSGEN_MAX_CONNECTION_AGE_SECONDS:-0}",
      description = "Send GOAWAY to a connection this old, 0 = never (FSGEN_MAX_CONNECTION_AGE_SECONDS). Default: ${DEFAULT-VALUE}: the orchestrator, the only"
          + " caller, connects to every replica itself and takes a replica whose connection drops out until its health is read again, moving its sessions;"
          + " a recycled connection would do that for nothing.")
  public long maxConnectionAgeSeconds;



  public dev.fsgen.grpc.ServerSecurity security() {
    return new dev.fsgen.grpc.ServerSecurity(tlsCert, tlsKey, tlsClientCa, null, probePort);
  }

  /**
   * Applies --weights and --threads, then --device and --decode-path. It must run before the tensor engine starts
   * (in a process that has already loaded a model it changes only the decode step); checking a GPU starts it.
   *
   * @throws IllegalArgumentException naming the option whose value is wrong, or the GPU the engine does not see
   */
  public void applyThreads() {
    dev.fsgen.runtime.model.WeightFormat.configure(weights);
    if (threads != null) {
      if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
      System.setProperty("fsgen.decode.threads", Integer.toString(threads));
    }
    dev.fsgen.runtime.model.Placement.configure(device, decodePath);
  }

  /**
   * A model service's command line: a wrong option or a device the engine lacks ends it with one line naming the
   * option and exit code 1, not a stack trace ({@code -Dfsgen.debug=true} prints it too).
   */
  public static picocli.CommandLine commandLine(Object service, String name) {
    return new picocli.CommandLine(service).setExecutionExceptionHandler(oneLineErrors(name));
  }

  /** Prints an error thrown by a command as {@code name: message} and exits with 1. */
  public static picocli.CommandLine.IExecutionExceptionHandler oneLineErrors(String name) {
    return (ex, commandLine, parseResult) -> {
      commandLine.getErr().println(name + ": " + ex.getMessage());
      if (Boolean.getBoolean("fsgen.debug")) ex.printStackTrace(commandLine.getErr());
      return 1;
    };
  }

  /** The models to host: the default one, then the extra ones by name. */
  public java.util.Map<String, Path> models(Path defaultModel) {
    java.util.Map<String, Path> m = new java.util.LinkedHashMap<>();
    m.put(HostRef.DEFAULT, model != null ? model : defaultModel);
    if (extraModels != null) {
      for (String e : extraModels) {
        if (e.isBlank()) continue;
        int eq = e.indexOf('=');
        if (eq <= 0 || eq == e.length() - 1) throw new IllegalArgumentException("--extra-model must be name=DIR, got '" + e + "'");
        String name = e.substring(0, eq).trim();
        if (!name.matches("[A-Za-z0-9._-]{1,64}") || name.equals(HostRef.DEFAULT)) {
          throw new IllegalArgumentException("--extra-model name '" + name + "' must be 1 to 64 of [A-Za-z0-9._-] and not 'default'");
        }
        if (m.put(name, Path.of(e.substring(eq + 1).trim())) != null) throw new IllegalArgumentException("--extra-model '" + name + "' given twice");
      }
    }
    return m;
  }

  /** Keepalive, connection age and drain of the service's server. */
  public dev.fsgen.grpc.Connections connections() {
    return connectionOptions.connections(maxConnectionAgeSeconds);
  }

  public HostLimits limits() {
    return new HostLimits(maxDraftTokens, maxSessions, maxCacheMb << 20, Duration.ofSeconds(sessionIdleSeconds), maxQueued,
        maxMessageBytes, maxBatch);
  }
}
