package dev.fsgen.grpc;

import picocli.CommandLine.Option;

/**
 * The connection options every server's command line shares (see {@link Connections} for why each
 * default); the connection age, whose default differs between the orchestrator and the model
 * services, is each command's own.
 */
public final class ConnectionOptions {
  @Option(names = "--keepalive-seconds", defaultValue = "${env:FSGEN_KEEPALIVE_SECONDS:-30}",
      description = "Ping a peer after this long without traffic (the server's clients; the orchestrator's also the model services' replicas, at least"
          + " 10 s there and no less than their --permit-keepalive-seconds), so that a vanished one is noticed and idle connections stay open through"
          + " load balancers and NATs (FSGEN_KEEPALIVE_SECONDS). Default: ${DEFAULT-VALUE}.")
  public long keepAliveSeconds;

  @Option(names = "--keepalive-timeout-seconds", defaultValue = "${env:FSGEN_KEEPALIVE_TIMEOUT_SECONDS:-10}",
      description = "Close a connection whose ping is not answered within this (FSGEN_KEEPALIVE_TIMEOUT_SECONDS). Default: ${DEFAULT-VALUE}.")
  public long keepAliveTimeoutSeconds;

  @Option(names = "--permit-keepalive-seconds", defaultValue = "${env:FSGEN_PERMIT_KEEPALIVE_SECONDS:-10}",
      description = "Accept a client's keepalive pings this often, calls running or not; more often earns a GOAWAY. On a model service at most the"
          + " orchestrator's --keepalive-seconds (FSGEN_PERMIT_KEEPALIVE_SECONDS). Default: ${DEFAULT-VALUE}.")
  public long permitKeepAliveSeconds;

  @Option(names = "--max-connection-age-grace-seconds", defaultValue = "${env:FSGEN_MAX_CONNECTION_AGE_GRACE_SECONDS}",
      description = "How long calls may still run on a connection sent GOAWAY for its age (FSGEN_MAX_CONNECTION_AGE_GRACE_SECONDS). Default: as long as they take.")
  public Long maxConnectionAgeGraceSeconds;

  @Option(names = "--drain-seconds", defaultValue = "${env:FSGEN_DRAIN_SECONDS:-5}",
      description = "At shutdown (SIGTERM), how long running calls may finish before they are cancelled; in a pod, less than its"
          + " terminationGracePeriodSeconds (FSGEN_DRAIN_SECONDS). Default: ${DEFAULT-VALUE}.")
  public long drainSeconds;

  /** These options with the command's own connection age (0 = never recycle). */
  public Connections connections(long maxConnectionAgeSeconds) {
    return Connections.ofSeconds(keepAliveSeconds, keepAliveTimeoutSeconds, permitKeepAliveSeconds, maxConnectionAgeSeconds,
        maxConnectionAgeGraceSeconds, drainSeconds);
  }
}
