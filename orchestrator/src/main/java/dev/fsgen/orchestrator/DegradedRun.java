package dev.fsgen.orchestrator;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.Finish;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.Producer;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.Speculative;
import dev.fsgen.decoding.Strategy;
import java.util.Arrays;

/**
 * What happens when one model service goes down in the middle of a generation: the tokens already
 * streamed stand, and the service still up may produce the rest alone, each token marked degraded.
 * It does so on its own only where that loses nothing but speed (a lossless fallback: the very
 * tokens the requested strategy gives); where the rest would be another algorithm's answer, only if
 * the request allows it ({@code allow_degraded}), and otherwise the call fails UNAVAILABLE saying
 * what is down and what the fallback would change.
 *
 * <ul>
 *   <li>Lossless: greedy speculative decoding with System 1 down. Its output is System 2's greedy
 *       output token for token, so System 2 alone finishes it.
 *   <li>With {@code allow_degraded} only: every other strategy that needs the service that is down.
 *       System 1 down: sampled speculative decoding (System 2 alone keeps the distribution but not
 *       the seed's tokens), contrastive decoding and proxy tuning (another score), gated handoff
 *       (other producers and tokens), the oracle (System 1's choices are what it measures).
 *       System 2 down: every strategy but System 1 alone; System 1 alone finishes.
 *   <li>Never: a baseline that names one model (system1_only, system2_only) is not answered by the
 *       other model.
 * </ul>
 */
final class DegradedRun {
  /** How the generation went on, for its summary. */
  record Continuation(Finish finish, String note) {}

  private DegradedRun() {}

  /**
   * Whether finishing {@code strategy} with the other model alone gives the very tokens the strategy
   * would have given.
   */
  static boolean lossless(Strategy strategy, DecodeRequest request, boolean system1Down) {
    return system1Down && strategy instanceof Speculative && request.sampling().greedy();
  }

  /**
   * @param done the tokens already decided and streamed
   * @param sink the same sink, so the stream goes on where it stopped
   */
  static Continuation continueAfter(ServiceDownException down, Plan plan, boolean allowDegraded, ModelPair models, int[] done,
      OrchestratorService.StreamSink sink) {
    // a baseline names its model: the other one never answers for it
    if (plan.strategy() instanceof SingleModel) throw down;
    SingleModel.Role survivor = down.system1() ? SingleModel.Role.SYSTEM2 : SingleModel.Role.SYSTEM1;
    String alone = down.system1() ? "System 2" : "System 1";
    if (!allowDegraded && !lossless(plan.strategy(), plan.request(), down.system1())) {
      throw new ModelUnavailableException(down.getMessage() + "; " + plan.strategy().name() + " cannot go on without it and "
          + alone + " alone would give other tokens" + (down.system1() && plan.strategy() instanceof Speculative
              ? " (sampled: the same distribution, not the seed's tokens)" : "")
          + ": set allow_degraded to accept " + alone + " alone's output", down);
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
    DecodeRequest rest = new DecodeRequest(remaining, asked.sampling(), asked.seed() + done.length, asked.eosIds());
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
