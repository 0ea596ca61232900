package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.fsgen.decoding.CancelledException;
import dev.fsgen.decoding.IncompatibleModelsException;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.decoding.OverloadedException;
import dev.fsgen.decoding.UnsupportedByModelException;
import dev.fsgen.grpc.CacheMissException;
import dev.fsgen.grpc.DeadlineExceededException;
import dev.fsgen.grpc.ErrorReason;
import dev.fsgen.grpc.InternalException;
import dev.fsgen.grpc.InvalidRequestException;
import dev.fsgen.grpc.NotImplementedException;
import dev.fsgen.grpc.SessionConflictException;
import dev.fsgen.grpc.Statuses;
import dev.fsgen.grpc.UnauthenticatedException;
import dev.fsgen.grpc.Unary;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.NextTokenResponse;
import dev.fsgen.proto.model.v1.ModelServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every error reason survives the trip a model service's failure makes: domain exception, status
 * with google.rpc details ({@link Statuses}) on the wire, domain exception again at the
 * orchestrator's model client ({@link ModelErrors}), and the same status when the orchestrator
 * passes it on. The failures travel over a real gRPC connection.
 */
class ErrorVocabularyTest {
  /** One failure per reason, as the services raise them. */
  private static final Map<ErrorReason, RuntimeException> SAMPLES = new EnumMap<>(Map.ofEntries(
      Map.entry(ErrorReason.INVALID_REQUEST, new InvalidRequestException("sampling.top_p", "sampling.top_p must be in (0, 1], got 2.0")),
      Map.entry(ErrorReason.CACHE_MISS, new CacheMissException("session 's' holds no cached prefix of 12 tokens with that hash; send the whole prefix", 12)),
      Map.entry(ErrorReason.SESSION_BUSY, new SessionConflictException("session_id 's' is already generating")),
      Map.entry(ErrorReason.OVERLOADED, new OverloadedException("4 requests are already waiting for the model; retry later")),
      Map.entry(ErrorReason.MODEL_UNAVAILABLE, new ModelUnavailableException("the model is loading")),
      Map.entry(ErrorReason.INCOMPATIBLE_MODELS, new IncompatibleModelsException("System 1 has a vocabulary of 10 and System 2 of 12")),
      Map.entry(ErrorReason.UNSUPPORTED_BY_MODEL, new UnsupportedByModelException("the checkpoint has no chat_template", null)),
      Map.entry(ErrorReason.NOT_IMPLEMENTED, new NotImplementedException("System 2 does not draft")),
      Map.entry(ErrorReason.CANCELLED, new CancelledException(7)),
      Map.entry(ErrorReason.DEADLINE_EXCEEDED, new DeadlineExceededException("the call's deadline passed 200 ms after it began")),
      Map.entry(ErrorReason.UNAUTHENTICATED, new UnauthenticatedException("the bearer token is not accepted")),
      Map.entry(ErrorReason.INTERNAL, new IllegalStateException("a bug"))));

  private static volatile RuntimeException failWith;
  private static Server server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(new ModelServiceGrpc.ModelServiceImplBase() {
      @Override
      public void nextToken(NextTokenRequest r, StreamObserver<NextTokenResponse> out) {
        Unary.answer(out, () -> {
          throw failWith;
        });
      }
    }).build().start();
    channel = Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(), InsecureChannelCredentials.create()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void everyReasonRoundTrips() {
    assertEquals(ErrorReason.values().length, SAMPLES.size(), "a sample for every reason");
    ModelClient client = ModelClient.system2(channel);
    for (Map.Entry<ErrorReason, RuntimeException> s : SAMPLES.entrySet()) {
      RuntimeException sent = s.getValue();
      Status status = Statuses.from(sent);
      StatusRuntimeException wire = Statuses.toException(sent);
      ErrorInfo info = detail(wire, ErrorInfo.class);
      assertEquals(s.getKey().name(), info.getReason(), s.getKey() + ": reason");
      assertEquals(Statuses.DOMAIN, info.getDomain(), s.getKey() + ": domain");

      failWith = sent;
      RuntimeException back = assertThrows(RuntimeException.class,
          () -> client.nextToken(NextTokenRequest.getDefaultInstance()), s.getKey().name());
      Class<?> expected = sent instanceof IllegalStateException ? InternalException.class : sent.getClass();
      assertInstanceOf(expected, back, s.getKey() + ": " + back);
      assertEquals(status.getDescription(), back.getMessage(), s.getKey() + ": the description is kept");
      // passed on by the orchestrator: the same code and reason again
      StatusRuntimeException again = Statuses.toException(back);
      assertEquals(status.getCode(), again.getStatus().getCode(), s.getKey() + ": code");
      assertEquals(s.getKey().name(), detail(again, ErrorInfo.class).getReason(), s.getKey() + ": reason passed on");
    }
  }

  @Test
  void theReasonsCarryTheirDetails() {
    CacheMissException miss = (CacheMissException) roundTrip(SAMPLES.get(ErrorReason.CACHE_MISS));
    assertEquals(12, miss.cachedTokens(), "the cached length the request named");
    assertEquals("12", detail(Statuses.toException(miss), ErrorInfo.class).getMetadataOrThrow(Statuses.CACHED_TOKENS));

    InvalidRequestException invalid = (InvalidRequestException) roundTrip(SAMPLES.get(ErrorReason.INVALID_REQUEST));
    assertEquals("sampling.top_p", invalid.field());
    BadRequest bad = detail(Statuses.toException(invalid), BadRequest.class);
    assertEquals("sampling.top_p", bad.getFieldViolations(0).getField());
    assertEquals(invalid.getMessage(), bad.getFieldViolations(0).getDescription());

    for (ErrorReason retried : new ErrorReason[] {ErrorReason.OVERLOADED, ErrorReason.MODEL_UNAVAILABLE}) {
      RetryInfo retry = detail(Statuses.toException(roundTrip(SAMPLES.get(retried))), RetryInfo.class);
      assertEquals(Statuses.RETRY_DELAY.getSeconds(), retry.getRetryDelay().getSeconds(), retried + ": retry delay");
    }
    assertTrue(StatusProto.fromThrowable(Statuses.toException(SAMPLES.get(ErrorReason.SESSION_BUSY))).getDetailsList().stream()
        .noneMatch(a -> a.is(RetryInfo.class)), "no RetryInfo where retrying cannot help");
  }

  @Test
  void aCheckOfANestedParameterNamesItsField() {
    assertEquals("strategy.contrastive.alpha", InvalidRequestException.within("strategy.contrastive.",
        new IllegalArgumentException("alpha must be in (0, 1], got 2.0")).field());
    assertEquals("strategy.gated", InvalidRequestException.within("strategy.gated.",
        new IllegalArgumentException("entropy threshold must be >= 0, got -1.0")).field());
  }

  @Test
  void aServiceThatIsNotThereIsUnavailable() throws Exception {
    Server gone = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).build().start();
    int port = gone.getPort();
    gone.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ManagedChannel nowhere = Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create()).build();
    try {
      RuntimeException e = assertThrows(RuntimeException.class,
          () -> ModelClient.system2(nowhere).nextToken(NextTokenRequest.getDefaultInstance()));
      assertInstanceOf(ModelUnavailableException.class, e, "a refused connection, without details, by its code");
      assertEquals(ErrorReason.MODEL_UNAVAILABLE.name(), detail(Statuses.toException(e), ErrorInfo.class).getReason());
    } finally {
      nowhere.shutdownNow();
    }
  }

  private static RuntimeException roundTrip(RuntimeException sent) {
    failWith = sent;
    return assertThrows(RuntimeException.class,
        () -> ModelClient.system2(channel).nextToken(NextTokenRequest.getDefaultInstance()));
  }

  private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertNotNull(details, "no details in " + e.getStatus());
    T found = detail(details, type);
    assertNotNull(found, "no " + type.getSimpleName() + " in " + e.getStatus());
    return found;
  }

  /** The detail of that type in a status's details; null when there is none (or no details). */
  static <T extends com.google.protobuf.Message> T detail(com.google.rpc.Status details, Class<T> type) {
    if (details == null) return null;
    for (com.google.protobuf.Any a : details.getDetailsList()) {
      if (!a.is(type)) continue;
      try {
        return a.unpack(type);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
    return null;
  }

  /** The ErrorInfo reason of a failed call; null when its status has none. */
  static String reason(StatusRuntimeException e) {
    ErrorInfo info = detail(StatusProto.fromThrowable(e), ErrorInfo.class);
    return info == null ? null : info.getReason();
  }
}
