package dev.fsgen.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Servers built by {@link NettyServers} recycle their connections after the max connection age (GOAWAY: the
 * client's next calls go over a new connection while running ones finish on the old one), keep them otherwise,
 * and drain running calls at shutdown for as long as they are told to.
 */
class ConnectionsTest {
  /** test.Slow/Sleep: answers after the number of milliseconds the request names. */
  private static final MethodDescriptor<String, String> SLEEP = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Slow/Sleep")
      .setRequestMarshaller(new Text()).setResponseMarshaller(new Text()).build();

  private static BindableService slow() {
    ServerServiceDefinition d = ServerServiceDefinition.builder("test.Slow").addMethod(SLEEP, ServerCalls.asyncUnaryCall((ms, reply) -> {
      try {
        Thread.sleep(Long.parseLong(ms));
        reply.onNext("slept " + ms);
        reply.onCompleted();
      } catch (InterruptedException e) {
        reply.onError(Status.CANCELLED.asRuntimeException());
      }
    })).build();
    return () -> d;
  }

  /** Records the client address (one per connection) of every call. */
  private static ServerInterceptor peers(Set<SocketAddress> seen) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        seen.add(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        return next.startCall(call, headers);
      }
    };
  }

  private static String sleep(ManagedChannel c, long ms) {
    return ClientCalls.blockingUnaryCall(c, SLEEP, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), Long.toString(ms));
  }

  /** Counts the times the channel's connection left READY (a GOAWAY or a drop sends it to IDLE). */
  private static void watch(ManagedChannel c, ConnectivityState seen, AtomicInteger leftReady) {
    ConnectivityState now = c.getState(false);
    if (seen == ConnectivityState.READY && now != ConnectivityState.READY) leftReady.incrementAndGet();
    if (now != ConnectivityState.SHUTDOWN) c.notifyWhenStateChanged(now, () -> watch(c, now, leftReady));
  }

  @Test
  void aConnectionOlderThanTheMaxAgeIsRecycledWhileCallsKeepSucceeding() throws Exception {
    Set<SocketAddress> connections = ConcurrentHashMap.newKeySet();
    Connections recycled = Connections.DEFAULT.withMaxConnectionAge(Duration.ofSeconds(1), Duration.ofSeconds(5));
    try (GrpcServer server = NettyServers.server("127.0.0.1", 0, ServerSecurity.NONE, recycled).name("recycled")
        .service(slow()).interceptor(peers(connections)).start()) {
      ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        AtomicInteger leftReady = new AtomicInteger();
        watch(c, ConnectivityState.IDLE, leftReady);
        // a call that outlives its connection's age: it finishes within the grace, on the old connection
        CompletableFuture<String> spanning = CompletableFuture.supplyAsync(() -> sleep(c, 1_800));
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        int calls = 0;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_800);
        while (System.nanoTime() < end) {
          try {
            assertEquals("slept 20", sleep(c, 20));
          } catch (StatusRuntimeException e) {
            failures.add(e);
          }
          calls++;
        }
        assertEquals("slept 1800", spanning.get(10, TimeUnit.SECONDS));
        assertTrue(failures.isEmpty(), "every call succeeds across the recycling: " + failures);
        // ages of 1 s (gRPC adds up to 10 % either way) over 3.8 s: at least three connections, each one the client
        // was told to leave (it left READY) rather than one that broke
        assertTrue(connections.size() >= 3, calls + " calls over " + connections.size() + " connections: " + connections);
        assertTrue(leftReady.get() >= 2, "the client saw its connection recycled " + leftReady.get() + " times");
      } finally {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void withoutAMaxAgeOneConnectionCarriesEveryCall() throws Exception {
    Set<SocketAddress> connections = ConcurrentHashMap.newKeySet();
    try (GrpcServer server = NettyServers.server("127.0.0.1", 0, ServerSecurity.NONE, Connections.DEFAULT).name("kept")
        .service(slow()).interceptor(peers(connections)).start()) {
      ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
        while (System.nanoTime() < end) assertEquals("slept 20", sleep(c, 20));
        assertEquals(1, connections.size(), connections.toString());
      } finally {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void closingLetsRunningCallsFinishForTheDrainThenCancelsThem() throws Exception {
    GrpcServer patient = NettyServers.server("127.0.0.1", 0, ServerSecurity.NONE, Connections.DEFAULT.withDrain(Duration.ofSeconds(5)))
        .name("patient").service(slow()).start();
    assertEquals(Duration.ofSeconds(5), patient.drain());
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", patient.port()).usePlaintext().build();
    try {
      CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> sleep(c, 1_000));
      Thread.sleep(300);
      patient.close();
      assertEquals("slept 1000", running.get(10, TimeUnit.SECONDS), "finished within the drain");
    } finally {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    GrpcServer hasty = NettyServers.server("127.0.0.1", 0, ServerSecurity.NONE, Connections.DEFAULT.withDrain(Duration.ofMillis(200)))
        .name("hasty").service(slow()).start();
    ManagedChannel c2 = NettyChannelBuilder.forAddress("127.0.0.1", hasty.port()).usePlaintext().build();
    try {
      CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> sleep(c2, 5_000));
      Thread.sleep(300);
      long t0 = System.nanoTime();
      hasty.close();
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4), "close waits the drain, not the call");
      Throwable e = assertThrows(Exception.class, () -> running.get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof StatusRuntimeException, e.toString());
    } finally {
      c2.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theSettingsAreCheckedAndZeroAgeMeansNever() {
    Connections c = Connections.ofSeconds(30, 10, 10, 0, null, 5);
    assertNull(c.maxConnectionAge());
    assertNull(c.maxConnectionAgeGrace());
    assertEquals(Connections.DEFAULT, c);
    Connections aged = Connections.ofSeconds(30, 10, 10, 300, 120L, 120);
    assertEquals(Duration.ofMinutes(5), aged.maxConnectionAge());
    assertEquals(Duration.ofSeconds(120), aged.maxConnectionAgeGrace());
    assertThrows(IllegalArgumentException.class, () -> Connections.ofSeconds(0, 10, 10, 0, null, 5));
    assertThrows(IllegalArgumentException.class, () -> Connections.ofSeconds(30, 0, 10, 0, null, 5));
    assertThrows(IllegalArgumentException.class, () -> Connections.ofSeconds(30, 10, 0, 0, null, 5));
    assertThrows(IllegalArgumentException.class, () -> Connections.ofSeconds(30, 10, 10, -1, null, 5));
    assertThrows(IllegalArgumentException.class, () -> Connections.ofSeconds(30, 10, 10, 0, -1L, 5));
    assertThrows(IllegalArgumentException.class, () -> Connections.ofSeconds(30, 10, 10, 0, null, -1));
    assertThrows(IllegalArgumentException.class, () -> Connections.DEFAULT.withMaxConnectionAge(Duration.ofMillis(500), null));
  }

  /** UTF-8 strings as messages. */
  private static final class Text implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
