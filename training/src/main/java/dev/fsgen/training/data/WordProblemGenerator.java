package dev.fsgen.training.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the word-problem task: a person starts with some items and then, in 2 to 4 events
 * (by default), buys more, gives some away, buys bags of several, doubles them or shares them out;
 * the question asks how many are left. The solution works through the events one line each, writing
 * every intermediate result ({@code "12 + 4 = 16"}), and ends with {@code "answer: N"}. Every
 * number stays within 0..999, so each result is a few tokens and the difficulty is in the chain.
 *
 * <p>Every question occurs at most once across all three splits. Test is drawn first, then
 * validation, then training, each from its own seeded stream, so the evaluation sets do not change
 * when the training set is made larger or smaller.
 */
public final class WordProblemGenerator {
  public static final int DEFAULT_MIN_EVENTS = 2;
  public static final int DEFAULT_MAX_EVENTS = 4;
  static final int MAX_VALUE = 999;

  private static final String[][] PEOPLE = {
      {"Anna", "she"}, {"Ben", "he"}, {"Clara", "she"}, {"David", "he"}, {"Emma", "she"}, {"Frank", "he"}, {"Grace", "she"},
      {"Henry", "he"}, {"Iris", "she"}, {"Jack", "he"}, {"Laura", "she"}, {"Mark", "he"}, {"Nora", "she"}, {"Paul", "he"},
      {"Rose", "she"}, {"Sam", "he"}};
  private static final String[] FRIENDS = {"a neighbour", "a friend", "a brother", "a sister", "the teacher", "a cousin"};
  private static final String[] ITEMS = {"apples", "books", "coins", "stamps", "marbles", "pencils", "cards", "shells", "eggs",
      "buttons", "cookies", "flowers"};
  private static final String[] CONTAINERS = {"bags", "boxes", "packs", "baskets"};

  private final long seed;
  private final int minEvents;
  private final int maxEvents;

  public WordProblemGenerator(long seed, int minEvents, int maxEvents) {
    if (minEvents < 1 || maxEvents < minEvents || maxEvents > 8) {
      throw new IllegalArgumentException("events per problem must satisfy 1 <= min <= max <= 8, got " + minEvents + ".." + maxEvents);
    }
    this.seed = seed;
    this.minEvents = minEvents;
    this.maxEvents = maxEvents;
  }

  public WordProblemGenerator(long seed) {
    this(seed, DEFAULT_MIN_EVENTS, DEFAULT_MAX_EVENTS);
  }

  public TaskSplits<WordProblem> generate(int trainCount, int valCount, int testCount) {
    return TaskSplits.draw(seed, "words", trainCount, valCount, testCount, this::next, WordProblem::question);
  }

  /** One problem from the distribution described above. */
  public WordProblem next(SplittableRandom random) {
    String[] person = PEOPLE[random.nextInt(PEOPLE.length)];
    String name = person[0], pronoun = person[1];
    String items = ITEMS[random.nextInt(ITEMS.length)];
    long total = 2 + random.nextInt(29);
    StringBuilder q = new StringBuilder(name + " has " + total + " " + items + ".");
    List<String> steps = new ArrayList<>();
    int events = minEvents + random.nextInt(maxEvents - minEvents + 1);
    for (int e = 0; e < events; e++) {
      String who = e == 0 ? capital(pronoun) : "Then " + pronoun;
      total = event(random, total, who, name, items, q, steps);
    }
    q.append(" How many ").append(items).append(" does ").append(name).append(" have now?");
    return new WordProblem(q.toString(), steps, total);
  }

  /** Appends one event to the question and its worked step(s); returns the new total. */
  private static long event(SplittableRandom r, long t, String who, String name, String items, StringBuilder q, List<String> steps) {
    while (true) {
      switch (r.nextInt(5)) {
        case 0 -> { // buys more
          if (t >= MAX_VALUE - 1) continue;
          long n = 1 + r.nextLong(Math.min(40, MAX_VALUE - t));
          q.append(' ').append(who).append(" buys ").append(n).append(" more.");
          steps.add(name + " buys " + n + " more: " + t + " + " + n + " = " + (t + n) + ".");
          return t + n;
        }
        case 1 -> { // gives some away
          if (t < 2) continue;
          long n = 1 + r.nextLong(Math.min(t - 1, 40));
          String friend = FRIENDS[r.nextInt(FRIENDS.length)];
          q.append(' ').append(who).append(" gives ").append(n).append(" to ").append(friend).append('.');
          steps.add(name + " gives away " + n + ": " + t + " - " + n + " = " + (t - n) + ".");
          return t - n;
        }
        case 2 -> { // buys containers of several: two steps
          long a = 2 + r.nextInt(8), b = 2 + r.nextInt(11);
          if (t + a * b > MAX_VALUE) continue;
          String box = CONTAINERS[r.nextInt(CONTAINERS.length)];
          q.append(' ').append(who).append(" buys ").append(a).append(' ').append(box).append(" with ").append(b)
              .append(' ').append(items).append(" in each.");
          steps.add(a + " " + box + " of " + b + " hold " + a + " * " + b + " = " + a * b + ".");
          steps.add(name + " now has " + t + " + " + a * b + " = " + (t + a * b) + ".");
          return t + a * b;
        }
        case 3 -> { // doubles them
          if (t * 2 > MAX_VALUE) continue;
          q.append(' ').append(who).append(" doubles them.");
          steps.add("Doubling gives " + t + " * 2 = " + t * 2 + ".");
          return t * 2;
        }
        default -> { // shares equally, keeps one share
          List<Integer> ways = new ArrayList<>();
          for (int k = 2; k <= 5; k++) if (t % k == 0 && t >= 2L * k) ways.add(k);
          if (ways.isEmpty()) continue;
          int k = ways.get(r.nextInt(ways.size()));
          q.append(' ').append(who).append(" shares them equally among ").append(k).append(" people, ").append(name)
              .append(" included, and keeps one share.");
          steps.add("One of " + k + " equal shares is " + t + " / " + k + " = " + t / k + ".");
          return t / k;
        }
      }
    }
  }

  private static String capital(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
