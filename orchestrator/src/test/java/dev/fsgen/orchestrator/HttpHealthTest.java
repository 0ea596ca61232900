package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.grpc.ServerSecurity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API's health follows the orchestrator's readiness; and it is never served beside TLS in the clear. */
class HttpHealthTest {
  @Test
  void healthTurns503WhenSystem2IsGone() throws Exception {
    try (LiveServices live = LiveServices.configured(LiveServices.ROOT.resolve("models/system2"), b -> b.http("127.0.0.1", 0))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + live.orchestrator.httpPort() + "/health")).build();
      assertEquals(200, http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode());
      live.system2.close();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      HttpResponse<String> r;
      while ((r = http.send(health, HttpResponse.BodyHandlers.ofString())).statusCode() == 200) {
        assertTrue(System.nanoTime() < until, "still 200 with System 2 gone: " + live.orchestrator.system2Replicas());
        Thread.sleep(100);
      }
      assertEquals(503, r.statusCode(), r.body());
      assertTrue(r.body().contains("NOT_SERVING"), r.body());
      // a generation now fails UNAVAILABLE: 503 with its reason, streamed or not, and Retry-After
      for (boolean stream : new boolean[] {false, true}) {
        HttpResponse<String> g = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + live.orchestrator.httpPort()
            + "/v1/completions")).POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"The city\", \"max_tokens\": 4, \"stream\": "
            + stream + "}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, g.statusCode(), g.body());
        assertTrue(g.body().contains("\"code\":\"model_unavailable\""), g.body());
        assertTrue(g.headers().firstValue("retry-after").isPresent(), g.headers().toString());
      }
    }
  }

  @Test
  void plaintextHttpIsRefusedBesideTls(@TempDir Path dir) throws Exception {
    // refused before anything is read or reached: the files need not exist, nor the model services
    // (there are none at these addresses)
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrchestratorServer.pairing("127.0.0.1:1", "127.0.0.1:2")
        .security(new ServerSecurity(dir.resolve("server.pem"), dir.resolve("server.key"), null, null)).http("127.0.0.1", 0)
        .listen("127.0.0.1", 0));
    assertTrue(e.getMessage().contains("--http-port") && e.getMessage().contains("--tls-cert"), e.getMessage());
  }
}
