package dev.fsgen.training.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns Brown's tagged, space-separated tokens back into ordinary running text.
 *
 * <p>The corpus writes {@code ``} and {@code ''} for opening and closing double quotes, puts spaces
 * around every punctuation mark and (rarely) splits clitics. A language model should learn text as
 * people write it, so quotes become {@code "}, closing marks attach to the word before, opening
 * marks to the word after. A lone {@code '} is an opening or closing single quote by context.
 */
public final class BrownDetokenizer {
  private static final Set<String> CLOSING = Set.of(".", ",", ";", ":", "!", "?", ")", "]", "}", "%", "...");
  private static final Set<String> OPENING = Set.of("(", "[", "{", "$", "#");
  private static final Set<String> CLITICS = Set.of("n't", "'s", "'re", "'ve", "'ll", "'d", "'m", "'S", "N'T");

  private BrownDetokenizer() {}

  /** The words of a tagged line ({@code word/TAG ...}), tags removed; a word may itself hold a slash. */
  public static List<String> stripTags(String taggedLine) {
    List<String> words = new ArrayList<>();
    for (String token : taggedLine.trim().split("\\s+")) {
      if (token.isEmpty()) continue;
      int slash = token.lastIndexOf('/');
      // "//in" is the word "/", and "1-1/2/cd" the word "1-1/2": the tag follows the last slash
      words.add(slash > 0 ? token.substring(0, slash) : token);
    }
    return words;
  }

  private enum Attach { NONE, LEFT, RIGHT, BOTH }

  /** Joins words into text with natural spacing. */
  public static String detokenize(List<String> words) {
    return detokenizeSentences(List.of(words));
  }

  /**
   * Joins sentences into one paragraph. Spacing rules run across sentence boundaries (the corpus
   * starts a line with the ")" that closes the previous sentence's parenthesis), but the guess of
   * whether a lone {@code '} opens or closes starts afresh with each sentence, so a stray quote in
   * a headline does not flip every quote after it.
   */
  public static String detokenizeSentences(List<List<String>> sentences) {
    StringBuilder out = new StringBuilder();
    boolean glueNext = true;
    String previous = null;
    for (List<String> words : sentences) {
      boolean singleQuoteOpen = false;
      for (int i = 0; i < words.size(); i++) {
        String word = words.get(i);
        if (word.equals(".") && previous != null && previous.length() > 1 && previous.endsWith(".")) {
          continue; // "Jr." ending a sentence: the corpus adds a second period that text does not have
        }
        String text = word;
        Attach attach;
        if (word.equals("``")) {
          text = "\"";
          attach = Attach.RIGHT;
        } else if (word.equals("''")) {
          text = "\"";
          attach = Attach.LEFT;
        } else if (word.equals("'")) {
          String next = i + 1 < words.size() ? words.get(i + 1) : null;
          boolean opens;
          if (glueNext) {
            opens = true; // start of text, or right after an opening mark
          } else if (next == null || next.equals("''") || CLOSING.contains(next)) {
            opens = false;
          } else {
            opens = !singleQuoteOpen;
          }
          singleQuoteOpen = opens;
          attach = opens ? Attach.RIGHT : Attach.LEFT;
        } else if (word.equals("/")) {
          attach = Attach.BOTH;
        } else if (CLOSING.contains(word) || CLITICS.contains(word)) {
          attach = Attach.LEFT;
        } else if (OPENING.contains(word)) {
          attach = Attach.RIGHT;
        } else {
          attach = Attach.NONE;
        }
        boolean space = out.length() > 0 && !glueNext && attach != Attach.LEFT && attach != Attach.BOTH;
        if (space) out.append(' ');
        out.append(text);
        glueNext = attach == Attach.RIGHT || attach == Attach.BOTH;
        previous = word;
      }
    }
    return out.toString();
  }

  /** Convenience: strip tags and detokenize one tagged line or paragraph. */
  public static String detokenizeTagged(String taggedText) {
    return detokenize(stripTags(taggedText));
  }
}
