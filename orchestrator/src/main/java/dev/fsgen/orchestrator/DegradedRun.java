package dev.fsgen.orchestrator;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.Finish;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.Producer;
import dev.fsgen.decoding.SingleModel;
import java.util.Arrays;

/**
 * What happens when one model service goes down in the middle of a generation: the tokens already
 * streamed stand, and the service still up produces the rest alone, each token marked degraded.
 *
 * <ul>
 *   <li>System 1 down: System 2 alone continues. Nothing is lost but speed: System 2's own output is
 *       what speculative decoding produces anyway (greedy: token for token).
 *   <li>System 2 down: System 1 alone continues only if the request allows it
 *       ({@code allow_degraded}); otherwise UNAVAILABLE, saying what is down.
 * </ul>
 */
final class DegradedRun {
  /** How the generation went on, for its summary. */
  record Continuation(Finish finish, String note) {}

  private DegradedRun() {}

  /**
   * @param done the tokens already decided and streamed
   * @param sink the same sink, so the stream goes on where it stopped
   */
  static Continuation continueAfter(ServiceDownException down, Plan plan, boolean allowDegraded, ModelPair models, int[] done,
      OrchestratorService.StreamSink sink) {
    SingleModel.Role survivor;
    if (down.system1()) {
      if (plan.strategy() instanceof SingleModel s && s.role() == SingleModel.Role.SYSTEM1) throw down; // it asked for System 1 only
      survivor = SingleModel.Role.SYSTEM2;
    } else {
      if (!allowDegraded) {
        throw new ModelUnavailableException(down.getMessage() + "; set allow_degraded to go on with System 1 alone", down);
      }
      if (plan.strategy() instanceof SingleModel s && s.role() == SingleModel.Role.SYSTEM1) throw down; // System 1 was never asked
      survivor = SingleModel.Role.SYSTEM1;
    }
    String note = (down.system1() ? "System 1" : "System 2") + " went down after " + done.length + " tokens; "
        + (survivor == SingleModel.Role.SYSTEM2 ? "System 2" : "System 1") + " alone produced the rest ("
        + down.getCause().getMessage() + ")";
    DecodeRequest asked = plan.request();
    int remaining = asked.maxTokens() - done.length;
    if (remaining <= 0) return new Continuation(Finish.LENGTH, note);
    sink.degraded = true;
    int[] prompt = Arrays.copyOf(plan.prompt(), plan.prompt().length + done.length);
    System.arraycopy(done, 0, prompt, plan.prompt().length, done.length);
    // a fresh seed stream: sampled output keeps its distribution, greedy output is unchanged
    DecodeRequest rest = new DecodeRequest(remaining, asked.sampling(), asked.seed() + done.length, asked.eosId());
    Outcome o = new SingleModel(survivor).run(models, prompt, rest, sink);
    return new Continuation(o.finish(), note);
  }

  /** Tokens accepted from System 1's drafts, from the producers streamed. */
  static int accepted(Producer[] producers) {
    int n = 0;
    for (Producer p : producers) if (p == Producer.SYSTEM1_ACCEPTED) n++;
    return n;
  }
}
