package dev.fsgen.study;

import dev.fsgen.decoding.StopRule;
import dev.fsgen.tokenizer.TextTokenizer;

/**
 * Ends a worked solution where it ends: once a line that starts with {@code answer:} is complete (the
 * scorer reads the first such line and nothing after it), or at a blank line, which in the training
 * text only ever follows a problem's final line. Without it a model would go on to write the next
 * problem up to the token budget, and those tokens would count in the collaboration measures.
 */
final class AnswerLineStop implements StopRule {
  private static final String ANSWER = "\nanswer:";

  private final TextTokenizer tokenizer;

  AnswerLineStop(TextTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  @Override
  public Matcher start() {
    var decoder = tokenizer.newStreamDecoder();
    StringBuilder text = new StringBuilder();
    return id -> {
      int from = Math.max(0, text.length() - 1); // a blank line must end in what this token added
      text.append(decoder.accept(id));
      // the completion starts by ending the prompt's "Answer:" line, so any "\n\n" is a blank line
      if (text.indexOf("\n\n", from) >= 0) return true;
      int answer = text.indexOf(ANSWER);
      return answer >= 0 && text.indexOf("\n", answer + 1) >= 0;
    };
  }
}
