package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.proto.decoding.v1.ChatMessage;
import dev.fsgen.proto.decoding.v1.ChatPrompt;
import dev.fsgen.proto.decoding.v1.ContrastiveOptions;
import dev.fsgen.proto.decoding.v1.GatedOptions;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.ProxyTuningOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.Sampling;
import dev.fsgen.proto.model.v1.TokenIds;
import dev.fsgen.service.HostLimits;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input table of docs/resilience.md, case by case, against real services: every
 * malformed or abusive request gets the status the table gives, and the services keep serving.
 * The test also checks that the table lists every case with that status.
 */
class HostileInputTest {
  /**
   * One row: what is sent, the status it must get, the ErrorInfo reason its details must give (null:
   * none, the transport's own status; ending in ?: that reason or none, whichever of the server's
   * answer and the client's own timer comes first), the field its BadRequest must name (null: no BadRequest),
   * and a phrase the message must contain (null: any).
   */
  private record Case(String name, Status.Code code, String reason, String field, String says, Runnable send) {}

  static LiveServices live;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws IOException {
    // two generations at once at most, so that admission control can be seen refusing the third
    // System 1 hosts a second model under another name, so proxy tuning's own parameters are reached
    // on sockets: the 5 MB message is refused by the transport's size limit, which in-process has not
    // System 2 is the bundled one without its tokenizer_config.json, so that a chat prompt meets a model with no chat template
    live = LiveServices.onSockets(java.util.Map.of("default", LiveServices.ROOT.resolve("models/system1"), "tuned",
        LiveServices.ROOT.resolve("models/system1")), LiveServices.system2WithoutTokenizerConfig(dir, "system2-no-template"),
        HostLimits.DEFAULT, new OrchestratorLimits(4096, 4096, 16, 2, 4 << 20, 128, 4));
  }

  @AfterAll
  static void stop() {
    live.close();
  }

  private static GenerateRequest.Builder ok() {
    return GenerateRequest.newBuilder().setText("Hello").setMaxTokens(4);
  }

  private static void generate(GenerateRequest.Builder r) {
    live.generate(r.build());
  }

  private static StrategyOptions contrastive(double alpha, double beta) {
    return StrategyOptions.newBuilder().setContrastive(ContrastiveOptions.newBuilder().setForm(ContrastiveOptions.Form.FORM_FSGEN).setAlpha(alpha).setBeta(beta)).build();
  }

  private static StrategyOptions gated(GatedOptions.Builder g) {
    return StrategyOptions.newBuilder().setGated(g).build();
  }

  /** Sends bytes as a Generate request, whatever they hold. */
  private static void raw(byte[] payload) {
    RawGenerate.send(live.channel, CallOptions.DEFAULT, payload);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static final byte[] MAX_TOKENS_4 = {0x38, 4}; // field 7 (max_tokens), varint 4

  /** A long generation running in the background until it ends; returns when its first event has arrived. */
  private static CountDownLatch background(String session) throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    GenerateRequest.Builder r = LifecycleAndValidationTest.longRun().setMaxTokens(400);
    if (session != null) r.setSessionId(session);
    OrchestratorServiceGrpc.newStub(live.channel).generate(r.build(), new StreamObserver<>() {
      public void onNext(GenerateResponse e) {
        started.countDown();
      }

      public void onError(Throwable t) {
        started.countDown();
        done.countDown();
      }

      public void onCompleted() {
        done.countDown();
      }
    });
    assertTrue(started.await(30, TimeUnit.SECONDS));
    return done;
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    Status.Code invalid = Status.Code.INVALID_ARGUMENT;
    c.add(new Case("no prompt", invalid, "INVALID_REQUEST", "prompt", "prompt", () -> generate(GenerateRequest.newBuilder().setMaxTokens(4))));
    c.add(new Case("empty text", invalid, "INVALID_REQUEST", "text", "text", () -> generate(ok().setText(""))));
    c.add(new Case("chat with no messages", invalid, "INVALID_REQUEST", "chat.messages", "chat.messages is empty",
        () -> generate(ok().clearText().setChat(ChatPrompt.getDefaultInstance()))));
    c.add(new Case("chat message with the role 'tool'", invalid, "INVALID_REQUEST", "chat.messages[0].role", "chat.messages[0].role is 'tool'",
        () -> generate(ok().clearText().setChat(ChatPrompt.newBuilder()
            .addMessages(ChatMessage.newBuilder().setRole("tool").setContent("42"))))));
    c.add(new Case("chat prompt for a model without a chat template", Status.Code.FAILED_PRECONDITION, "UNSUPPORTED_BY_MODEL", null, "no chat_template",
        () -> generate(ok().clearText().setChat(ChatPrompt.newBuilder()
            .addMessages(ChatMessage.newBuilder().setRole("user").setContent("Hi"))))));
    c.add(new Case("text of 300,000 characters", invalid, "INVALID_REQUEST", "text", "characters", () -> generate(ok().setText("a ".repeat(150_000)))));
    c.add(new Case("prompt of 5,000 tokens", invalid, "INVALID_REQUEST", "prompt", "the limit is 4096",
        () -> generate(ok().clearText().setTokens(TokenIds.newBuilder().addAllIds(Collections.nCopies(5000, 7))))));
    c.add(new Case("prompt longer than the context", invalid, "INVALID_REQUEST", "prompt", "context",
        () -> generate(ok().clearText().setTokens(TokenIds.newBuilder().addAllIds(Collections.nCopies(1100, 7))))));
    c.add(new Case("message of 5 MB", Status.Code.RESOURCE_EXHAUSTED, null, null, null, () -> generate(ok().setText("a".repeat(5 << 20)))));
    c.add(new Case("invalid UTF-8 in text", invalid, "INVALID_REQUEST", "", "does not parse",
        () -> raw(concat(new byte[] {0x12, 2, (byte) 0xC3, 0x28}, MAX_TOKENS_4))));
    c.add(new Case("unknown strategy (a field this server does not know)", invalid, "INVALID_REQUEST", "strategy", "not a strategy",
        () -> raw(concat(new byte[] {0x12, 2, 'H', 'i'}, MAX_TOKENS_4, new byte[] {0x22, 3, (byte) 0x98, 0x06, 1}))));
    c.add(new Case("token id = vocabulary size", invalid, "INVALID_REQUEST", "tokens.ids[1]", "tokens.ids",
        () -> generate(ok().clearText().setTokens(TokenIds.newBuilder().addIds(5).addIds(4096)))));
    c.add(new Case("negative token id", invalid, "INVALID_REQUEST", "tokens.ids[0]", "tokens.ids[0]", () -> generate(ok().clearText().setTokens(TokenIds.newBuilder().addIds(-1)))));
    c.add(new Case("max_tokens = 10^9", invalid, "INVALID_REQUEST", "max_tokens", "max_tokens", () -> generate(ok().setMaxTokens(1_000_000_000))));
    c.add(new Case("temperature NaN", invalid, "INVALID_REQUEST", "sampling.temperature", "temperature", () -> generate(ok().setSampling(Sampling.newBuilder().setTemperature(Double.NaN)))));
    c.add(new Case("temperature -1", invalid, "INVALID_REQUEST", "sampling.temperature", "temperature", () -> generate(ok().setSampling(Sampling.newBuilder().setTemperature(-1)))));
    c.add(new Case("temperature +infinity", invalid, "INVALID_REQUEST", "sampling.temperature", "temperature",
        () -> generate(ok().setSampling(Sampling.newBuilder().setTemperature(Double.POSITIVE_INFINITY)))));
    c.add(new Case("top_p = 1.5", invalid, "INVALID_REQUEST", "sampling.top_p", "top_p", () -> generate(ok().setSampling(Sampling.newBuilder().setTemperature(1).setTopP(1.5)))));
    c.add(new Case("top_p = 0", invalid, "INVALID_REQUEST", "sampling.top_p", "top_p", () -> generate(ok().setSampling(Sampling.newBuilder().setTemperature(1).setTopP(0)))));
    c.add(new Case("top_k = -1", invalid, "INVALID_REQUEST", "sampling.top_k", "top_k", () -> generate(ok().setSampling(Sampling.newBuilder().setTemperature(1).setTopK(-1)))));
    c.add(new Case("gamma = 10^6", invalid, "INVALID_REQUEST", "strategy.speculative.gamma", "gamma", () -> generate(ok().setStrategy(SpeculativeOverGrpcTest.speculative(1_000_000)))));
    c.add(new Case("gamma = 0 (the default, 3)", Status.Code.OK, null, null, null, () -> generate(ok().setStrategy(SpeculativeOverGrpcTest.speculative(0)))));
    c.add(new Case("contrastive alpha = 0", invalid, "INVALID_REQUEST", "strategy.contrastive.alpha", "alpha", () -> generate(ok().setStrategy(contrastive(0, 0.5)))));
    c.add(new Case("contrastive alpha = 2", invalid, "INVALID_REQUEST", "strategy.contrastive.alpha", "alpha", () -> generate(ok().setStrategy(contrastive(2, 0.5)))));
    c.add(new Case("contrastive beta = -1", invalid, "INVALID_REQUEST", "strategy.contrastive.beta", "beta", () -> generate(ok().setStrategy(contrastive(0.1, -1)))));
    c.add(new Case("proxy tuning with an unknown model", invalid, "INVALID_REQUEST", "strategy.proxy_tuning.tuned_model", "not hosted",
        () -> generate(ok().setStrategy(StrategyOptions.newBuilder().setProxyTuning(ProxyTuningOptions.newBuilder().setTunedModel("nope"))))));
    c.add(new Case("proxy tuning naming a file path", invalid, "INVALID_REQUEST", "strategy.proxy_tuning.tuned_model", "not hosted",
        () -> generate(ok().setStrategy(StrategyOptions.newBuilder().setProxyTuning(ProxyTuningOptions.newBuilder().setTunedModel("../../etc/passwd"))))));
    c.add(new Case("proxy tuning alpha NaN", invalid, "INVALID_REQUEST", "strategy.proxy_tuning.alpha", "alpha", () -> generate(ok().setStrategy(StrategyOptions.newBuilder()
        .setProxyTuning(ProxyTuningOptions.newBuilder().setTunedModel("tuned").setAlpha(Double.NaN))))));
    c.add(new Case("gated router value 99", invalid, "INVALID_REQUEST", "strategy.gated.router", "router", () -> generate(ok().setStrategy(gated(GatedOptions.newBuilder().setRouterValue(99))))));
    c.add(new Case("gated budget 1.5", invalid, "INVALID_REQUEST", "strategy.gated.budget", "budget",
        () -> generate(ok().setStrategy(gated(GatedOptions.newBuilder().setRouter(GatedOptions.Router.ROUTER_MARGIN).setBudget(1.5))))));
    c.add(new Case("gated threshold NaN", invalid, "INVALID_REQUEST", "strategy.gated", "threshold",
        () -> generate(ok().setStrategy(gated(GatedOptions.newBuilder().setRouter(GatedOptions.Router.ROUTER_ENTROPY).setThreshold(Double.NaN))))));
    c.add(new Case("learned router where none is loaded", invalid, "INVALID_REQUEST", "strategy.gated", "--router-file",
        () -> generate(ok().setStrategy(gated(GatedOptions.newBuilder().setRouter(GatedOptions.Router.ROUTER_LEARNED))))));
    c.add(new Case("session id with spaces", invalid, "INVALID_REQUEST", "session_id", "session_id", () -> generate(ok().setSessionId("no spaces allowed"))));
    c.add(new Case("session id of 200 characters", invalid, "INVALID_REQUEST", "session_id", "session_id", () -> generate(ok().setSessionId("x".repeat(200)))));
    c.add(new Case("session id already generating", Status.Code.ALREADY_EXISTS, "SESSION_BUSY", null, "already generating", () -> {
      try {
        CountDownLatch done = background("hostile-shared");
        try {
          generate(ok().setSessionId("hostile-shared"));
        } finally {
          done.await(120, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }));
    c.add(new Case("more generations than the limit", Status.Code.RESOURCE_EXHAUSTED, "OVERLOADED", null, "limit", () -> {
      try {
        CountDownLatch a = background(null);
        CountDownLatch b = background(null);
        try {
          generate(ok());
        } finally {
          a.await(120, TimeUnit.SECONDS);
          b.await(120, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }));
    c.add(new Case("deadline of 1 ms", Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED?", null, null, () -> {
      for (Iterator<GenerateResponse> it = live.orchestrator().withDeadlineAfter(1, TimeUnit.MILLISECONDS)
          .generate(LifecycleAndValidationTest.longRun().build()); it.hasNext(); ) it.next();
    }));
    c.add(new Case("deadline of 200 ms mid-stream, the client's own timer later", Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", null, "deadline passed", () -> {
      for (Iterator<GenerateResponse> it = live.orchestrator().withInterceptors(new ServerDeadline(200))
          .generate(LifecycleAndValidationTest.longRun().build()); it.hasNext(); ) it.next();
    }));
    c.add(new Case("cancel mid-stream", Status.Code.CANCELLED, null, null, null, () -> {
      AtomicReference<Throwable> error = new AtomicReference<>();
      CountDownLatch over = new CountDownLatch(1);
      io.grpc.Context.CancellableContext ctx = io.grpc.Context.current().withCancellation();
      ctx.run(() -> OrchestratorServiceGrpc.newStub(live.channel).generate(LifecycleAndValidationTest.longRun().build(), new StreamObserver<>() {
        public void onNext(GenerateResponse e) {
          ctx.cancel(null);
        }

        public void onError(Throwable t) {
          error.set(t);
          over.countDown();
        }

        public void onCompleted() {
          over.countDown();
        }
      }));
      try {
        over.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      if (error.get() instanceof StatusRuntimeException s) throw s;
    }));
    // the model services, called directly
    NextTokenRequest next = NextTokenRequest.newBuilder().setSessionId("s").addPrefix(1).build();
    c.add(new Case("model service: empty session id", invalid, "INVALID_REQUEST", "session_id", "session_id",
        () -> live.system1Stub().nextToken(next.toBuilder().setSessionId("").build())));
    c.add(new Case("model service: token id out of the vocabulary", invalid, "INVALID_REQUEST", "prefix[1]", "prefix[1]",
        () -> live.system2Stub().nextToken(next.toBuilder().addPrefix(99_999).build())));
    c.add(new Case("model service: prefix longer than the context", invalid, "INVALID_REQUEST", "prefix", "context",
        () -> live.system2Stub().nextToken(next.toBuilder().addAllPrefix(Collections.nCopies(1100, 3)).build())));
    c.add(new Case("model service: unknown model name", invalid, "INVALID_REQUEST", "model", "not hosted",
        () -> live.system1Stub().nextToken(next.toBuilder().setModel("/etc/passwd").build())));
    c.add(new Case("model service: draft of gamma 0", invalid, "INVALID_REQUEST", "gamma", "gamma",
        () -> live.system1Stub().draft(DraftRequest.newBuilder().setSessionId("s").addPrefix(1).setGamma(0).build())));
    c.add(new Case("model service: verify of a draft over the limit", invalid, "INVALID_REQUEST", "draft", "draft",
        () -> live.system2Stub().batchVerify(BatchVerifyRequest.newBuilder().setSessionId("s").addPrefix(1)
            .addAllDraft(java.util.Collections.nCopies(dev.fsgen.service.HostLimits.DEFAULT.maxDraftTokens() + 1, 1)).build())));
    c.add(new Case("model service: verify of 1,000 tokens with a 5 ms deadline", Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED?", null, null,
        () -> live.system2Stub().withDeadlineAfter(5, TimeUnit.MILLISECONDS).batchVerify(BatchVerifyRequest.newBuilder()
            .setSessionId("hostile-expired").addAllPrefix(Collections.nCopies(1000, 3)).addDraft(5).addDraft(6).addDraft(7).build())));
    return c;
  }

  @Test
  void everyHostileRequestGetsItsStatusAndTheServicesKeepServing() throws IOException {
    List<Case> cases = cases();
    assertTrue(cases.size() >= 30, "at least 30 cases, got " + cases.size());
    for (Case c : cases) {
      Status.Code got = Status.Code.OK;
      String message = "";
      com.google.rpc.Status details = null;
      try {
        c.send().run();
      } catch (StatusRuntimeException e) {
        got = e.getStatus().getCode();
        message = String.valueOf(e.getStatus().getDescription());
        details = io.grpc.protobuf.StatusProto.fromThrowable(e);
      }
      assertEquals(c.code(), got, c.name() + ": " + message);
      if (c.says() != null) assertTrue(message.contains(c.says()), c.name() + ": '" + c.says() + "' not in: " + message);
      com.google.rpc.ErrorInfo info = ErrorVocabularyTest.detail(details, com.google.rpc.ErrorInfo.class);
      String reason = info == null ? null : info.getReason();
      if (c.reason() != null && c.reason().endsWith("?")) {
        if (reason != null) assertEquals(c.reason().substring(0, c.reason().length() - 1), reason, c.name() + ": reason");
      } else {
        assertEquals(c.reason(), reason, c.name() + ": reason");
      }
      if (info != null) assertEquals(dev.fsgen.grpc.Statuses.DOMAIN, info.getDomain(), c.name() + ": domain");
      com.google.rpc.BadRequest bad = ErrorVocabularyTest.detail(details, com.google.rpc.BadRequest.class);
      assertEquals(c.field(), bad == null ? null : bad.getFieldViolations(0).getField(), c.name() + ": field");
    }
    // still serving
    assertEquals(4, Generated.of(live.generate(ok().build())).ids().length);

    // the docs list every case with its status
    String doc = Files.readString(LiveServices.ROOT.resolve("docs/resilience.md"));
    for (Case c : cases) {
      assertTrue(doc.contains("| " + c.name() + " | " + c.code() + " |"), "docs/resilience.md lacks the row: | " + c.name() + " | " + c.code() + " |");
    }
  }
}
