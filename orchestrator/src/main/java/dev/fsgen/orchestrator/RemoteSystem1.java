package dev.fsgen.orchestrator;

import dev.fsgen.decoding.DraftPolicy;
import dev.fsgen.decoding.Proposer;
import dev.fsgen.decoding.System1Model;

/** A System 1 service behind the ports: it scores, and drafts with one Draft call per draft. */
final class RemoteSystem1 extends RemoteModel implements System1Model {
  RemoteSystem1(ModelClient client, int vocab, int context, String sessionPrefix, String model) {
    super(client, vocab, context, sessionPrefix, model);
  }

  @Override
  public Proposer.Session openDrafting(DraftPolicy lengths) {
    if (lengths == null) throw new IllegalArgumentException("a draft-length policy must be given");
    return open(lengths);
  }
}
