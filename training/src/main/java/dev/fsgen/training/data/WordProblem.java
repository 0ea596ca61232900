package dev.fsgen.training.data;

import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One problem of the word-problem task, the GSM8K-like one: a short story with several operations,
 * answered by worked steps (each step one line {@code "... a op b = c."} with its intermediate result
 * written out) and a final line {@code "answer: N"}.
 *
 * <p>A model is given {@link #prompt()} and must continue with {@link #solution()}. It is scored on
 * the final answer only, as GSM8K is: a completion is right when its first line starting with
 * {@code "answer:"} reads exactly {@code "answer: N"}, whatever its steps say.
 *
 * @param question the story and its question, one line
 * @param steps the worked steps, one line each, in order
 * @param answer the final result
 */
public record WordProblem(String question, List<String> steps, long answer) implements ExactAnswer {
  private static final Pattern ANSWER_LINE = Pattern.compile("^answer: (0|-?[1-9]\\d{0,17})$");
  /** A worked step's arithmetic, e.g. {@code "3 * 4 = 12"} anywhere in the line. */
  static final Pattern STEP = Pattern.compile("(\\d+) ([-+*/]) (\\d+) = (\\d+)");

  public WordProblem {
    if (question.isBlank() || question.contains("\n")) throw new IllegalArgumentException("the question must be one non-blank line");
    steps = List.copyOf(steps);
    if (steps.isEmpty()) throw new IllegalArgumentException("a word problem has at least one worked step");
    for (String s : steps) {
      if (s.contains("\n") || !STEP.matcher(s).find()) throw new IllegalArgumentException("a step is one line with its arithmetic: '" + s + "'");
    }
  }

  /** {@code "Question: ...\nAnswer:"}: what the model is given. */
  public String prompt() {
    return "Question: " + question + "\nAnswer:";
  }

  /** The worked steps and the final line, each on its own line: what the model must produce. */
  public String solution() {
    return "\n" + String.join("\n", steps) + "\n" + finalLine();
  }

  /** {@code "answer: N"}. */
  public String finalLine() {
    return "answer: " + answer;
  }

  /** The problem as one block of the data files (prompt and solution, without a trailing newline). */
  public String text() {
    return prompt() + solution();
  }

  /** {@link #text()} line by line: how a problem is written in the data files, a blank line after each. */
  public List<String> lines() {
    return List.of(text().split("\n", -1));
  }

  /**
   * Reads back the {@link #lines()} of one problem, its steps checked.
   *
   * @throws IllegalArgumentException saying which line is not in the form
   */
  public static WordProblem parse(List<String> lines) {
    int n = lines.size();
    if (n < 4 || !lines.get(0).startsWith("Question: ") || !lines.get(1).equals("Answer:")) {
      throw new IllegalArgumentException("a word problem starts with 'Question: ...' and 'Answer:' lines, then its steps and 'answer: N'"
          + (n > 0 ? "; got '" + lines.get(0) + "'" : "; got nothing"));
    }
    Matcher last = ANSWER_LINE.matcher(lines.get(n - 1));
    if (!last.matches()) throw new IllegalArgumentException("a word problem ends with 'answer: N', got '" + lines.get(n - 1) + "'");
    List<String> steps = lines.subList(2, n - 1);
    if (!stepsAreRight(steps)) throw new IllegalArgumentException("a worked step is wrong in " + steps);
    return new WordProblem(lines.get(0).substring("Question: ".length()), steps, Long.parseLong(last.group(1)));
  }

  /** True when the completion's first {@code answer:} line is exactly {@link #finalLine()}. */
  @Override
  public boolean isExactMatch(String completion) {
    OptionalLong got = parseAnswer(completion);
    return got.isPresent() && got.getAsLong() == answer;
  }

  /** True when the completion has a well-formed {@code answer:} line, right or wrong. */
  @Override
  public boolean isWellFormed(String completion) {
    return parseAnswer(completion).isPresent();
  }

  /**
   * The number a completion answers with: its first line that starts with {@code "answer:"}, if that
   * line is well formed (a number without leading zeros). Empty when there is no such line or it is
   * malformed, which the scorer counts apart from wrong answers.
   */
  public static OptionalLong parseAnswer(String completion) {
    for (String line : completion.split("\n", -1)) {
      if (!line.startsWith("answer:")) continue;
      Matcher m = ANSWER_LINE.matcher(line);
      return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** Whether every step's arithmetic is right (a check of the generator, and of a model's work). */
  public static boolean stepsAreRight(List<String> steps) {
    for (String s : steps) {
      Matcher m = STEP.matcher(s);
      if (!m.find()) return false;
      long a = Long.parseLong(m.group(1)), b = Long.parseLong(m.group(3)), c = Long.parseLong(m.group(4));
      long want = switch (m.group(2).charAt(0)) {
        case '+' -> a + b;
        case '-' -> a - b;
        case '*' -> a * b;
        default -> b != 0 && a % b == 0 ? a / b : -1;
      };
      if (want != c) return false;
    }
    return true;
  }
}
