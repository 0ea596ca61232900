package dev.fsgen.runtime.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates the arithmetic task: each operand has 1 to {@code maxDigits} digits (the digit count is
 * drawn first, so short and long numbers are equally common), the operator is {@code +} or
 * {@code -} with equal chance, and subtraction puts the larger operand first.
 *
 * <p>Every problem (a, op, b) occurs at most once across all three splits. Test is drawn first, then
 * validation, then training, each from its own seeded stream, so the evaluation sets do not change
 * when the training set is made larger or smaller.
 */
public final class ArithmeticGenerator {
  public static final int DEFAULT_MAX_DIGITS = 4;

  /** The three splits, in generation order within each. */
  public record ArithmeticSplits(List<ArithmeticProblem> train, List<ArithmeticProblem> val, List<ArithmeticProblem> test) {
    public ArithmeticSplits {
      train = List.copyOf(train);
      val = List.copyOf(val);
      test = List.copyOf(test);
    }

    public List<ArithmeticProblem> get(Split split) {
      return switch (split) {
        case TRAIN -> train;
        case VAL -> val;
        case TEST -> test;
      };
    }
  }

  private final long seed;
  private final int maxDigits;

  public ArithmeticGenerator(long seed, int maxDigits) {
    if (maxDigits < 1 || maxDigits > 15) throw new IllegalArgumentException("maxDigits must be 1..15, got " + maxDigits);
    this.seed = seed;
    this.maxDigits = maxDigits;
  }

  public ArithmeticGenerator(long seed) {
    this(seed, DEFAULT_MAX_DIGITS);
  }

  public ArithmeticSplits generate(int trainCount, int valCount, int testCount) {
    if (trainCount < 0 || valCount < 0 || testCount < 0) throw new IllegalArgumentException("split sizes must be >= 0");
    double space = 2 * Math.pow(10, 2.0 * maxDigits);
    if (trainCount + valCount + testCount > space / 4) {
      throw new IllegalArgumentException(
          "%d problems asked for but %d-digit operands give only about %.0f distinct ones".formatted(
              trainCount + valCount + testCount, maxDigits, space));
    }
    Set<ArithmeticProblem> used = new HashSet<>();
    List<ArithmeticProblem> test = draw(Split.TEST, testCount, used);
    List<ArithmeticProblem> val = draw(Split.VAL, valCount, used);
    List<ArithmeticProblem> train = draw(Split.TRAIN, trainCount, used);
    return new ArithmeticSplits(train, val, test);
  }

  private List<ArithmeticProblem> draw(Split split, int count, Set<ArithmeticProblem> used) {
    SplittableRandom random = new SplittableRandom(SeededHash.of(seed, "arith/" + split.fileStem()));
    List<ArithmeticProblem> out = new ArrayList<>(count);
    long attempts = 0;
    while (out.size() < count) {
      if (++attempts > 100L * count + 1000) {
        throw new IllegalStateException("could not draw %d distinct problems for %s".formatted(count, split.fileStem()));
      }
      ArithmeticProblem p = next(random);
      if (used.add(p)) out.add(p);
    }
    return out;
  }

  /** One problem from the distribution described above. */
  public ArithmeticProblem next(SplittableRandom random) {
    long a = operand(random);
    long b = operand(random);
    char op = random.nextBoolean() ? '+' : '-';
    if (op == '-' && a < b) {
      long t = a;
      a = b;
      b = t;
    }
    return new ArithmeticProblem(a, op, b);
  }

  private long operand(SplittableRandom random) {
    int digits = 1 + random.nextInt(maxDigits);
    long low = digits == 1 ? 0 : pow10(digits - 1);
    return low + random.nextLong(pow10(digits) - low);
  }

  private static long pow10(int n) {
    long v = 1;
    for (int i = 0; i < n; i++) v *= 10;
    return v;
  }
}
