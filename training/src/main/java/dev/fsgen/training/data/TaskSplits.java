package dev.fsgen.training.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The three splits of a generated task, in generation order within each.
 *
 * @param <T> one problem of the task
 */
public record TaskSplits<T>(List<T> train, List<T> val, List<T> test) {
  public TaskSplits {
    train = List.copyOf(train);
    val = List.copyOf(val);
    test = List.copyOf(test);
  }

  public List<T> get(Split split) {
    return switch (split) {
      case TRAIN -> train;
      case VAL -> val;
      case TEST -> test;
    };
  }

  /**
   * Draws the splits so that no problem (as {@code identity} tells them apart) occurs twice across
   * them: test first, then validation, then training, each from its own stream seeded by
   * {@code (seed, task/split)}, so the evaluation sets do not change when the training set is made
   * larger or smaller.
   */
  public static <T> TaskSplits<T> draw(long seed, String task, int trainCount, int valCount, int testCount,
      Function<SplittableRandom, T> next, Function<T, ?> identity) {
    if (trainCount < 0 || valCount < 0 || testCount < 0) throw new IllegalArgumentException("split sizes must be >= 0");
    Set<Object> used = new HashSet<>();
    List<T> test = draw(seed, task, Split.TEST, testCount, used, next, identity);
    List<T> val = draw(seed, task, Split.VAL, valCount, used, next, identity);
    List<T> train = draw(seed, task, Split.TRAIN, trainCount, used, next, identity);
    return new TaskSplits<>(train, val, test);
  }

  private static <T> List<T> draw(long seed, String task, Split split, int count, Set<Object> used, Function<SplittableRandom, T> next,
      Function<T, ?> identity) {
    SplittableRandom random = new SplittableRandom(SeededHash.of(seed, task + "/" + split.fileStem()));
    List<T> out = new ArrayList<>(count);
    long attempts = 0;
    while (out.size() < count) {
      // drawing every remaining problem is a coupon collector: about n·ln(n) draws, far below this
      if (++attempts > 100L * count + 1000) {
        throw new IllegalStateException("could not draw %d distinct %s problems for %s".formatted(count, task, split.fileStem()));
      }
      T p = next.apply(random);
      if (used.add(identity.apply(p))) out.add(p);
    }
    return out;
  }
}
