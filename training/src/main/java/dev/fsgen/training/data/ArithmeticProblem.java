package dev.fsgen.training.data;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One problem of the arithmetic task, in the fixed text form {@code A + B = C} or {@code A - B = C}.
 *
 * <p>A model is given {@link #prompt()} (everything up to and including {@code =}) and must continue
 * with {@link #answer()}: a space and the result. A completion is right when its first line is
 * exactly the answer, so {@code " 46"}, {@code " 46\n3 + 4 = 7"} and {@code " 46"} followed by the
 * end-of-text token are right, while {@code " 46 "}, {@code "46"} and {@code " 046"} are not.
 *
 * @param a the first operand, {@code >= 0}
 * @param op {@code '+'} or {@code '-'}
 * @param b the second operand, {@code >= 0}, at most {@code a} for subtraction
 */
public record ArithmeticProblem(long a, char op, long b) implements ExactAnswer {
  private static final Pattern LINE = Pattern.compile("^(\\d+) ([+-]) (\\d+) =(?: (\\d+))?$");
  private static final Pattern ANSWER = Pattern.compile("^ (0|[1-9]\\d*)$");
  // results stay exact in a long and operands parse back as written
  private static final long MAX_OPERAND = 999_999_999_999_999L;

  public ArithmeticProblem {
    if (a < 0 || b < 0) throw new IllegalArgumentException("operands must be >= 0, got " + a + " and " + b);
    if (a > MAX_OPERAND || b > MAX_OPERAND) throw new IllegalArgumentException("operands must have at most 15 digits");
    if (op != '+' && op != '-') throw new IllegalArgumentException("operator must be '+' or '-', got '" + op + "'");
    if (op == '-' && a < b) throw new IllegalArgumentException("subtraction needs a >= b so the result is >= 0, got " + a + " - " + b);
  }

  public long result() {
    return op == '+' ? a + b : a - b;
  }

  /** {@code "A + B ="}: what the model is given. */
  public String prompt() {
    return a + " " + op + " " + b + " =";
  }

  /** {@code " C"}: what the model must produce, leading space included. */
  public String answer() {
    return " " + result();
  }

  /** {@code "A + B = C"}: one line of the data files (without the newline). */
  public String line() {
    return prompt() + answer();
  }

  /**
   * The token that ends an answer: the newline, when the tokenizer makes it one token, else end of
   * text. Generating up to it measures the answer's tokens and nothing after.
   */
  public static int answerEnd(dev.fsgen.tokenizer.TextTokenizer tokenizer) {
    int[] newline = tokenizer.encode("\n");
    return newline.length == 1 ? newline[0] : tokenizer.eosId();
  }

  /** True when the first line of {@code completion} is exactly {@link #answer()}. */
  @Override
  public boolean isExactMatch(String completion) {
    return firstLine(completion).equals(answer());
  }

  /** True when the first line of {@code completion} is a space and a number, right or wrong. */
  @Override
  public boolean isWellFormed(String completion) {
    return parseAnswer(completion).isPresent();
  }

  /**
   * The number a completion answers with, if its first line is a well-formed answer (a space and a
   * number without leading zeros); used to tell wrong answers from malformed ones.
   */
  public static OptionalLong parseAnswer(String completion) {
    Matcher m = ANSWER.matcher(firstLine(completion));
    if (!m.matches() || m.group(1).length() > 18) return OptionalLong.empty();
    return OptionalLong.of(Long.parseLong(m.group(1)));
  }

  /**
   * Parses a data line {@code "A op B = C"} (the result is checked) or a prompt {@code "A op B ="}.
   *
   * @throws IllegalArgumentException naming the text when it is not in the fixed form or C is wrong
   */
  public static ArithmeticProblem parse(String text) {
    Matcher m = LINE.matcher(text.strip());
    if (!m.matches()) throw new IllegalArgumentException("not an arithmetic line ('A + B = C' or 'A - B = C'): '" + text + "'");
    ArithmeticProblem p;
    try {
      p = new ArithmeticProblem(Long.parseLong(m.group(1)), m.group(2).charAt(0), Long.parseLong(m.group(3)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("operand too large in '" + text + "'", e);
    }
    if (m.group(4) != null && !m.group(4).equals(Long.toString(p.result()))) {
      throw new IllegalArgumentException("wrong result in '" + text + "': expected " + p.result());
    }
    return p;
  }

  private static String firstLine(String completion) {
    int newline = completion.indexOf('\n');
    return newline < 0 ? completion : completion.substring(0, newline);
  }
}
