package dev.fsgen.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.descriptive.rank.Percentile.EstimationType;

/**
 * Prompt-clustered bootstrap 95% intervals. The tokens of one prompt are not independent (a prompt
 * System 1 finds hard makes all its tokens likelier to need System 2), so resampling tokens would
 * understate the uncertainty of a figure measured on a few dozen prompts; this resamples whole
 * prompts (or problems) with replacement, recomputes the statistic on each resample, and takes the
 * 2.5th and 97.5th percentiles of the results. Seeded: the same input and seed give the same
 * interval, whatever else was computed before.
 */
public final class Bootstrap {
  /** Fewer resamples leave too few values beyond the 2.5th and 97.5th percentiles to place them. */
  public static final int MIN_RESAMPLES = 200;
  public static final int DEFAULT_RESAMPLES = 2_000;
  private static final double LOWER_PERCENT = 2.5;
  private static final double UPPER_PERCENT = 97.5;
  /**
   * Resamples on which the statistic may be undefined. An interval over the rest describes a
   * different population (an AUROC whose positives sit in one prompt is undefined on the 37% of
   * resamples that leave that prompt out), so more than this share is refused.
   */
  private static final double MAX_UNDEFINED_SHARE = 0.1;

  private final long seed;
  private final int resamples;

  /**
   * An interval around a statistic.
   *
   * @param estimate the statistic on the data as measured
   * @param low the 2.5th percentile of the resampled statistics
   * @param high the 97.5th percentile
   * @param resamples resamples on which the statistic was defined (an AUROC needs both classes)
   */
  public record Interval(double estimate, double low, double high, int resamples) {
    public boolean covers(double value) {
      return low <= value && value <= high;
    }

    public double width() {
      return high - low;
    }
  }

  public Bootstrap(long seed, int resamples) {
    if (resamples < MIN_RESAMPLES) {
      throw new IllegalArgumentException("bootstrap resamples must be at least " + MIN_RESAMPLES + " for a 95% interval, got " + resamples);
    }
    this.seed = seed;
    this.resamples = resamples;
  }

  public Bootstrap(long seed) {
    this(seed, DEFAULT_RESAMPLES);
  }

  /**
   * The interval of any statistic of clusters.
   *
   * @param clusters one element a prompt (or problem): everything measured on it
   * @param statistic the figure computed from a list of clusters (a resample repeats some and
   *     leaves others out); NaN where it is undefined on that resample
   * @throws IllegalArgumentException with fewer than two clusters, when the statistic is undefined on
   *     the data itself, or when it is undefined on more than a tenth of the resamples
   */
  public <T> Interval of(List<T> clusters, ToDoubleFunction<List<T>> statistic) {
    int n = requirePrompts(clusters.size());
    List<T> resample = new ArrayList<>(n);
    return resampled(n, statistic.applyAsDouble(clusters), random -> {
      resample.clear();
      for (int i = 0; i < n; i++) resample.add(clusters.get(random.nextInt(n)));
      return statistic.applyAsDouble(resample);
    });
  }

  /**
   * As {@link #of}, for a statistic that takes each prompt's weight (how often a resample drew it)
   * instead of a list that repeats prompts: the same seed draws the same resamples, so the interval is
   * the same, but a statistic precomputed over the prompts (sorted scores) need not be rebuilt.
   *
   * @param prompts how many prompts there are
   * @param statistic the figure from {@code weights[prompt]}; all ones is the data as measured
   */
  public Interval weighted(int prompts, ToDoubleFunction<int[]> statistic) {
    requirePrompts(prompts);
    int[] weights = new int[prompts];
    Arrays.fill(weights, 1);
    return resampled(prompts, statistic.applyAsDouble(weights), random -> {
      Arrays.fill(weights, 0);
      for (int i = 0; i < prompts; i++) weights[random.nextInt(prompts)]++;
      return statistic.applyAsDouble(weights);
    });
  }

  private static int requirePrompts(int prompts) {
    if (prompts < 2) throw new IllegalArgumentException("a bootstrap needs at least 2 prompts to resample, got " + prompts);
    return prompts;
  }

  /**
   * The interval around {@code estimate}: {@code resample} draws one resample from the seeded stream
   * and returns the statistic on it (NaN where undefined); the bounds are the percentiles of the
   * defined values, unless too few are defined.
   */
  private Interval resampled(int prompts, double estimate, ToDoubleFunction<SplittableRandom> resample) {
    if (!Double.isFinite(estimate)) throw new IllegalArgumentException("the statistic is undefined on the data itself (" + estimate + ")");
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[resamples];
    for (int r = 0; r < resamples; r++) values[r] = resample.applyAsDouble(random);
    double[] kept = Arrays.stream(values).filter(Double::isFinite).toArray();
    int undefined = values.length - kept.length;
    if (undefined > MAX_UNDEFINED_SHARE * values.length) {
      throw new IllegalArgumentException("the statistic is undefined on %d of %d resamples of %d prompts: too few prompts hold what it needs"
          .formatted(undefined, values.length, prompts));
    }
    // R's default quantile (type 7), so the bounds match what a reader recomputes in R or NumPy
    Percentile percentile = new Percentile().withEstimationType(EstimationType.R_7);
    percentile.setData(kept);
    return new Interval(estimate, percentile.evaluate(LOWER_PERCENT), percentile.evaluate(UPPER_PERCENT), kept.length);
  }

  /**
   * A ratio of sums over prompts: collaboration frequency (differing tokens over scored tokens per
   * prompt) or accuracy (1 or 0 correct over 1 per problem).
   *
   * @throws IllegalArgumentException when the arrays differ in length, a count is negative, or no
   *     prompt has a denominator above 0
   */
  public Interval ratio(long[] numerators, long[] denominators) {
    if (numerators.length != denominators.length) {
      throw new IllegalArgumentException("numerators and denominators differ in length: %d and %d".formatted(numerators.length, denominators.length));
    }
    List<long[]> clusters = new ArrayList<>(numerators.length);
    for (int i = 0; i < numerators.length; i++) {
      if (numerators[i] < 0 || denominators[i] < 0) {
        throw new IllegalArgumentException("prompt %d has a negative count: %d / %d".formatted(i, numerators[i], denominators[i]));
      }
      clusters.add(new long[] {numerators[i], denominators[i]});
    }
    if (Arrays.stream(denominators).sum() == 0) throw new IllegalArgumentException("no prompt has a denominator above 0 (nothing was scored)");
    return of(clusters, Bootstrap::ratioOfSums);
  }

  /**
   * The AUROC of a score for telling positive tokens from negative ones, prompts resampled whole.
   *
   * @param positives per prompt, the scores of its positive tokens (e.g. those System 2 changed)
   * @param negatives per prompt, the scores of its negative tokens; the same prompts in the same order
   * @throws IllegalArgumentException when the lists differ in length or either class is empty overall
   */
  public Interval auroc(List<double[]> positives, List<double[]> negatives) {
    Auroc.Ranked ranked = Auroc.Ranked.of(positives, negatives); // refuses prompt lists of different lengths
    if (positives.stream().mapToInt(p -> p.length).sum() == 0 || negatives.stream().mapToInt(p -> p.length).sum() == 0) {
      throw new IllegalArgumentException("an AUROC needs positive and negative tokens; one class is empty");
    }
    return weighted(ranked.prompts(), ranked::weighted);
  }

  private static double ratioOfSums(List<long[]> clusters) {
    long num = 0;
    long den = 0;
    for (long[] c : clusters) {
      num += c[0];
      den += c[1];
    }
    return den == 0 ? Double.NaN : (double) num / den;
  }
}
