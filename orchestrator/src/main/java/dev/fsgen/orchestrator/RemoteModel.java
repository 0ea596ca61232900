package dev.fsgen.orchestrator;

import dev.fsgen.decoding.DraftPolicy;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.decoding.Scorer;
import io.grpc.Context;
import java.util.function.Supplier;

/**
 * A model service behind the decoding ports, in the scoring role every service plays; {@link
 * RemoteSystem1} adds drafting and {@link RemoteSystem2} verification. Each session is a session on
 * the server: it keeps the tokens it has been given, and each call sends only those after the start
 * the server's cache is known to hold (named by its length and hash); on a cache miss (another
 * replica, an evicted cache) the call is sent again with the whole prefix, so the protocol stays
 * stateless. Each port operation is one call, two on a miss.
 */
class RemoteModel implements Scorer {
  final ModelClient client;
  private final int vocab;
  private final int context;
  private final String sessionPrefix;
  /** The hosted model's name on the service; empty = its default. */
  final String model;
  private final boolean system1;
  private int sessions;
  /** Calls made and draft tokens asked for, over all sessions: a degraded generation's summary counts them. */
  int calls;
  int drafted;
  /** Calls sent again with the whole prefix because the server no longer held its cached start. */
  int cacheMisses;

  /**
   * @param sessionPrefix the generation's session id; sessions add a suffix to it
   * @param model the hosted model's name on the service; empty = its default
   */
  RemoteModel(ModelClient client, int vocab, int context, String sessionPrefix, String model) {
    this.client = client;
    this.vocab = vocab;
    this.context = context;
    this.sessionPrefix = sessionPrefix;
    this.model = model;
    this.system1 = client.role().equals("System 1");
  }

  /** One call; when no replica could answer it, says which service is down. */
  <T> T call(Supplier<T> rpc) {
    calls++;
    try {
      return rpc.get();
    } catch (ModelUnavailableException e) {
      if (!Context.current().isCancelled()) throw new ServiceDownException(system1, e);
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
  public Scorer.Session openScoring() {
    return open(null);
  }

  /** A new server session, drafting by {@code lengths} where it drafts. */
  RemoteSession open(DraftPolicy lengths) {
    return new RemoteSession(this, sessions++ == 0 ? sessionPrefix : sessionPrefix + "." + sessions, lengths);
  }
}
