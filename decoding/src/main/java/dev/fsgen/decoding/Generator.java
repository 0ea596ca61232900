package dev.fsgen.decoding;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;

/** Single-model autoregressive generation: the baseline every collaborative strategy is measured against. */
public final class Generator {
  private Generator() {}

  /** Why a generation ended. */
  public enum Finish { LENGTH, EOS, CONTEXT }

  /**
   * @param maxTokens tokens to generate at most
   * @param eosIds the end-of-text tokens, the generation ends at the first of them; empty = never stop on one
   */
  public record Options(int maxTokens, SamplingParams sampling, long seed, Set<Integer> eosIds) {
    public Options {
      if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
      eosIds = DecodeRequest.checkedEosIds(eosIds);
    }
  }

  /** Receives each token as soon as it is chosen. */
  @FunctionalInterface
  public interface Listener {
    void onToken(int id);
  }

  public record Result(int[] tokens, Finish finish, long firstTokenNanos, long totalNanos) {
    public double tokensPerSecond() {
      return tokens.length / Math.max(1e-9, totalNanos / 1e9);
    }
  }

  public static Result generate(Scorer model, int[] prompt, Options options, Listener listener) {
    if (prompt.length == 0) throw new IllegalArgumentException("prompt must hold at least one token");
    if (prompt.length >= model.contextLength()) {
      throw new IllegalArgumentException("prompt of " + prompt.length + " tokens leaves no room in the context of "
          + model.contextLength());
    }
    SplittableRandom rng = new SplittableRandom(options.seed());
    int[] out = new int[options.maxTokens()];
    int n = 0;
    long start = System.nanoTime();
    long first = 0;
    Finish finish = Finish.LENGTH;
    SamplingParams sampling = options.sampling().withOutputStart(prompt.length);
    TokenCounts counts = TokenCounts.of(sampling, prompt, prompt.length); // null without penalties
    try (Scorer.Session seq = model.openScoring()) {
      float[] logits = seq.logits(prompt);
      while (true) {
        int next = Sampler.sample(TokenCounts.apply(counts, logits), sampling, rng);
        if (n == 0) first = System.nanoTime() - start;
        if (options.eosIds().contains(next)) {
          finish = Finish.EOS;
          break;
        }
        out[n++] = next;
        if (counts != null) counts.add(next);
        listener.onToken(next);
        if (n == options.maxTokens()) break;
        if (seq.length() + 1 >= model.contextLength()) {
          finish = Finish.CONTEXT;
          break;
        }
        logits = seq.logits(new int[] {next});
      }
    }
    return new Result(Arrays.copyOf(out, n), finish, first, System.nanoTime() - start);
  }
}
