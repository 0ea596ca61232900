package dev.fsgen.orchestrator;

import dev.fsgen.decoding.Draft;
import dev.fsgen.decoding.LanguageModel;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.Verification;
import dev.fsgen.grpc.Messages;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.BatchVerifyResponse;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.DraftResponse;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.NextTokenResponse;
import io.grpc.Context;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A model service behind the decoding port. Each sequence is a session on the server: it keeps
 * the tokens it has been given and sends them whole with every call (the protocol is stateless);
 * the server reuses the cache of the longest prefix it holds. Each port operation is one call.
 */
final class RemoteLanguageModel implements LanguageModel {
  private static final Logger LOG = Logger.getLogger(RemoteLanguageModel.class.getName());
  private final ModelClient client;
  private final int vocab;
  private final int context;
  private final String sessionPrefix;
  private final String model;
  private final boolean system1;
  private int sequences;
  /** Calls made and draft tokens asked for, over all sequences: a degraded generation's summary counts them. */
  int calls;
  int drafted;

  /**
   * @param sessionPrefix the generation's session id; sequences add a suffix to it
   * @param model the hosted model's name on the service; empty = its default
   */
  RemoteLanguageModel(ModelClient client, int vocab, int context, String sessionPrefix, String model) {
    this.client = client;
    this.vocab = vocab;
    this.context = context;
    this.sessionPrefix = sessionPrefix;
    this.model = model;
    this.system1 = client.role().equals("System 1");
  }

  /** One call; when no replica could answer it, says which service is down. */
  private <T> T call(java.util.function.Supplier<T> rpc) {
    calls++;
    try {
      return rpc.get();
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE && !Context.current().isCancelled()) {
        throw new ServiceDownException(system1, e);
      }
      throw e;
    }
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public int contextLength() {
    return context;
  }

  @Override
  public Sequence newSequence() {
    return new RemoteSequence(sequences++ == 0 ? sessionPrefix : sessionPrefix + "." + sequences);
  }

  private final class RemoteSequence implements Sequence {
    private final String session;
    private int[] tokens = new int[64];
    private int length;

    RemoteSequence(String session) {
      this.session = session;
    }

    /** The tokens held plus {@code added}: the prefix the server is sent. */
    private Iterable<Integer> prefixWith(int[]... added) {
      int n = length;
      for (int[] a : added) n += a.length;
      int[] all = Arrays.copyOf(tokens, n);
      int at = length;
      for (int[] a : added) {
        System.arraycopy(a, 0, all, at, a.length);
        at += a.length;
      }
      return () -> Arrays.stream(all).iterator();
    }

    private void record(int[] added, int count) {
      if (length + count > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(2 * tokens.length, length + count));
      System.arraycopy(added, 0, tokens, length, count);
      length += count;
    }

    @Override
    public float[] append(int[] added) {
      NextTokenResponse r = call(() -> client.nextToken(NextTokenRequest.newBuilder().setSessionId(session).setModel(model)
          .addAllPrefix(prefixWith(added)).setFullVocabulary(true).build()));
      record(added, added.length);
      float[] logits = new float[r.getLogitsCount()];
      for (int i = 0; i < logits.length; i++) logits[i] = r.getLogits(i);
      return logits;
    }

    @Override
    public float[][] appendAll(int[] added) {
      throw new UnsupportedOperationException("scores at every position are not offered by the model protocol; use verify");
    }

    @Override
    public int nextArgmax(int[] added) {
      NextTokenResponse r = call(() -> client.nextToken(NextTokenRequest.newBuilder().setSessionId(session).setModel(model)
          .addAllPrefix(prefixWith(added)).build()));
      record(added, added.length);
      return r.getArgmax();
    }

    @Override
    public float[] nextDistribution(int[] added, SamplingParams params) {
      NextTokenResponse r = call(() -> client.nextToken(NextTokenRequest.newBuilder().setSessionId(session).setModel(model)
          .addAllPrefix(prefixWith(added)).setSampling(Messages.sampling(params)).setFullVocabulary(true).build()));
      record(added, added.length);
      float[] p = new float[r.getProbabilitiesCount()];
      for (int i = 0; i < p.length; i++) p[i] = r.getProbabilities(i);
      return p;
    }

    @Override
    public Verification verify(int[] contextTokens, int[] draft, SamplingParams params) {
      BatchVerifyRequest.Builder b = BatchVerifyRequest.newBuilder().setSessionId(session).setModel(model)
          .addAllPrefix(prefixWith(contextTokens)).setSampling(Messages.sampling(params));
      for (int t : draft) b.addDraft(t);
      BatchVerifyResponse r = call(() -> client.verify(b.build()));
      record(contextTokens, contextTokens.length);
      record(draft, draft.length);
      float[][] distributions = null;
      if (r.getDistributionsCount() > 0) {
        distributions = new float[r.getDistributionsCount()][];
        for (int i = 0; i < distributions.length; i++) distributions[i] = Messages.floats(r.getDistributions(i));
      }
      return new Verification(Messages.ints(r.getArgmaxList()), distributions);
    }

    @Override
    public Draft draft(int[] added, int gamma, SamplingParams params, long seed, boolean withDistributions,
        boolean withProbabilities) {
      drafted += gamma;
      DraftResponse r = call(() -> client.draft(DraftRequest.newBuilder().setSessionId(session).setModel(model)
          .addAllPrefix(prefixWith(added)).setGamma(gamma).setSampling(Messages.sampling(params)).setSeed(seed)
          .setReturnDistributions(withDistributions).setSkipTokenProbabilities(!withProbabilities).build()));
      int[] proposed = Messages.ints(r.getTokensList());
      if (proposed.length != gamma) {
        throw new IllegalStateException(client.role() + " drafted " + proposed.length + " tokens, " + gamma + " were asked for");
      }
      record(added, added.length);
      record(proposed, gamma - 1); // the server appended all but the last proposal, as the port does
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
      if (newLength < 0 || newLength > length) throw new IllegalArgumentException("rollback to " + newLength + " of " + length);
      length = newLength;
    }

    @Override
    public int length() {
      return length;
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
  }
}
