package dev.fsgen.study;

import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * Area under the ROC curve of a score for telling positives from negatives: the probability that a
 * random positive scores higher than a random negative, ties counting one half. Computed from ranks
 * (the Mann–Whitney U of the positives divided by n₊·n₋), with tied scores given their average rank.
 */
public final class Auroc {
  private Auroc() {}

  /** NaN when either class is empty. */
  public static double of(double[] positives, double[] negatives) {
    int p = positives.length;
    int n = negatives.length;
    if (p == 0 || n == 0) return Double.NaN;
    double[] all = new double[p + n];
    System.arraycopy(positives, 0, all, 0, p);
    System.arraycopy(negatives, 0, all, p, n);
    double[] ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(all);
    double rankSum = 0;
    for (int i = 0; i < p; i++) rankSum += ranks[i];
    double u = rankSum - (double) p * (p + 1) / 2;
    return u / ((double) p * n);
  }
}
