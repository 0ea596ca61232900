package dev.fsgen.study;

import java.util.ArrayList;
import java.util.List;

/**
 * What kind of text a token is, for the breakdown of where System 2 intervenes. A token's leading
 * and trailing spaces are ignored (a word token usually carries the space before it); what remains
 * decides: digits only, arithmetic operators only, at least one letter, or anything else printable;
 * a token of whitespace alone (a space, the newline that ends an answer) is its own type.
 */
public enum TokenType {
  DIGITS("digits"),
  OPERATOR("operators"),
  WORD("words"),
  PUNCTUATION("punctuation"),
  SPACE("whitespace");

  private static final String OPERATORS = "+-−*×/÷=<>%^";

  public final String label;

  TokenType(String label) {
    this.label = label;
  }

  public static TokenType of(String piece) {
    String t = piece.strip();
    if (t.isEmpty()) return SPACE;
    if (t.chars().allMatch(Character::isDigit)) return DIGITS;
    if (t.chars().allMatch(c -> OPERATORS.indexOf(c) >= 0)) return OPERATOR;
    if (t.chars().anyMatch(Character::isLetter)) return WORD;
    return PUNCTUATION;
  }

  /**
   * One type's tokens in one domain's oracle outputs, all pairs pooled.
   *
   * @param rate interventions over tokens of this type, with its interval (null where the data cannot tell)
   * @param share this type's part of all interventions in the domain
   */
  public record Row(String domain, TokenType type, long tokens, long interventions, Bootstrap.Interval rate, double share) {}

  /** The breakdown per domain, from the oracle's records that carry their text (types without tokens left out). */
  static List<Row> breakdown(List<UnitResult> units) {
    List<Row> rows = new ArrayList<>();
    for (StudyDomain d : StudyDomain.values()) {
      List<UnitResult> oracle = units.stream().filter(u -> u.method().equals(Method.ORACLE.id) && u.domain().equals(d.id)).toList();
      long all = oracle.stream().flatMap(u -> u.records().stream()).filter(r -> r.piece() != null && r.intervened()).count();
      for (TokenType type : values()) {
        long tokens = 0;
        long interventions = 0;
        for (UnitResult u : oracle) {
          for (UnitResult.TokenRecord r : u.records()) {
            if (r.piece() == null || of(r.piece()) != type) continue;
            tokens++;
            if (r.intervened()) interventions++;
          }
        }
        if (tokens == 0) continue;
        Bootstrap.Interval rate = Intervals.tokenRatio(oracle, r -> r.piece() != null && of(r.piece()) == type, UnitResult.TokenRecord::intervened);
        rows.add(new Row(d.id, type, tokens, interventions, rate, all == 0 ? Double.NaN : (double) interventions / all));
      }
    }
    return rows;
  }
}
