package dev.fsgen.orchestrator;

import com.google.protobuf.util.Durations;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.OverloadedException;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.Producer;
import dev.fsgen.decoding.RoundCosts;
import dev.fsgen.decoding.Router;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.TokenLogprobs;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.grpc.SessionConflictException;
import dev.fsgen.grpc.Statuses;
import dev.fsgen.grpc.Unary;
import dev.fsgen.proto.decoding.v1.FinishReason;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.GetInfoRequest;
import dev.fsgen.proto.decoding.v1.GetInfoResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.Started;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.decoding.v1.TokenLogprob;
import dev.fsgen.proto.decoding.v1.TokenProducer;
import dev.fsgen.proto.decoding.v1.Tokens;
import dev.fsgen.tokenizer.StreamDecoder;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fsgen.decoding.v1.OrchestratorService: validates a request, admits it, runs its strategy over the
 * remote models on the call's thread (so deadlines and cancellation reach both services through
 * the gRPC context) and streams one event per decided step.
 */
public final class OrchestratorService extends OrchestratorServiceGrpc.OrchestratorServiceImplBase {
  private final Pairing pair;
  private final OrchestratorLimits limits;
  /** Admission: at most maxConcurrent generations at once; one more is refused at once, never queued. */
  private final io.github.resilience4j.bulkhead.Bulkhead admission;
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Router.Learned learned;
  private final OrchestratorMetrics metrics;
  /** Round times of adaptive speculative generations: shared, since every one runs on the same models and links. */
  private final RoundCosts roundCosts = RoundCosts.shared();

  /**
   * @param learned the learned router gated requests may ask for, or null
   * @param registry where the orchestrator's metrics go
   */
  OrchestratorService(Pairing pair, OrchestratorLimits limits, Router.Learned learned,
      io.prometheus.metrics.model.registry.PrometheusRegistry registry) {
    this.pair = pair;
    this.limits = limits;
    this.learned = learned;
    this.admission = io.github.resilience4j.bulkhead.Bulkhead.of("generations", io.github.resilience4j.bulkhead.BulkheadConfig.custom()
        .maxConcurrentCalls(limits.maxConcurrent()).maxWaitDuration(java.time.Duration.ZERO).build());
    java.util.Map<String, java.util.function.Supplier<java.util.List<String>>> replicas = new java.util.LinkedHashMap<>();
    if (pair.system1() instanceof ReplicaSet r1) replicas.put("system1", r1::describe);
    if (pair.system2() instanceof ReplicaSet r2) replicas.put("system2", r2::describe);
    this.metrics = new OrchestratorMetrics(registry, () -> limits.maxConcurrent() - admission.getMetrics().getAvailableConcurrentCalls(), replicas);
  }

  @Override
  public void getInfo(GetInfoRequest request, StreamObserver<GetInfoResponse> out) {
    Unary.answer(out, () -> GetInfoResponse.newBuilder().setSystem1(pair.info1()).setSystem2(pair.info2())
        .setMaxPromptTokens(limits.maxPromptTokens()).setMaxTokens(limits.maxTokens()).setMaxGamma(limits.maxGamma())
        .setMaxConcurrentGenerations(limits.maxConcurrent()).build());
  }

  @Override
  public void generate(GenerateRequest request, StreamObserver<GenerateResponse> out) {
    ServerCallStreamObserver<GenerateResponse> call = (ServerCallStreamObserver<GenerateResponse>) out;
    call.setOnCancelHandler(() -> {}); // cancellation is polled between model calls
    boolean admitted = false;
    String session = null;
    String kind = request.getStrategy().getKindCase() == StrategyOptions.KindCase.KIND_NOT_SET
        ? "default" : request.getStrategy().getKindCase().name().toLowerCase(java.util.Locale.ROOT);
    try {
      Plan plan = Plan.of(request, pair, limits, learned, roundCosts);
      if (!admission.tryAcquirePermission()) {
        throw new OverloadedException(limits.maxConcurrent() + " generations are running, the limit; retry later");
      }
      admitted = true;
      if (!running.add(plan.sessionId())) {
        throw new SessionConflictException("session_id '" + plan.sessionId() + "' is already generating");
      }
      session = plan.sessionId();
      call.onNext(GenerateResponse.newBuilder().setStarted(Started.newBuilder().setSessionId(session)
          .setPromptTokens(plan.prompt().length).setStrategy(plan.strategy().name())).build());
      for (int i = 0; i < plan.choices(); i++) {
        Finished f = generateChoice(plan.choice(i), i, call, request.getAllowDegraded());
        call.onNext(GenerateResponse.newBuilder().setSummary(f.summary()).build());
        if (i == plan.choices() - 1) {
          // the generation is over before the client hears so: a client that starts its next one at
          // once must find the slot and the session id free
          release(session, admitted);
          session = null;
          admitted = false;
        }
        metrics.finished(kind, f.summary(), f.producers());
      }
      call.onCompleted();
    } catch (Throwable e) {
      io.grpc.StatusRuntimeException status = Statuses.toException(e);
      release(session, admitted);
      session = null;
      admitted = false;
      metrics.failed(kind, !call.isCancelled() ? status.getStatus().getCode()
          : Context.current().cancellationCause() instanceof java.util.concurrent.TimeoutException
              ? io.grpc.Status.Code.DEADLINE_EXCEEDED : io.grpc.Status.Code.CANCELLED);
      if (!call.isCancelled()) call.onError(status);
    } finally {
      release(session, admitted);
    }
  }

  /** One choice's summary and who produced each of its tokens. */
  private record Finished(Summary summary, java.util.List<Producer> producers) {}

  /** Runs one choice of a plan, streaming its tokens; its summary is the caller's to send. */
  private Finished generateChoice(Plan plan, int choice, ServerCallStreamObserver<GenerateResponse> call, boolean allowDegraded) {
    String session = plan.sessionId();
    RemoteSystem1 small = new RemoteSystem1(pair.system1(), pair.info1().getVocabSize(), pair.info1().getContextLength(),
        session, plan.system1Model());
    RemoteSystem2 large = new RemoteSystem2(pair.system2(), pair.info2().getVocabSize(), pair.info2().getContextLength(),
        session, "");
    RemoteModel base = plan.system1BaseModel() == null ? null : new RemoteModel(pair.system1(),
        pair.info1().getVocabSize(), pair.info1().getContextLength(), session + ".base", plan.system1BaseModel());
    ModelPair models = new ModelPair(small, large, base);
    StreamSink sink = new StreamSink(call, pair.tokenizer().newStreamDecoder(), new StopSequences.Held(plan.request().stop()), choice,
        id -> pair.tokenizer().decode(new int[] {id}, false));
    long start = System.nanoTime();
    Summary summary;
    try {
      Outcome o = plan.strategy().run(models, plan.prompt(), plan.request(), sink);
      summary = summary(scoredBySystem1(o, plan, small, sink), plan);
    } catch (ServiceDownException down) {
      DegradedRun.Continuation c = DegradedRun.continueAfter(down, plan, allowDegraded, models, sink.ids(), sink);
      summary = degradedSummary(c, plan, sink, small.calls + (base == null ? 0 : base.calls), large.calls, small.drafted, start);
    }
    return new Finished(summary.toBuilder().setChoice(choice).build(), sink.producers);
  }

  /**
   * System 2 alone's outcome with System 1's choices, scored in one call after the last token (its
   * timings stop before), so that its summary reports the collaboration frequency too; unmeasured
   * where System 1 cannot answer, since System 2 alone never needs it.
   */
  private static Outcome scoredBySystem1(Outcome o, Plan plan, RemoteModel small, StreamSink sink) {
    if (!(plan.strategy() instanceof SingleModel s) || s.role() != SingleModel.Role.SYSTEM2) {
      return o;
    }
    try {
      int calls = small.calls;
      int[] choices = SingleModel.system1Choices(small, plan.prompt(), o.tokens());
      return o.withSystem1Choices(choices, small.calls - calls);
    } catch (RuntimeException e) {
      if (sink.cancelled()) throw e;
      return o;
    }
  }

  private void release(String session, boolean admitted) {
    if (session != null) running.remove(session);
    if (admitted) admission.onComplete();
  }

  private Summary summary(Outcome o, Plan plan) {
    Summary.Builder b = Summary.newBuilder()
        .setTokens(o.tokens().length).setPromptTokens(o.promptTokens())
        .setSystem1Calls(o.system1Calls()).setSystem2Calls(o.system2Calls())
        .setDrafted(o.drafted()).setAccepted(o.accepted()).setAcceptanceRate(o.acceptanceRate())
        .setSystem2TokenShare(o.system2TokenShare())
        .setTimeToFirstToken(Durations.fromNanos(o.firstTokenNanos())).setTokensPerSecond(o.tokensPerSecond())
        .setTotalTime(Durations.fromNanos(o.totalNanos()))
        .setFinishReason(switch (o.finish()) {
          case LENGTH -> FinishReason.FINISH_REASON_LENGTH;
          case EOS -> FinishReason.FINISH_REASON_EOS;
          case CONTEXT -> FinishReason.FINISH_REASON_CONTEXT;
          case STOP -> FinishReason.FINISH_REASON_STOP;
        })
        .setText(StopSequences.cut(pair.tokenizer().decode(o.tokens(), true), plan.request().stop()));
    if (!Double.isNaN(o.collaborationFrequency())) b.setCollaborationFrequency(o.collaborationFrequency());
    return b.build();
  }

  /** The summary of a generation finished by one service alone: counted from what was streamed and what was asked. */
  private Summary degradedSummary(DegradedRun.Continuation c, Plan plan, StreamSink sink, int system1Calls, int system2Calls,
      int drafted, long start) {
    int[] ids = sink.ids();
    Producer[] producers = sink.producers.toArray(Producer[]::new);
    int bySystem2 = 0;
    for (Producer p : producers) if (p.bySystem2()) bySystem2++;
    int accepted = DegradedRun.accepted(producers);
    long elapsed = System.nanoTime() - start;
    double seconds = elapsed / 1e9;
    return Summary.newBuilder()
        .setTokens(ids.length).setPromptTokens(plan.prompt().length)
        .setSystem1Calls(system1Calls).setSystem2Calls(system2Calls)
        .setDrafted(drafted).setAccepted(accepted).setAcceptanceRate(drafted == 0 ? 0 : (double) accepted / drafted)
        .setSystem2TokenShare(ids.length == 0 ? 0 : (double) bySystem2 / ids.length)
        .setTimeToFirstToken(Durations.fromNanos(sink.firstTokenNanos < 0 ? 0 : sink.firstTokenNanos - start))
        .setTokensPerSecond(ids.length / Math.max(1e-9, seconds)).setTotalTime(Durations.fromNanos(elapsed))
        .setFinishReason(switch (c.finish()) {
          case LENGTH -> FinishReason.FINISH_REASON_LENGTH;
          case EOS -> FinishReason.FINISH_REASON_EOS;
          case CONTEXT -> FinishReason.FINISH_REASON_CONTEXT;
          case STOP -> FinishReason.FINISH_REASON_STOP;
        })
        .setText(StopSequences.cut(pair.tokenizer().decode(ids, true), plan.request().stop()))
        .setDegraded(c.note())
        .build();
  }

  static TokenProducer producer(Producer p) {
    return switch (p) {
      case SYSTEM1 -> TokenProducer.TOKEN_PRODUCER_SYSTEM1;
      case SYSTEM1_ACCEPTED -> TokenProducer.TOKEN_PRODUCER_SYSTEM1_ACCEPTED;
      case SYSTEM2 -> TokenProducer.TOKEN_PRODUCER_SYSTEM2;
      case SYSTEM2_CORRECTION -> TokenProducer.TOKEN_PRODUCER_SYSTEM2_CORRECTION;
      case SYSTEM2_BONUS -> TokenProducer.TOKEN_PRODUCER_SYSTEM2_BONUS;
      case COMBINED -> TokenProducer.TOKEN_PRODUCER_COMBINED;
    };
  }

  /**
   * Turns each decided step into one event, with the text each token completes; keeps what it
   * streamed, so that a generation can go on after a service goes down.
   */
  static final class StreamSink implements TokenSink {
    private final ServerCallStreamObserver<GenerateResponse> call;
    final StreamDecoder decoder;
    private final StopSequences.Held shown;
    private final int choice;
    /** A token's text alone, for the alternatives of log-probabilities. */
    private final java.util.function.IntFunction<String> tokenText;
    final java.util.List<Integer> streamed = new java.util.ArrayList<>();
    final java.util.List<Producer> producers = new java.util.ArrayList<>();
    long firstTokenNanos = -1;
    /** Set once a service is down: every later token is marked degraded. */
    boolean degraded;

    StreamSink(ServerCallStreamObserver<GenerateResponse> call, StreamDecoder decoder, StopSequences.Held shown, int choice,
        java.util.function.IntFunction<String> tokenText) {
      this.call = call;
      this.tokenText = tokenText;
      this.decoder = decoder;
      this.shown = shown;
      this.choice = choice;
    }

    int[] ids() {
      return streamed.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void accept(int[] ids, Producer[] producers) {
      accept(ids, producers, false);
    }

    @Override
    public void accept(int[] ids, Producer[] producers, boolean last) {
      accept(ids, producers, null, last);
    }

    @Override
    public void accept(int[] ids, Producer[] producers, TokenLogprobs[] logprobs, boolean last) {
      if (ids.length > 0 && firstTokenNanos < 0) firstTokenNanos = System.nanoTime();
      Tokens.Builder b = Tokens.newBuilder().setChoice(choice);
      for (int i = 0; i < ids.length; i++) {
        Token.Builder t = Token.newBuilder().setId(ids[i]).setText(shown.offer(decoder.accept(ids[i]))).setProducer(producer(producers[i]))
            .setIndex(streamed.size()).setDegraded(degraded);
        if (logprobs != null && logprobs[i] != null) {
          TokenLogprobs lp = logprobs[i];
          t.setLogprob(logprob(ids[i], lp.logprob()));
          for (int k = 0; k < lp.topIds().length; k++) t.addTopLogprobs(logprob(lp.topIds()[k], lp.topLogprobs()[k]));
        }
        b.addTokens(t);
        streamed.add(ids[i]);
        this.producers.add(producers[i]);
      }
      if (last) {
        // an incomplete character at the very end, decoded as is, then whatever was held for a stop that never came
        String tail = shown.offer(decoder.flush());
        b.setHeldText(tail + shown.release());
      }
      if (b.getTokensCount() > 0 || !b.getHeldText().isEmpty()) call.onNext(GenerateResponse.newBuilder().setTokens(b).build());
    }

    private TokenLogprob logprob(int id, float value) {
      return TokenLogprob.newBuilder().setId(id).setText(tokenText.apply(id)).setLogprob(value).build();
    }

    @Override
    public boolean cancelled() {
      return call.isCancelled() || Context.current().isCancelled();
    }
  }
}
