package dev.fsgen.orchestrator;

import dev.fsgen.decoding.Draft;
import dev.fsgen.decoding.DraftPolicy;
import dev.fsgen.decoding.PositionLogprobs;
import dev.fsgen.decoding.Proposer;
import dev.fsgen.decoding.Scorer;
import dev.fsgen.decoding.Verifier;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.Verification;
import dev.fsgen.grpc.Messages;
import dev.fsgen.grpc.HashedTokens;
import dev.fsgen.grpc.CacheMissException;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.BatchVerifyResponse;
import dev.fsgen.proto.model.v1.CachedPrefix;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.DraftResponse;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.NextTokenResponse;
import io.grpc.Context;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One session on a model service, in the roles its model was opened for: the local sessions'
 * contract kept with one call per operation ({@link RemoteModel}).
 */
final class RemoteSession implements Scorer.Session, Proposer.Session, Verifier.Session {
  private static final Logger LOG = Logger.getLogger(RemoteSession.class.getName());
  /**
   * Waits for verifications answered later (drafting ahead): one thread per verification in
   * flight, which the orchestrator's limit on concurrent generations bounds.
   */
  private static final java.util.concurrent.ExecutorService LATER = java.util.concurrent.Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fsgen-verify-later");
    t.setDaemon(true);
    return t;
  });
  private final RemoteModel owner;
  private final ModelClient client;
  private final String model;
  private final DraftPolicy lengths;
  private final String session;
  private final HashedTokens tokens = new HashedTokens();
  /** Leading tokens of this sequence that the server's cache is known to hold. */
  private int held;

  RemoteSession(RemoteModel owner, String session, DraftPolicy lengths) {
    this.owner = owner;
    this.client = owner.client;
    this.model = owner.model;
    this.session = session;
    this.lengths = lengths;
  }

  /**
   * One call whose prefix is the tokens held plus {@code added}: sent as the tokens after the
   * start the server holds, and whole again if the server no longer holds that start.
   */
  private <T> T withPrefix(int[] added, PrefixedCall<T> rpc) {
    int start = Math.min(held, tokens.length());
    if (start > 0) {
      CachedPrefix cached = CachedPrefix.newBuilder().setTokens(start).setHash(tokens.hash(start)).build();
      try {
        return owner.call(() -> rpc.send(cached, tokens.from(start, added)));
      } catch (CacheMissException e) {
        held = 0;
        owner.cacheMisses++;
      }
    }
    return owner.call(() -> rpc.send(null, tokens.from(0, added)));
  }

  private void record(int[] added, int count) {
    tokens.append(added, count);
  }

  /** After a call: the server's cache holds every token this sequence has recorded. */
  private void served() {
    held = tokens.length();
  }

  /**
   * One NextToken call after {@code added} (the cached prefix as {@link #withPrefix} sends it),
   * {@code options} saying what the answer holds; the tokens are recorded as served.
   */
  private NextTokenResponse nextToken(int[] added, java.util.function.Consumer<NextTokenRequest.Builder> options) {
    NextTokenResponse r = withPrefix(added, (cached, sent) -> {
      NextTokenRequest.Builder b = NextTokenRequest.newBuilder().setSessionId(session).setModel(model);
      options.accept(b);
      if (cached != null) b.setCached(cached);
      addAll(sent, b::addPrefix);
      return client.nextToken(b.build());
    });
    record(added, added.length);
    served();
    return r;
  }

  @Override
  public float[] logits(int[] added) {
    NextTokenResponse r = nextToken(added, b -> b.setFullVocabulary(true));
    float[] logits = new float[r.getLogitsCount()];
    for (int i = 0; i < logits.length; i++) logits[i] = r.getLogits(i);
    return logits;
  }

  @Override
  public int argmax(int[] added) {
    NextTokenResponse r = nextToken(added, b -> { });
    return r.getArgmax();
  }

  /** One NextToken call with every_position: the server reports the argmax after each token it computed. */
  @Override
  public int[] argmaxAfterEach(int[] added) {
    int before = tokens.length();
    NextTokenResponse r = nextToken(added, b -> b.setEveryPosition(true));
    int[] out = new int[added.length];
    java.util.Arrays.fill(out, -1);
    // position_argmax[i] follows prefix token reused + i; output i follows prefix token before + i
    int reused = r.getReusedTokens();
    for (int i = 0; i < added.length; i++) {
      int k = before + i - reused;
      if (k >= 0 && k < r.getPositionArgmaxCount()) out[i] = r.getPositionArgmax(k);
    }
    return out;
  }

  @Override
  public float[] distribution(int[] added, SamplingParams params) {
    NextTokenResponse r = nextToken(added, b -> b.setSampling(Messages.sampling(params)).setFullVocabulary(true));
    float[] p = new float[r.getProbabilitiesCount()];
    for (int i = 0; i < p.length; i++) p[i] = r.getProbabilities(i);
    return p;
  }

  /** One BatchVerify call, on this thread. */
  private Verification verifyNow(int[] contextTokens, int[] draft, SamplingParams params, int topLogprobs) {
    BatchVerifyResponse r = withPrefix(contextTokens, (cached, sent) -> {
      BatchVerifyRequest.Builder b = BatchVerifyRequest.newBuilder().setSessionId(session).setModel(model)
          .setSampling(Messages.sampling(params));
      if (topLogprobs >= 0 && params.greedy()) b.setTopLogprobs(topLogprobs);
      if (cached != null) b.setCached(cached);
      addAll(sent, b::addPrefix);
      addAll(draft, b::addDraft);
      return client.verify(b.build());
    });
    record(contextTokens, contextTokens.length);
    record(draft, draft.length);
    served();
    float[][] distributions = null;
    if (r.getDistributionsCount() > 0) {
      distributions = new float[r.getDistributionsCount()][];
      for (int i = 0; i < distributions.length; i++) distributions[i] = Messages.floats(r.getDistributions(i));
    }
    PositionLogprobs[] logprobs = null;
    if (r.getLogprobsCount() > 0) {
      logprobs = new PositionLogprobs[r.getLogprobsCount()];
      for (int i = 0; i < logprobs.length; i++) logprobs[i] = Messages.positionLogprobs(r.getLogprobs(i));
    }
    return new Verification(Messages.ints(r.getArgmaxList()), distributions, logprobs);
  }

  /** The same call on another thread, in the generation's gRPC context (its deadline and cancellation). */
  @Override
  public java.util.concurrent.CompletableFuture<Verification> verify(int[] contextTokens, int[] draft, SamplingParams params,
      int topLogprobs) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> verifyNow(contextTokens, draft, params, topLogprobs),
        Context.current().fixedContextExecutor(LATER));
  }

  @Override
  public DraftPolicy lengths() {
    if (lengths == null) throw new IllegalStateException("this session was not opened for drafting");
    return lengths;
  }

  @Override
  public Draft draft(int[] added, int gamma, SamplingParams params, long seed, boolean withDistributions,
      boolean withProbabilities) {
    owner.drafted += gamma;
    DraftResponse r = withPrefix(added, (cached, sent) -> {
      DraftRequest.Builder b = DraftRequest.newBuilder().setSessionId(session).setModel(model).setGamma(gamma)
          .setSampling(Messages.sampling(params)).setSeed(seed)
          .setReturnDistributions(withDistributions).setSkipTokenProbabilities(!withProbabilities);
      if (cached != null) b.setCached(cached);
      addAll(sent, b::addPrefix);
      return client.draft(b.build());
    });
    int[] proposed = Messages.ints(r.getTokensList());
    if (proposed.length != gamma) {
      throw new IllegalStateException(client.role() + " drafted " + proposed.length + " tokens, " + gamma + " were asked for");
    }
    record(added, added.length);
    record(proposed, gamma - 1); // the server appended all but the last proposal, as the port does
    served();
    float[] probabilities = null;
    if (withProbabilities) {
      probabilities = new float[gamma];
      for (int i = 0; i < gamma; i++) probabilities[i] = r.getTokenProbabilities(i);
    }
    float[][] distributions = null;
    if (withDistributions) {
      distributions = new float[gamma][];
      for (int i = 0; i < gamma; i++) distributions[i] = Messages.floats(r.getDistributions(i));
    }
    // the server may have recomputed more than we gave it (a lost cache): report only what the
    // in-process port would have
    int previous = added.length >= 2 && r.hasPreviousGreedy() ? r.getPreviousGreedy() : -1;
    return new Draft(proposed, probabilities, Messages.ints(r.getGreedyList()), distributions, previous);
  }

  @Override
  public void rollback(int newLength) {
    tokens.truncate(newLength);
    held = Math.min(held, newLength);
  }

  @Override
  public int length() {
    return tokens.length();
  }

  @Override
  public void close() {
    // free the server's cache even when the generation was cancelled: outside the call's context
    Context.ROOT.run(() -> {
      try {
        client.endSession(session, model);
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "ending session " + session + " on " + client.role() + " failed (it will expire)", e);
      }
    });
  }

  /** Builds and sends one request from its prefix: the cached start (null = none) and the tokens after it. */
  private interface PrefixedCall<T> {
    T send(CachedPrefix cached, int[] tokens);
  }

  /** Adds the tokens of a prefix to a request's repeated field without boxing them. */
  private interface TokenSink {
    void add(int token);
  }

  private static void addAll(int[] tokens, TokenSink sink) {
    for (int t : tokens) sink.add(t);
  }
}
