package dev.fsgen.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fsgen.proto.model.v1.NextTokenRequest;
import io.grpc.Context;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A call cancelled (or past its deadline) while it waited for the model keeps no session cache:
 * its caller may already have ended the session, and nothing would end it again.
 */
class CancelledCallTest {
  private static ModelHost host;

  @BeforeAll
  static void load() {
    host = ModelHost.load(Path.of("..", "models", "system1"), HostLimits.DEFAULT, HostRef.DEFAULT);
  }

  @AfterAll
  static void close() {
    host.close();
  }

  private static NextTokenRequest next(String session) {
    return NextTokenRequest.newBuilder().setSessionId(session).addPrefix(5).addPrefix(6).addPrefix(7).build();
  }

  @Test
  void aCallCancelledBeforeTheModelRanCreatesNoCache() throws Exception {
    Context.CancellableContext cancelled = Context.current().withCancellation();
    cancelled.cancel(null);
    assertThrows(CancellationException.class, () -> cancelled.call(() -> host.nextToken(next("gone"))));
    assertEquals(0, host.stats().getSessions());
  }

  @Test
  void aLiveCallKeepsItsCacheUntilTheSessionEnds() {
    host.nextToken(next("kept"));
    assertEquals(1, host.stats().getSessions());
    host.end(dev.fsgen.proto.model.v1.EndSessionRequest.newBuilder().setSessionId("kept").build());
    assertEquals(0, host.stats().getSessions());
  }
}
