package dev.fsgen.service;

import dev.fsgen.grpc.InvalidRequestException;
import com.google.protobuf.ByteString;
import dev.fsgen.decoding.Draft;
import dev.fsgen.decoding.OverloadedException;
import dev.fsgen.decoding.Sampler;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.Verification;
import dev.fsgen.grpc.Messages;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.BatchVerifyResponse;
import dev.fsgen.proto.model.v1.CacheStats;
import dev.fsgen.proto.model.v1.CachedPrefix;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One loaded model served over the model protocol: validates each request, leases the session's
 * cache, runs the port's operation and builds the answer. Shared by the System 1 and System 2
 * servers, which expose different subsets of it. One forward pass runs at a time (the machine's
 * cores are already used by each pass), and every request that waits for it shares the next pass
 * ({@link BlockBatcher}): NextToken and BatchVerify with their blocks, drafts with one step each.
 * At most {@code maxQueued} requests wait.
 */
public final class ModelHost implements AutoCloseable {
  private final LoadedModel loaded;
  private final LocalLanguageModel model;
  private final LlamaConfig config;
  private final HostLimits limits;
  private final SessionStore sessions;
  private final ReentrantLock compute = new ReentrantLock(true);
  private final Semaphore queue;
  private final LongAdder requests = new LongAdder();
  private final LongAdder busyNanos = new LongAdder();
  private final ModelInfo info;
  private final TokenizerFile tokenizer;
  private final BlockBatcher batcher;
  private static final int[] NO_TOKENS = {};

  private ModelHost(LoadedModel loaded, HostLimits limits, String name) throws IOException {
    this.loaded = loaded;
    // the tokenizer's tokens: a checkpoint's embedding may be padded past them (see LocalLanguageModel)
    this.model = new LocalLanguageModel(loaded.model(), loaded.tokenizer().vocabSize());
    this.config = loaded.model().config();
    this.limits = limits;
    this.sessions = new SessionStore(model, limits);
    this.queue = new Semaphore(limits.maxQueued());
    this.batcher = new BlockBatcher(model, sessions, compute, limits.maxBatch(), busyNanos, requests, name);
    Path dir = loaded.model().directory();
    // the config travels with the tokenizer: the orchestrator renders chat prompts with its template
    Path tokenizerConfig = loaded.tokenizer().path().resolveSibling("tokenizer_config.json");
    this.tokenizer = TokenizerFile.newBuilder()
        .setJson(ByteString.copyFrom(Files.readAllBytes(loaded.tokenizer().path())))
        .setConfigJson(Files.isRegularFile(tokenizerConfig) ? ByteString.copyFrom(Files.readAllBytes(tokenizerConfig)) : ByteString.EMPTY)
        .setFingerprint(loaded.tokenizer().fingerprint()).build();
    this.info = ModelInfo.newBuilder()
        .setName(name)
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
            .setMaxCacheBytes(limits.maxCacheBytes()).setSessionIdleSeconds((int) limits.sessionIdle().toSeconds())
            .setMaxMessageBytes(limits.maxMessageBytes()))
        .build();
  }

  /** Where the model runs: its device and the code of its short steps. */
  public dev.fsgen.runtime.model.Placement placement() {
    return loaded.model().placement();
  }

  /** Loads a Hugging Face layout model directory, to be served under {@code name}. */
  public static ModelHost load(Path dir, HostLimits limits, String name) {
    LoadedModel loaded = LoadedModel.load(dir);
    try {
      return new ModelHost(loaded, limits, name);
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
    return limits.maxQueued() - queue.availablePermits();
  }

  public CacheStats stats() {
    // every call shares passes with the others waiting; a draft takes one pass per step
    return sessions.stats().toBuilder().setRequests(requests.sum()).setBusySeconds(busyNanos.sum() / 1e9)
        .setPasses(batcher.passes()).build();
  }

  public EndSessionResponse end(EndSessionRequest r) {
    String id = Messages.sessionId(r.getSessionId(), "session_id");
    return EndSessionResponse.newBuilder().setReleased(sessions.end(id)).build();
  }

  public NextTokenResponse nextToken(NextTokenRequest r) {
    return join(nextTokenLater(r));
  }

  /** The answer once the batcher's pass has run; a bad request fails at once. */
  public CompletableFuture<NextTokenResponse> nextTokenLater(NextTokenRequest r) {
    String id = Messages.sessionId(r.getSessionId(), "session_id");
    CachedPrefix cached = cached(r.hasCached(), r.getCached());
    int[] prefix = prefix(cached, r.getPrefixList(), 0, "prefix");
    SamplingParams params = Messages.sampling(r.hasSampling(), r.getSampling(), new SamplingParams(1.0, 0, 1.0));
    int k = r.getSelectionCase() == NextTokenRequest.SelectionCase.TOP_K
        ? Messages.count(r.getTopK(), 1, model.vocabSize(), "top_k") : 0;
    int[] named = r.getSelectionCase() == NextTokenRequest.SelectionCase.TOKEN_IDS
        ? Messages.tokens(r.getTokenIds().getIdsList(), model.vocabSize(), "token_ids.ids") : null;
    if (named != null && named.length == 0) throw new InvalidRequestException("token_ids.ids", "token_ids.ids must name at least one token");
    return batched(id, cached, prefix, NO_TOKENS, (reused, rows) -> {
      NextTokenResponse.Builder b = NextTokenResponse.newBuilder().setReusedTokens(reused);
      if (r.getEveryPosition()) for (float[] row : rows) b.addPositionArgmax(Sampler.argmax(row));
      float[] logits = rows[rows.length - 1]; // [vocab]
      if (r.getSelectionCase() == NextTokenRequest.SelectionCase.SELECTION_NOT_SET) {
        return b.setArgmax(Sampler.argmax(logits)).build();
      }
      float[] p = Sampler.probabilities(logits, params);
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
    CachedPrefix cached = cached(r.hasCached(), r.getCached());
    int[] prefix = prefix(cached, r.getPrefixList(), gamma, "prefix");
    SamplingParams params = Messages.sampling(r.hasSampling(), r.getSampling(), SamplingParams.GREEDY);
    BlockBatcher.DraftSpec spec = new BlockBatcher.DraftSpec(gamma, params, r.getSeed(), r.getReturnDistributions(),
        !r.getSkipTokenProbabilities());
    return queued(() -> batcher.submitDraft(id, cached, prefix, spec), x -> {
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
    if (draft.length < 1 || draft.length > limits.maxDraftTokens()) {
      throw new InvalidRequestException("draft", "draft must hold 1 to " + limits.maxDraftTokens() + " tokens, got " + draft.length);
    }
    CachedPrefix cached = cached(r.hasCached(), r.getCached());
    int[] prefix = prefix(cached, r.getPrefixList(), draft.length, "prefix");
    SamplingParams params = Messages.sampling(r.hasSampling(), r.getSampling(), SamplingParams.GREEDY);
    return batched(id, cached, prefix, draft, (reused, rows) -> {
      Verification v = Verification.score(rows, rows.length - draft.length, draft.length, params);
      BatchVerifyResponse.Builder b = BatchVerifyResponse.newBuilder().setReusedTokens(reused);
      for (int i = 0; i < v.positions(); i++) {
        b.addArgmax(v.argmax()[i]);
        if (v.distributions() != null) b.addDistributions(Messages.distribution(v.distributions()[i]));
      }
      return b.build();
    });
  }

  /** A request's cached prefix start, or null when it sends the whole prefix (none, or of 0 tokens). */
  private static CachedPrefix cached(boolean present, CachedPrefix c) {
    return present && c.getTokens() > 0 ? c : null;
  }

  /**
   * The prefix sent, validated: with the cached start, at least one token, in the vocabulary, and
   * leaving room for {@code extra} more tokens.
   */
  private int[] prefix(CachedPrefix cached, java.util.List<Integer> ids, int extra, String field) {
    long start = cached == null ? 0 : cached.getTokens();
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
    T apply(int reused, float[][] rows);
  }

  /**
   * Appends the prefix's uncached tokens and then {@code extra} in the batcher's next pass, shared
   * with whatever other requests are waiting; the answer is built when the pass is done.
   */
  private <T> CompletableFuture<T> batched(String id, CachedPrefix cached, int[] sent, int[] extra, Answer<T> answer) {
    return queued(() -> batcher.submit(id, cached, sent, extra), r -> answer.apply(r.reused(), r.rows()));
  }

  /** Takes a place among the waiting requests, submits to the batcher and builds the answer when it is done. */
  private <R, T> CompletableFuture<T> queued(java.util.function.Supplier<CompletableFuture<R>> submit,
      java.util.function.Function<R, T> answer) {
    if (io.grpc.Context.current().isCancelled()) {
      // expired or cancelled before it was admitted: nobody would read the answer
      throw new java.util.concurrent.CancellationException("the call was cancelled or ran past its deadline before it started");
    }
    admit();
    CompletableFuture<R> pass;
    try {
      pass = submit.get();
    } catch (RuntimeException e) {
      queue.release();
      throw e;
    }
    return pass.whenComplete((r, e) -> queue.release()).thenApply(answer);
  }

  /** Takes a place among the requests waiting for the model, which the caller gives back, or refuses one too many. */
  private void admit() {
    if (!queue.tryAcquire()) {
      throw new OverloadedException(limits.maxQueued() + " requests are already waiting for the model; retry later");
    }
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
    batcher.close();
    compute.lock();
    try {
      sessions.close();
      loaded.close();
    } finally {
      compute.unlock();
    }
  }

}
