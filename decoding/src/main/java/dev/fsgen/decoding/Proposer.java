package dev.fsgen.decoding;

/**
 * System 1's role in speculative decoding: it proposes drafts, and it owns how long they are, as a
 * draft-length policy fed with each round's result (as Hugging Face's candidate generator owns
 * {@code update_candidate_strategy}).
 */
public interface Proposer extends TokenModel {
  /** A new, empty session whose drafts follow {@code lengths}. Close it to free its cache. */
  Session openDrafting(DraftPolicy lengths);

  /** One generation's drafts. */
  interface Session extends ModelSession {
    /** The draft-length policy: ask it for each round's length and tell it how the round went. */
    DraftPolicy lengths();

    /**
     * Appends {@code added} (at least one token) and proposes {@code gamma} tokens after them,
     * greedy or sampled, the proposal at sequence position n with randomness keyed by {@code seed}
     * and n ({@link PositionRandom}). The first gamma - 1 proposals are appended (the last one needs
     * no scores yet), so a caller that keeps all of them need only send the last one again.
     *
     * @param withDistributions return the full distribution at each position (lossless sampling)
     * @param withProbabilities return each proposed token's probability (a greedy draft that does
     *     not report them skips a softmax over the vocabulary per token)
     */
    Draft draft(int[] added, int gamma, SamplingParams params, long seed, boolean withDistributions,
        boolean withProbabilities);

    /** System 1's greedy choice after {@code added}, which is appended: a one-token greedy draft. */
    default int choice(int[] added) {
      return draft(added, 1, SamplingParams.GREEDY, 0, false, false).greedy()[0];
    }
  }
}
