package dev.fsgen.orchestrator;

import dev.fsgen.decoding.StopRule;
import dev.fsgen.grpc.InvalidRequestException;
import dev.fsgen.tokenizer.TextTokenizer;
import java.util.List;

/**
 * A request's stop sequences over the served tokenizer: as a {@link StopRule} it ends the
 * generation once the decoded text contains one; {@link #cut} and {@link Held} give the text a
 * client may see, which ends before the first of them.
 */
final class StopSequences implements StopRule {
  /** Most stop sequences in one request. */
  static final int MAX_SEQUENCES = 16;
  /** Longest stop sequence, in characters. */
  static final int MAX_CHARS = 256;

  private final List<String> sequences;
  private final TextTokenizer tokenizer;
  private final int longest;

  private StopSequences(List<String> sequences, TextTokenizer tokenizer) {
    this.sequences = List.copyOf(sequences);
    this.tokenizer = tokenizer;
    this.longest = sequences.stream().mapToInt(String::length).max().orElse(0);
  }

  /** The request's {@code stop} field, checked; {@link StopRule#NONE} when it is empty. */
  static StopRule of(List<String> stop, TextTokenizer tokenizer) {
    if (stop.isEmpty()) return StopRule.NONE;
    if (stop.size() > MAX_SEQUENCES) {
      throw new InvalidRequestException("stop", "stop holds " + stop.size() + " sequences; at most " + MAX_SEQUENCES);
    }
    for (int i = 0; i < stop.size(); i++) {
      String s = stop.get(i);
      if (s.isEmpty() || s.length() > MAX_CHARS) {
        throw new InvalidRequestException("stop[" + i + "]", "stop[" + i + "] must hold 1 to " + MAX_CHARS + " characters, got "
            + s.length());
      }
    }
    return new StopSequences(stop, tokenizer);
  }

  @Override
  public Matcher start() {
    var decoder = tokenizer.newStreamDecoder();
    StringBuilder text = new StringBuilder();
    return id -> {
      int from = Math.max(0, text.length() - longest + 1); // an occurrence must end in what this token added
      text.append(decoder.accept(id));
      return first(text, from) >= 0;
    };
  }

  /**
   * Where the first stop sequence starting at or after {@code from} begins in {@code text}; -1 if
   * none. Searched in place: the matcher's text grows by every token, and copying it to a String
   * each time would cost the whole text per token.
   */
  private int first(StringBuilder text, int from) {
    int best = -1;
    for (String stop : sequences) {
      int i = text.indexOf(stop, from);
      if (i >= 0 && (best < 0 || i < best)) best = i;
    }
    return best;
  }

  /** {@code text} up to its first stop sequence. */
  static String cut(String text, StopRule rule) {
    if (!(rule instanceof StopSequences s)) return text;
    int i = s.first(new StringBuilder(text), 0);
    return i < 0 ? text : text.substring(0, i);
  }

  /**
   * A stream's text as a client may see it: text that could be the start of a stop sequence is held
   * back until the next text shows whether it is one, and nothing from a stop sequence on is shown.
   */
  static final class Held {
    private final StopSequences stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    /** @param rule the request's rule; without stop sequences nothing is ever held */
    Held(StopRule rule) {
      this.stops = rule instanceof StopSequences s ? s : null;
    }

    /** Takes a token's text; returns what may be shown now. */
    String offer(String text) {
      if (stops == null) return text;
      if (stopped) return "";
      held.append(text);
      int at = stops.first(held, 0);
      if (at >= 0) {
        stopped = true;
        String shown = held.substring(0, at);
        held.setLength(0);
        return shown;
      }
      int keep = stops.possibleStart(held);
      String shown = held.substring(0, held.length() - keep);
      held.delete(0, held.length() - keep);
      return shown;
    }

    /** What is still held at the end of a generation that did not stop on it. */
    String release() {
      String rest = stopped ? "" : held.toString();
      held.setLength(0);
      return rest;
    }
  }

  /** The length of the longest end of {@code text} that begins some stop sequence (and may yet complete it). */
  private int possibleStart(CharSequence text) {
    int n = text.length();
    for (int k = Math.min(n, longest - 1); k > 0; k--) {
      String end = text.subSequence(n - k, n).toString();
      for (String stop : sequences) if (stop.startsWith(end)) return k;
    }
    return 0;
  }
}
