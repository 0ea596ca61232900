package dev.fsgen.orchestrator;

import dev.fsgen.decoding.Speculative;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the orchestrator until it is stopped (SIGTERM drains it gracefully). */
@Command(name = "orchestrator", mixinStandardHelpOptions = true,
    description = {"Serve the orchestrator over running System 1 and System 2.",
        "fsgen.decoding.v1.OrchestratorService over running System 1 and System 2",
        "services; with --http-port, the OpenAI-compatible HTTP API beside it."})
public final class OrchestratorMain implements Callable<Integer> {
  public static final int DEFAULT_PORT = 50050;

  @Option(names = "--host", defaultValue = "${env:FSGEN_HOST:-0.0.0.0}", description = "Address to listen on (FSGEN_HOST). Default: ${DEFAULT-VALUE}.")
  public String host;

  @Option(names = "--port", defaultValue = "${env:FSGEN_PORT:-50050}", description = "Port to listen on (FSGEN_PORT). Default: ${DEFAULT-VALUE}.")
  public int port;

  @Option(names = "--system1", defaultValue = "${env:FSGEN_SYSTEM1:-localhost:50051}", description = "System 1 replicas: host:port[,host:port...] or dns:///name:port (FSGEN_SYSTEM1). Default: ${DEFAULT-VALUE}.")
  public String system1;

  @Option(names = "--system2", defaultValue = "${env:FSGEN_SYSTEM2:-localhost:50052}", description = "System 2 replicas: host:port[,host:port...] or dns:///name:port, e.g. a headless Service (FSGEN_SYSTEM2). Default: ${DEFAULT-VALUE}.")
  public String system2;

  @Option(names = "--max-prompt-tokens", defaultValue = "${env:FSGEN_MAX_PROMPT_TOKENS:-4096}", description = "Longest prompt (FSGEN_MAX_PROMPT_TOKENS). Default: ${DEFAULT-VALUE}.")
  public int maxPromptTokens;

  @Option(names = "--max-tokens", defaultValue = "${env:FSGEN_MAX_TOKENS:-4096}", description = "Largest max_tokens (FSGEN_MAX_TOKENS). Default: ${DEFAULT-VALUE}.")
  public int maxTokens;

  @Option(names = "--max-gamma", defaultValue = "${env:FSGEN_MAX_GAMMA:-16}", description = "Largest draft length (FSGEN_MAX_GAMMA). Default: ${DEFAULT-VALUE}.")
  public int maxGamma;

  @Option(names = "--max-concurrent", defaultValue = "${env:FSGEN_MAX_CONCURRENT:-64}", description = "Generations at once; more get RESOURCE_EXHAUSTED (FSGEN_MAX_CONCURRENT). Default: ${DEFAULT-VALUE}.")
  public int maxConcurrent;

  @Option(names = "--max-message-bytes", defaultValue = "${env:FSGEN_MAX_MESSAGE_BYTES:-4194304}", description = "Largest request message (FSGEN_MAX_MESSAGE_BYTES). Default: ${DEFAULT-VALUE}.")
  public int maxMessageBytes;

  @Option(names = "--deadline-margin-ms", defaultValue = "${env:FSGEN_DEADLINE_MARGIN_MS:-20}", description = "A call with a deadline is ended with DEADLINE_EXCEEDED this long before it, so that the status reaches the client before gRPC's own expiry resets the stream (FSGEN_DEADLINE_MARGIN_MS). Default: ${DEFAULT-VALUE}.")
  public int deadlineMarginMs;

  @Option(names = "--router-file", defaultValue = "${env:FSGEN_ROUTER_FILE}", description = "A learned router made by 'fsgen router' (FSGEN_ROUTER_FILE), for gated requests that ask for LEARNED.")
  public java.nio.file.Path routerFile;

  @Option(names = "--wait-seconds", defaultValue = "${env:FSGEN_WAIT_SECONDS:-120}", description = "How long to wait for the model services at start (FSGEN_WAIT_SECONDS). Default: ${DEFAULT-VALUE}.")
  public long waitSeconds;

  @Option(names = "--call-timeout-seconds", defaultValue = "${env:FSGEN_CALL_TIMEOUT_SECONDS:-30}", description = "Longest call to one model replica before it is tried on another (FSGEN_CALL_TIMEOUT_SECONDS). Default: ${DEFAULT-VALUE}.")
  public long callTimeoutSeconds;

  @Option(names = "--attempts", defaultValue = "${env:FSGEN_ATTEMPTS:-3}", description = "Tries of a model call, on different replicas (FSGEN_ATTEMPTS). Default: ${DEFAULT-VALUE}.")
  public int attempts;

  @Option(names = "--breaker-open-seconds", defaultValue = "${env:FSGEN_BREAKER_OPEN_SECONDS:-5}", description = "How long a failing replica is left out before it is tried again (FSGEN_BREAKER_OPEN_SECONDS). Default: ${DEFAULT-VALUE}.")
  public long breakerOpenSeconds;

  @Option(names = "--max-calls-per-replica", defaultValue = "${env:FSGEN_MAX_CALLS_PER_REPLICA:-256}", description = "Calls in flight to one replica; more go to others (FSGEN_MAX_CALLS_PER_REPLICA). Default: ${DEFAULT-VALUE}.")
  public int maxCallsPerReplica;

  @Option(names = "--health-interval-ms", defaultValue = "${env:FSGEN_HEALTH_INTERVAL_MS:-1000}", description = "How often each replica's health is checked (FSGEN_HEALTH_INTERVAL_MS). Default: ${DEFAULT-VALUE}.")
  public long healthIntervalMs;

  @Option(names = "--tls-cert", defaultValue = "${env:FSGEN_TLS_CERT}", description = "PEM certificate chain: serve the API over TLS (FSGEN_TLS_CERT).")
  public java.nio.file.Path tlsCert;

  @Option(names = "--tls-key", defaultValue = "${env:FSGEN_TLS_KEY}", description = "PEM PKCS#8 key of --tls-cert (FSGEN_TLS_KEY).")
  public java.nio.file.Path tlsKey;

  @Option(names = "--auth-token-file", defaultValue = "${env:FSGEN_AUTH_TOKEN_FILE}", description = "Accepted bearer tokens, one per line: every call but health checks must carry one (FSGEN_AUTH_TOKEN_FILE).")
  public java.nio.file.Path authTokenFile;

  @Option(names = "--upstream-tls-ca", defaultValue = "${env:FSGEN_UPSTREAM_TLS_CA}", description = "PEM CA of the model services' certificates: reach them over TLS (FSGEN_UPSTREAM_TLS_CA).")
  public java.nio.file.Path upstreamCa;

  @Option(names = "--upstream-tls-cert", defaultValue = "${env:FSGEN_UPSTREAM_TLS_CERT}", description = "PEM client certificate for the model services (mutual TLS; FSGEN_UPSTREAM_TLS_CERT).")
  public java.nio.file.Path upstreamCert;

  @Option(names = "--upstream-tls-key", defaultValue = "${env:FSGEN_UPSTREAM_TLS_KEY}", description = "PEM PKCS#8 key of --upstream-tls-cert (FSGEN_UPSTREAM_TLS_KEY).")
  public java.nio.file.Path upstreamKey;

  @Option(names = "--metrics-port", defaultValue = "${env:FSGEN_METRICS_PORT}", description = "Serve Prometheus metrics at http://<host>:<port>/metrics (FSGEN_METRICS_PORT). Default: none.")
  public Integer metricsPort;

  @Option(names = "--probe-port", defaultValue = "${env:FSGEN_PROBE_PORT}", description = "A plaintext port serving only gRPC health, for probes that cannot speak TLS (FSGEN_PROBE_PORT). Default: none.")
  public Integer probePort;

  @Option(names = "--http-port", defaultValue = "${env:FSGEN_HTTP_PORT}", description = "Also serve the OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions, /v1/models, /health) on this port, plaintext, on --host (FSGEN_HTTP_PORT). Default: none.")
  public Integer httpPort;
  @picocli.CommandLine.Mixin
  public dev.fsgen.grpc.ConnectionOptions connectionOptions = new dev.fsgen.grpc.ConnectionOptions();

  @Option(names = "--max-connection-age-seconds", defaultValue = "${env:FSGEN_MAX_CONNECTION_AGE_SECONDS:-300}",
      description = "Send GOAWAY to an API connection this old (gRPC adds up to 10%% either way), 0 = never: the client reconnects for its next calls,"
          + " which a Service may balance to another orchestrator, so that long HTTP/2 connections do not pin clients to one pod"
          + " (FSGEN_MAX_CONNECTION_AGE_SECONDS). Default: ${DEFAULT-VALUE}.")
  public long maxConnectionAgeSeconds;


  public ReplicaOptions replicas() {
    ReplicaOptions d = ReplicaOptions.DEFAULT;
    return new ReplicaOptions(Duration.ofSeconds(callTimeoutSeconds), attempts, d.backoff(), d.failureRate(), d.window(),
        Duration.ofSeconds(breakerOpenSeconds), maxCallsPerReplica, Duration.ofMillis(healthIntervalMs), d.loadSlack(), d.pinIdle());
  }

  /** Keepalive (the API's and the model services' connections), connection age and drain of the API. */
  public dev.fsgen.grpc.Connections connections() {
    return connectionOptions.connections(maxConnectionAgeSeconds);
  }

  public OrchestratorLimits limits() {
    return new OrchestratorLimits(maxPromptTokens, maxTokens, maxGamma, maxConcurrent, maxMessageBytes,
        Math.min(128, maxTokens), Math.min(Speculative.DEFAULT_GAMMA, maxGamma), deadlineMarginMs);
  }

  public OrchestratorServer start() {
    return OrchestratorServer.pairing(system1, system2).limits(limits()).waitFor(Duration.ofSeconds(waitSeconds))
        .learned(routerFile == null ? null : RouterFile.read(routerFile)).replicas(replicas())
        .security(new dev.fsgen.grpc.ServerSecurity(tlsCert, tlsKey, null, authTokenFile, probePort))
        .upstream(new dev.fsgen.grpc.ClientSecurity(upstreamCa, upstreamCert, upstreamKey, null)).metricsPort(metricsPort)
        .http(host, httpPort).connections(connections()).listen(host, port);
  }

  @Override
  public Integer call() throws InterruptedException {
    OrchestratorServer server = start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "orchestrator-shutdown"));
    System.err.println("orchestrator: serving on port " + server.port() + " (System 1 " + system1 + ", System 2 " + system2 + ")"
        + (server.httpPort() < 0 ? "" : "; OpenAI-compatible HTTP API on port " + server.httpPort()));
    server.awaitTermination();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new OrchestratorMain()).execute(args));
  }
}
