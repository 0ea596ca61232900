package dev.fsgen.grpc;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How a service keeps its HTTP/2 connections healthy, and how long it lets calls run once it wants a
 * connection (or itself) gone.
 *
 * <ul>
 *   <li><b>Keepalive.</b> Every {@code keepAliveTime} without traffic the server pings its client (and a client
 *       channel made with {@link #client} its server); no answer within {@code keepAliveTimeout} closes the
 *       connection. 30 s and 10 s: a peer that vanished (its node gone, a half-open connection) is noticed in
 *       40 s rather than after the kernel's two hours, and an idle connection sends something more often than the
 *       shortest idle timeout of the load balancers and NATs in the path (Azure's load balancer: 4 minutes;
 *       conntrack, AWS's NLB and GCP's are longer).
 *   <li><b>Permitted pings.</b> A client may ping every {@code permitKeepAliveTime}, with or without calls
 *       running; more often earns a GOAWAY ("too_many_pings"). gRPC's default, 5 minutes, would refuse the
 *       orchestrator's 30 s pings; 10 s is the shortest keepalive a gRPC Java client can ask for, so none of them
 *       is refused.
 *   <li><b>Connection age.</b> After {@code maxConnectionAge} (±10 % jitter, gRPC's) the server sends GOAWAY: the
 *       client opens a new connection for its next calls, which a Service's load balancing may put on another pod,
 *       so that long-lived HTTP/2 connections do not stay pinned to the pods that were there when they opened.
 *       Calls already running finish on the old connection for up to {@code maxConnectionAgeGrace} (null: as long
 *       as they take). Null age: connections live as long as the client keeps them.
 *   <li><b>Drain.</b> At shutdown the server stops taking calls (GOAWAY), lets running ones finish for up to
 *       {@code drain}, then cancels the rest ({@link GrpcServer#close}).
 * </ul>
 *
 * @param keepAliveTime ping the peer after this long without traffic
 * @param keepAliveTimeout close the connection when a ping is not answered within this
 * @param permitKeepAliveTime the shortest interval between a client's pings the server accepts
 * @param maxConnectionAge send GOAWAY to a connection this old; null = never
 * @param maxConnectionAgeGrace how long calls may run on a connection after that GOAWAY; null = as long as they take
 * @param drain how long running calls may finish at shutdown
 */
public record Connections(Duration keepAliveTime, Duration keepAliveTimeout, Duration permitKeepAliveTime,
    Duration maxConnectionAge, Duration maxConnectionAgeGrace, Duration drain) {
  /** Keepalive 30 s / 10 s, pings permitted every 10 s, connections never recycled, a 5 s drain. */
  public static final Connections DEFAULT = new Connections(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(10),
      null, null, Duration.ofSeconds(5));

  public Connections {
    positive(keepAliveTime, "keepalive time");
    positive(keepAliveTimeout, "keepalive timeout");
    positive(permitKeepAliveTime, "permitted keepalive time");
    if (drain == null || drain.isNegative()) throw new IllegalArgumentException("the drain must be 0 or more, got " + drain);
    // gRPC's own floor: a younger age is raised to it silently, which would hide a mistyped setting
    if (maxConnectionAge != null && maxConnectionAge.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("the max connection age must be at least 1 s (or none), got " + maxConnectionAge);
    }
    if (maxConnectionAgeGrace != null && maxConnectionAgeGrace.isNegative()) {
      throw new IllegalArgumentException("the max connection age grace must be 0 or more (or none), got " + maxConnectionAgeGrace);
    }
  }

  /**
   * From the services' options, in seconds.
   *
   * @param maxConnectionAgeSeconds 0 = never recycle
   * @param maxConnectionAgeGraceSeconds null = as long as the calls take
   */
  public static Connections ofSeconds(long keepAliveSeconds, long keepAliveTimeoutSeconds, long permitKeepAliveSeconds,
      long maxConnectionAgeSeconds, Long maxConnectionAgeGraceSeconds, long drainSeconds) {
    if (maxConnectionAgeSeconds < 0) throw new IllegalArgumentException("the max connection age must be 0 (never) or more, got " + maxConnectionAgeSeconds);
    return new Connections(Duration.ofSeconds(keepAliveSeconds), Duration.ofSeconds(keepAliveTimeoutSeconds),
        Duration.ofSeconds(permitKeepAliveSeconds), maxConnectionAgeSeconds == 0 ? null : Duration.ofSeconds(maxConnectionAgeSeconds),
        maxConnectionAgeGraceSeconds == null ? null : Duration.ofSeconds(maxConnectionAgeGraceSeconds), Duration.ofSeconds(drainSeconds));
  }

  /** These settings with another drain. */
  public Connections withDrain(Duration drain) {
    return new Connections(keepAliveTime, keepAliveTimeout, permitKeepAliveTime, maxConnectionAge, maxConnectionAgeGrace, drain);
  }

  /** These settings with connections recycled after {@code age}, their calls given {@code grace} (null: no limit). */
  public Connections withMaxConnectionAge(Duration age, Duration grace) {
    return new Connections(keepAliveTime, keepAliveTimeout, permitKeepAliveTime, age, grace, drain);
  }

  /** Applies keepalive, permitted pings and connection age to a server's transport. */
  public NettyServerBuilder server(NettyServerBuilder b) {
    b.keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(permitKeepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(true);
    if (maxConnectionAge != null) b.maxConnectionAge(maxConnectionAge.toNanos(), TimeUnit.NANOSECONDS);
    if (maxConnectionAgeGrace != null) b.maxConnectionAgeGrace(maxConnectionAgeGrace.toNanos(), TimeUnit.NANOSECONDS);
    return b;
  }

  /**
   * Applies keepalive to a client channel, idle or not (gRPC Java raises a time under 10 s to 10 s): the server
   * it calls must permit pings this often ({@code permitKeepAliveTime} there at most this).
   */
  public NettyChannelBuilder client(NettyChannelBuilder b) {
    return b.keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveWithoutCalls(true);
  }

  private static void positive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("the " + what + " must be more than 0, got " + d);
  }
}
