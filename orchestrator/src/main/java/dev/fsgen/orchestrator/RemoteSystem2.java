package dev.fsgen.orchestrator;

import dev.fsgen.decoding.System2Model;
import dev.fsgen.decoding.Verifier;

/** A System 2 service behind the ports: it scores, and verifies a draft with one BatchVerify call. */
final class RemoteSystem2 extends RemoteModel implements System2Model {
  RemoteSystem2(ModelClient client, int vocab, int context, String sessionPrefix, String model) {
    super(client, vocab, context, sessionPrefix, model);
  }

  @Override
  public Verifier.Session openVerifying() {
    return open(null);
  }
}
