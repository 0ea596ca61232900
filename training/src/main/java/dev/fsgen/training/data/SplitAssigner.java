package dev.fsgen.training.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns ids to train/val/test by a seeded hash: the ids are ordered by {@code hash(seed, id)},
 * the first share goes to validation, the next to test, the rest to training. The result depends
 * only on the seed and the set of ids (not on their order or on the JVM), and the shares are exact
 * rather than approximate.
 */
public final class SplitAssigner {
  private final long seed;
  private final double valShare;
  private final double testShare;

  public SplitAssigner(long seed, double valShare, double testShare) {
    if (valShare < 0 || testShare < 0 || valShare + testShare >= 1) {
      throw new IllegalArgumentException(
          "validation and test shares must be >= 0 and leave room for training, got %s and %s".formatted(valShare, testShare));
    }
    this.seed = seed;
    this.valShare = valShare;
    this.testShare = testShare;
  }

  /**
   * Splits one group. With {@code atLeastOne}, a group of three or more ids puts at least one id in
   * validation and one in test (used per Brown genre so that every genre is evaluated).
   *
   * @return id to split, in the order the ids were given
   */
  public Map<String, Split> assign(Collection<String> ids, boolean atLeastOne) {
    if (new HashSet<>(ids).size() != ids.size()) throw new IllegalArgumentException("ids must be distinct");
    List<String> ordered = new ArrayList<>(ids);
    ordered.sort(Comparator.comparingLong((String id) -> SeededHash.of(seed, id)).thenComparing(Comparator.naturalOrder()));
    int n = ordered.size();
    int val = (int) Math.round(n * valShare);
    int test = (int) Math.round(n * testShare);
    if (atLeastOne && n >= 3) {
      val = Math.max(val, valShare > 0 ? 1 : 0);
      test = Math.max(test, testShare > 0 ? 1 : 0);
    }
    Map<String, Split> bySplit = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      bySplit.put(ordered.get(i), i < val ? Split.VAL : i < val + test ? Split.TEST : Split.TRAIN);
    }
    Map<String, Split> inGivenOrder = new LinkedHashMap<>();
    for (String id : ids) inGivenOrder.put(id, bySplit.get(id));
    return inGivenOrder;
  }

  /** Splits each group on its own (stratification) and merges the result. */
  public Map<String, Split> assignStratified(Map<String, ? extends Collection<String>> groups) {
    Map<String, Split> all = new LinkedHashMap<>();
    for (Collection<String> group : groups.values()) all.putAll(assign(group, true));
    return all;
  }
}
