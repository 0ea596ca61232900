package dev.fsgen.service;

import dev.fsgen.grpc.InvalidRequestException;
import com.google.protobuf.ByteString;
import dev.fsgen.decoding.Draft;
import dev.fsgen.decoding.Sampler;
import dev.fsgen.decoding.Logprobs;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.TokenCounts;
import dev.fsgen.decoding.Verification;
import dev.fsgen.grpc.Messages;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.BatchVerifyResponse;
import dev.fsgen.proto.model.v1.CacheStats;
import dev.fsgen.proto.model.v1.CachedPrefix;
import dev.fsgen.proto.model.v1.ModelRole;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.DraftResponse;
import dev.fsgen.proto.model.v1.EndSessionRequest;
import dev.fsgen.proto.model.v1.EndSessionResponse;
import dev.fsgen.proto.model.v1.Limits;
import dev.fsgen.proto.model.v1.ModelInfo;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.NextTokenResponse;
import dev.fsgen.proto.model.v1.TokenScore;
import dev.fsgen.proto.model.v1.TokenizerFile;
import dev.fsgen.runtime.model.Checkpoint;
import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.runtime.model.LoadedModel;
import dev.fsgen.runtime.model.SafetensorsHeader;
import dev.fsgen.runtime.port.LocalLanguageModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One loaded model behind the model protocol: maps each request to the protocol-free
 * {@link ModelEngine} (validating its fields, naming them when refusing) and the engine's answer to
 * the response, and the call's gRPC context to its {@link CallScope}. Errors are thrown as domain
 * exceptions; {@link dev.fsgen.grpc.Statuses} alone turns them into statuses.
 */
public final class ModelHost implements AutoCloseable {
  private final LoadedModel loaded;
  private final LocalLanguageModel model;
  private final LlamaConfig config;
  private final HostLimits limits;
  private final ModelEngine engine;
  private final ModelInfo info;
  private final TokenizerFile tokenizer;
  private static final int[] NO_TOKENS = {};

  private ModelHost(LoadedModel loaded, HostLimits limits, String name, ModelRole role) throws IOException {
    this.loaded = loaded;
    // the tokenizer's tokens: a checkpoint's embedding may be padded past them (see LocalLanguageModel)
    this.model = new LocalLanguageModel(loaded.model(), loaded.tokenizer().vocabSize());
    this.config = loaded.model().config();
    this.limits = limits;
    this.engine = new ModelEngine(model, limits, name);
    Path dir = loaded.model().directory();
    // the config travels with the tokenizer: the orchestrator renders chat prompts with its template
    Path tokenizerConfig = loaded.tokenizer().path().resolveSibling("tokenizer_config.json");
    this.tokenizer = TokenizerFile.newBuilder()
        .setJson(ByteString.copyFrom(Files.readAllBytes(loaded.tokenizer().path())))
        .setConfigJson(Files.isRegularFile(tokenizerConfig) ? ByteString.copyFrom(Files.readAllBytes(tokenizerConfig)) : ByteString.EMPTY)
        .setFingerprint(loaded.tokenizer().fingerprint()).build();
    this.info = ModelInfo.newBuilder()
        .setName(name)
        .setRole(role)
        .setArchitecture(switch (config.modelType()) {
          case "qwen2" -> "Qwen2ForCausalLM";
          case "mistral" -> "MistralForCausalLM";
          default -> "LlamaForCausalLM";
        })
        .setModelType(config.modelType())
        .setParameterCount(config.parameterCount())
        .setVocabSize(model.vocabSize())
        .setContextLength(config.maxPositionEmbeddings())
        .setTokenizerFingerprint(loaded.tokenizer().fingerprint())
        .setEosTokenId(loaded.generation().primaryEosId())
        .addAllEosTokenIds(loaded.generation().eosIds())
        .setGenerationDefaults(Messages.sampling(loaded.generation().sampling()))
        .setNumLayers(config.numLayers())
        .setHiddenSize(config.hiddenSize())
        .setDtype(storedDtype(dir))
        .setSource(dir == null ? "" : dir.toString())
        .setLimits(Limits.newBuilder().setMaxPrefixTokens(config.maxPositionEmbeddings())
            .setMaxDraftTokens(limits.maxDraftTokens()).setMaxSessions(limits.maxSessions())
            .setMaxCacheBytes(limits.maxCacheBytes()).setSessionIdle(Messages.duration(limits.sessionIdle()))
            .setMaxMessageBytes(limits.maxMessageBytes()))
        .build();
  }

  /** Where the model runs: its device and the code of its short steps. */
  public dev.fsgen.runtime.model.Placement placement() {
    return loaded.model().placement();
  }

  /** Loads a Hugging Face layout model directory, to be served under {@code name} in {@code role}. */
  public static ModelHost load(Path dir, HostLimits limits, String name, ModelRole role) {
    LoadedModel loaded = LoadedModel.load(dir);
    try {
      return new ModelHost(loaded, limits, name, role);
    } catch (IOException e) {
      loaded.close();
      throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
  }

  private static String storedDtype(Path dir) {
    if (dir == null) return "float32";
    try {
      Path file = dir.resolve(Checkpoint.WEIGHTS);
      if (!Files.exists(file)) return "unknown";
      return switch (SafetensorsHeader.read(file).values().iterator().next().dtype()) {
        case "F16" -> "float16";
        case "BF16" -> "bfloat16";
        default -> "float32";
      };
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  public ModelInfo info() {
    return info;
  }

  public TokenizerFile tokenizer() {
    return tokenizer;
  }

  /** Requests admitted and not yet answered: the one computing and those waiting for the model. */
  public int queued() {
    return engine.queued();
  }

  public CacheStats stats() {
    ModelEngine.Stats s = engine.stats();
    SessionStore.Counts c = s.caches();
    // every call shares passes with the others waiting; a draft takes one pass per step
    return CacheStats.newBuilder().setSessions(c.sessions()).setCachedTokens(c.tokens()).setCacheBytes(c.bytes())
        .setHits(c.hits()).setMisses(c.misses()).setEnded(c.ended()).setExpired(c.expired()).setEvicted(c.evicted())
        .setRequests(s.requests()).setBusyTime(com.google.protobuf.util.Durations.fromNanos(s.busyNanos()))
        .setPasses(s.passes()).build();
  }

  public EndSessionResponse end(EndSessionRequest r) {
    String id = Messages.sessionId(r.getSessionId(), "session_id");
    return EndSessionResponse.newBuilder().setReleased(engine.end(id)).build();
  }

  public NextTokenResponse nextToken(NextTokenRequest r) {
    return join(nextTokenLater(r));
  }

  /** The answer once the batcher's pass has run; a bad request fails at once. */
  public CompletableFuture<NextTokenResponse> nextTokenLater(NextTokenRequest r) {
    String id = Messages.sessionId(r.getSessionId(), "session_id");
    CachedStart cached = cached(r.hasCached(), r.getCached());
    int[] prefix = prefix(cached, r.getPrefixList(), 0, "prefix");
    SamplingParams params = Messages.sampling(r.hasSampling(), r.getSampling(), new SamplingParams(1.0, 0, 1.0));
    int k = r.getSelectionCase() == NextTokenRequest.SelectionCase.TOP_K
        ? Messages.count(r.getTopK(), 1, model.vocabSize(), "top_k") : 0;
    int[] named = r.getSelectionCase() == NextTokenRequest.SelectionCase.TOKEN_IDS
        ? Messages.tokens(r.getTokenIds().getIdsList(), model.vocabSize(), "token_ids.ids") : null;
    if (named != null && named.length == 0) throw new InvalidRequestException("token_ids.ids", "token_ids.ids must name at least one token");
    return batched(id, cached, prefix, NO_TOKENS, (reused, sequence, rows) -> {
      NextTokenResponse.Builder b = NextTokenResponse.newBuilder().setReusedTokens(reused);
      if (r.getEveryPosition()) for (float[] row : rows) b.addPositionArgmax(Sampler.argmax(row));
      float[] logits = rows[rows.length - 1]; // [vocab]
      if (r.getSelectionCase() == NextTokenRequest.SelectionCase.SELECTION_NOT_SET) {
        return b.setArgmax(Sampler.argmax(logits)).build();
      }
      // the penalties move the probabilities; the argmax stays the raw logits' (as documented)
      float[] p = Sampler.probabilities(TokenCounts.apply(TokenCounts.of(params, sequence, sequence.length), logits), params);
      b.setArgmax(Sampler.argmax(logits));
      switch (r.getSelectionCase()) {
        case FULL_VOCABULARY -> {
          for (float x : logits) b.addLogits(x);
          for (float x : p) b.addProbabilities(x);
        }
        case TOP_K -> {
          Integer[] order = new Integer[logits.length];
          for (int i = 0; i < order.length; i++) order[i] = i;
          Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
          for (int i = 0; i < k; i++) b.addScores(score(order[i], logits, p));
        }
        case TOKEN_IDS -> {
          for (int t : named) b.addScores(score(t, logits, p));
        }
        default -> throw new IllegalStateException();
      }
      return b.build();
    });
  }

  private static TokenScore score(int id, float[] logits, float[] p) {
    return TokenScore.newBuilder().setId(id).setLogit(logits[id]).setProbability(p[id]).build();
  }

  public DraftResponse draft(DraftRequest r) {
    return join(draftLater(r));
  }

  /** The answer once the batcher's passes have run the draft's steps; a bad request fails at once. */
  public CompletableFuture<DraftResponse> draftLater(DraftRequest r) {
    String id = Messages.sessionId(r.getSessionId(), "session_id");
    int gamma = Messages.count(r.getGamma(), 1, limits.maxDraftTokens(), "gamma");
    CachedStart cached = cached(r.hasCached(), r.getCached());
    int[] prefix = prefix(cached, r.getPrefixList(), gamma, "prefix");
    SamplingParams params = Messages.sampling(r.hasSampling(), r.getSampling(), SamplingParams.GREEDY);
    BlockBatcher.DraftSpec spec = new BlockBatcher.DraftSpec(gamma, params, r.getSeed(), r.getReturnDistributions(),
        !r.getSkipTokenProbabilities());
    return engine.draft(id, cached, prefix, spec, scope()).thenApply(x -> {
      Draft d = x.draft();
      DraftResponse.Builder b = DraftResponse.newBuilder().setReusedTokens(x.reused());
      for (int i = 0; i < d.gamma(); i++) {
        b.addTokens(d.tokens()[i]).addGreedy(d.greedy()[i]);
        if (d.probabilities() != null) b.addTokenProbabilities(d.probabilities()[i]);
        if (d.distributions() != null) b.addDistributions(Messages.distribution(d.distributions()[i]));
      }
      if (d.previousGreedy() >= 0) b.setPreviousGreedy(d.previousGreedy());
      return b.build();
    });
  }

  public BatchVerifyResponse verify(BatchVerifyRequest r) {
    return join(verifyLater(r));
  }

  /** The answer once the batcher's pass has run; a bad request fails at once. */
  public CompletableFuture<BatchVerifyResponse> verifyLater(BatchVerifyRequest r) {
    String id = Messages.sessionId(r.getSessionId(), "session_id");
    int[] draft = Messages.tokens(r.getDraftList(), model.vocabSize(), "draft");
    if (draft.length > limits.maxDraftTokens()) {
      throw new InvalidRequestException("draft", "draft must hold 0 to " + limits.maxDraftTokens() + " tokens, got " + draft.length);
    }
    CachedStart cached = cached(r.hasCached(), r.getCached());
    int[] prefix = prefix(cached, r.getPrefixList(), draft.length, "prefix");
    SamplingParams params = Messages.sampling(r.hasSampling(), r.getSampling(), SamplingParams.GREEDY);
    int top = r.hasTopLogprobs() ? Messages.count(r.getTopLogprobs(), 0, Logprobs.MAX_TOP, "top_logprobs") : -1;
    return batched(id, cached, prefix, draft, (reused, sequence, rows) -> {
      Verification v = Verification.score(rows, sequence, draft.length, params, top);
      BatchVerifyResponse.Builder b = BatchVerifyResponse.newBuilder().setReusedTokens(reused);
      for (int i = 0; i < v.positions(); i++) {
        b.addArgmax(v.argmax()[i]);
        if (v.distributions() != null) b.addDistributions(Messages.distribution(v.distributions()[i]));
        if (v.logprobs() != null) b.addLogprobs(Messages.positionLogprobs(v.logprobs()[i]));
      }
      return b.build();
    });
  }

  /** A request's cached prefix start, or null when it sends the whole prefix (none, or of 0 tokens). */
  private static CachedStart cached(boolean present, CachedPrefix c) {
    return present && c.getTokens() > 0 ? new CachedStart(c.getTokens(), c.getHash()) : null;
  }

  /** The current gRPC call as the engine sees it: its deadline, and whether it was cancelled. */
  private static CallScope scope() {
    io.grpc.Context call = io.grpc.Context.current();
    io.grpc.Deadline d = call.getDeadline();
    long deadline = d == null ? Long.MAX_VALUE : System.nanoTime() + d.timeRemaining(TimeUnit.NANOSECONDS);
    return new CallScope(deadline, call::isCancelled);
  }

  /**
   * The prefix sent, validated: with the cached start, at least one token, in the vocabulary, and
   * leaving room for {@code extra} more tokens.
   */
  private int[] prefix(CachedStart cached, java.util.List<Integer> ids, int extra, String field) {
    long start = cached == null ? 0 : cached.tokens();
    if (ids.isEmpty() && start == 0) throw new InvalidRequestException(field, field + " must hold at least one token");
    if (start + ids.size() + extra > config.maxPositionEmbeddings()) {
      throw new InvalidRequestException(field, field + " has " + (start + ids.size()) + " tokens"
          + (start > 0 ? " (" + start + " of them cached.tokens)" : "") + (extra > 0 ? " (+" + extra + " to draft or verify)" : "")
          + "; the model's context is " + config.maxPositionEmbeddings());
    }
    return Messages.tokens(ids, model.vocabSize(), field);
  }

  /** Builds an answer from the logits of a batched append. */
  private interface Answer<T> {
    /** @param sequence the session's whole sequence after the append: [length] */
    T apply(int reused, int[] sequence, float[][] rows);
  }

  /**
   * Appends the prefix's uncached tokens and then {@code extra} in the engine's next pass, shared
   * with whatever other requests are waiting; the answer is built when the pass is done.
   */
  private <T> CompletableFuture<T> batched(String id, CachedStart cached, int[] sent, int[] extra, Answer<T> answer) {
    return engine.append(id, cached, sent, extra, scope()).thenApply(r -> answer.apply(r.reused(), r.sequence(), r.rows()));
  }

  /** Waits for an answer, failing with what failed it. */
  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw e;
    }
  }

  @Override
  public void close() {
    engine.close();
    loaded.close();
  }

}
