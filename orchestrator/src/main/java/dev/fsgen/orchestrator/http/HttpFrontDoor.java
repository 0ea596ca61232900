package dev.fsgen.orchestrator.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.fsgen.orchestrator.http.OpenAiParameters.Endpoint;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.GetInfoRequest;
import dev.fsgen.proto.decoding.v1.GetInfoResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.Started;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The orchestrator's OpenAI-compatible HTTP API: {@code POST /v1/completions},
 * {@code POST /v1/chat/completions} (both streamed as server-sent events when asked),
 * {@code GET /v1/models} and {@code GET /health}.
 *
 * <p>Every request becomes a call of the orchestrator's own gRPC service over an in-process
 * channel, carrying the request's {@code Authorization} header as the same metadata: the bearer
 * token check, every limit, the deadline margin and the error statuses are exactly gRPC's, and
 * {@link HttpErrors} turns a status into an HTTP answer. A streamed answer whose client goes away
 * cancels its call, which stops decoding and frees both model services' caches.
 */
public final class HttpFrontDoor implements AutoCloseable {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  /** The longest request head (request line and headers); more gets 431. */
  static final int MAX_HEADER_BYTES = 16 << 10;
  /**
   * A connection with no request in flight is closed after this long. A generation that runs long
   * between writes is not idle: its request ignores the timeout (a write to a client that stopped
   * reading still fails after it).
   */
  static final long IDLE_TIMEOUT_MS = 60_000;

  private final Server server;
  private final ServerConnector connector;
  private final Channel orchestrator;
  private final int maxBodyBytes;
  private final long started = System.currentTimeMillis() / 1000;

  /**
   * @param orchestrator a channel to the orchestrator's gRPC service (in-process)
   * @param maxBodyBytes the largest request body: the orchestrator's message size limit
   * @param maxConcurrent the orchestrator's concurrent generations: the threads that serve them,
   *     and a few more to answer the refusals beyond them
   */
  public HttpFrontDoor(String host, int port, Channel orchestrator, int maxBodyBytes, int maxConcurrent) {
    this.orchestrator = orchestrator;
    this.maxBodyBytes = maxBodyBytes;
    QueuedThreadPool threads = new QueuedThreadPool(maxConcurrent + 16, 4);
    threads.setName("orchestrator-http");
    threads.setDaemon(true);
    server = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setRequestHeaderSize(MAX_HEADER_BYTES);
    config.setSendServerVersion(false);
    // one acceptor and one selector: a handful of sockets, and the generations block on their own threads
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(IDLE_TIMEOUT_MS);
    server.addConnector(connector);
    server.setHandler(new Routes());
    try {
      server.start();
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The bound port. */
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping is best effort: the process is going away or the server never started
    }
  }

  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      String method = request.getMethod();
      try {
        if (path.equals(Endpoint.COMPLETIONS.path) || path.equals(Endpoint.CHAT.path)) {
          allow(method, "POST");
          generate(path.equals(Endpoint.CHAT.path) ? Endpoint.CHAT : Endpoint.COMPLETIONS, request, response, callback);
        } else if (path.equals("/v1/models") || path.startsWith("/v1/models/")) {
          allow(method, "GET");
          models(path.substring("/v1/models".length()), request, response, callback);
        } else if (path.equals("/health")) {
          allow(method, "GET");
          health(response, callback);
        } else {
          throw new HttpErrors.Refusal(404, "", "no such endpoint: " + path);
        }
      } catch (Throwable e) {
        fail(response, callback, HttpErrors.of(e, UnaryOperator.identity()));
      }
      return true;
    }
  }

  private static void allow(String method, String allowed) {
    if (!method.equals(allowed)) throw new HttpErrors.Refusal(405, "", "method " + method + " is not allowed here; use " + allowed);
  }

  private OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub(Request request) {
    Metadata headers = new Metadata();
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (auth != null) headers.put(AUTHORIZATION, auth);
    return OrchestratorServiceGrpc.newBlockingStub(orchestrator).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private void health(Response response, Callback callback) {
    boolean serving;
    try {
      serving = HealthGrpc.newBlockingStub(orchestrator).check(HealthCheckRequest.getDefaultInstance()).getStatus()
          == HealthCheckResponse.ServingStatus.SERVING;
    } catch (RuntimeException e) {
      serving = false;
    }
    JsonObject body = new JsonObject();
    body.addProperty("status", serving ? "SERVING" : "NOT_SERVING");
    send(response, callback, serving ? 200 : 503, body);
  }

  /** The served pair: System 2's model as the model, and GetInfo (System 1 and the limits) as its fsgen object. */
  private void models(String rest, Request request, Response response, Callback callback) {
    GetInfoResponse info = stub(request).getInfo(GetInfoRequest.getDefaultInstance());
    JsonObject model = new JsonObject();
    model.addProperty("id", ServedModel.id(info));
    model.addProperty("object", "model");
    model.addProperty("created", started);
    model.addProperty("owned_by", "fsgen");
    JsonObject fsgen = new JsonObject();
    fsgen.addProperty("system1", ServedModel.id(info.getSystem1(), "system1"));
    fsgen.add("info", OpenAiAnswer.json(info));
    model.add("fsgen", fsgen);
    if (rest.isEmpty()) {
      JsonObject list = new JsonObject();
      list.addProperty("object", "list");
      JsonArray data = new JsonArray();
      data.add(model);
      list.add("data", data);
      send(response, callback, 200, list);
    } else if (rest.substring(1).equals(ServedModel.id(info))) {
      send(response, callback, 200, model);
    } else {
      throw new HttpErrors.Refusal(404, "model", "the model '" + rest.substring(1) + "' is not served here");
    }
  }

  private String body(Request request) throws IOException {
    long length = request.getLength();
    // refused before reading: a client that sent Expect: 100-continue (curl does, for large bodies)
    // hears 413 without sending the body; one that did not may see the connection closed under it
    if (length > maxBodyBytes) throw tooLarge(length);
    // the limit read as the body arrives, too: a chunked body says no length up front
    try (java.io.InputStream in = Content.Source.asInputStream(request)) {
      byte[] bytes = in.readNBytes(maxBodyBytes == Integer.MAX_VALUE ? maxBodyBytes : maxBodyBytes + 1);
      if (bytes.length > maxBodyBytes) throw tooLarge(-1);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private HttpErrors.Refusal tooLarge(long length) {
    return new HttpErrors.Refusal(413, "", "the request body" + (length < 0 ? "" : " (" + length + " bytes)")
        + " is over the limit of " + maxBodyBytes + " bytes (--max-message-bytes)");
  }

  private void generate(Endpoint endpoint, Request request, Response response, Callback callback) throws IOException {
    JsonObject body = JsonBody.parse(body(request));
    OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub = stub(request);
    OpenAiRequest ask = OpenAiRequest.of(endpoint, body, stub.getInfo(GetInfoRequest.getDefaultInstance()));
    Context.CancellableContext call = Context.current().withCancellation();
    // a generation may go long without a write: that is not an idle connection (writes still time out)
    request.addIdleTimeoutListener(timeout -> false);
    request.addFailureListener(call::cancel);
    Context previous = call.attach();
    try {
      Iterator<GenerateResponse> events = stub.generate(ask.generate());
      Started started;
      try {
        started = events.next().getStarted();
      } catch (RuntimeException e) {
        // refused before it began (the request, the token, the load): an HTTP status of its own
        fail(response, callback, HttpErrors.of(e, ask::param));
        return;
      }
      OpenAiAnswer answer = OpenAiAnswer.of(ask, started);
      if (ask.stream()) {
        GenerateResponse next;
        try {
          // the first step decided before the status is sent: a generation that fails at its first
          // model call (System 2 down, say) still gets its own HTTP status
          next = events.hasNext() ? events.next() : null;
        } catch (RuntimeException e) {
          fail(response, callback, HttpErrors.of(e, ask::param));
          return;
        }
        stream(answer, started, next, events, response, callback);
      } else {
        java.util.Map<Integer, List<Token>> tokens = new java.util.TreeMap<>();
        List<Summary> summaries = new ArrayList<>();
        try {
          while (events.hasNext()) {
            GenerateResponse e = events.next();
            if (e.hasTokens()) tokens.computeIfAbsent(e.getTokens().getChoice(), c -> new ArrayList<>()).addAll(e.getTokens().getTokensList());
            if (e.hasSummary()) summaries.add(e.getSummary());
          }
        } catch (RuntimeException e) {
          fail(response, callback, HttpErrors.of(e, ask::param));
          return;
        }
        send(response, callback, 200, answer.whole(started, tokens, summaries));
      }
    } finally {
      call.detach(previous);
      call.cancel(null); // a call still running (the client went away) stops here; a finished one is unaffected
    }
  }

  /**
   * Server-sent events: one chunk per decided step, the last chunk with the finish reason and the
   * summary, the usage if asked, then {@code [DONE]}. A failure after the first chunk can only be
   * told in the stream: an event holding OpenAI's error object, which the OpenAI clients raise.
   */
  private static void stream(OpenAiAnswer answer, Started started, GenerateResponse next, Iterator<GenerateResponse> events,
      Response response, Callback callback) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    OutputStream out = Content.Sink.asOutputStream(response);
    try {
      // each choice's first chunk says the role (chat); the usage and [DONE] follow the last choice's summary
      boolean first = true;
      List<Summary> summaries = new ArrayList<>();
      try {
        for (GenerateResponse e = next; e != null; e = events.hasNext() ? events.next() : null) {
          if (e.hasTokens()) {
            event(out, answer.chunk(started, e.getTokens().getChoice(), e.getTokens().getTokensList(), e.getTokens().getHeldText(),
                first).toString());
            first = false;
          } else if (e.hasSummary()) {
            if (first) event(out, answer.chunk(started, e.getSummary().getChoice(), List.of(), "", true).toString());
            event(out, answer.last(e.getSummary()).toString());
            summaries.add(e.getSummary());
            first = true;
            if (summaries.size() == answer.choices()) {
              if (answer.request().includeUsage()) event(out, answer.usageChunk(summaries).toString());
              event(out, "[DONE]");
            }
          }
        }
      } catch (io.grpc.StatusRuntimeException e) {
        event(out, HttpErrors.of(e, answer.request()::param).body().toString());
      }
      out.close();
      callback.succeeded();
    } catch (IOException e) {
      // the client went away: the caller's finally cancels the generation
      callback.failed(e);
    }
  }

  private static void event(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void fail(Response response, Callback callback, HttpErrors error) {
    if (error.retryAfterSeconds() >= 0) response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
    send(response, callback, error.http(), error.body());
  }

  private static void send(Response response, Callback callback, int status, JsonObject body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    Content.Sink.write(response, true, body + "\n", callback);
  }
}
