package dev.fsgen.orchestrator;

import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.decoding.v1.TokenProducer;
import java.util.ArrayList;
import java.util.List;

/** A generation's events folded into token ids, producers and the summary. */
record Generated(int[] ids, List<TokenProducer> producers, String text, Summary summary, List<Token> tokens) {
  static Generated of(List<GenerateResponse> events) {
    List<Integer> ids = new ArrayList<>();
    List<TokenProducer> producers = new ArrayList<>();
    List<Token> tokens = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    Summary summary = null;
    for (GenerateResponse e : events) {
      if (e.hasTokens()) {
        for (Token t : e.getTokens().getTokensList()) {
          if (t.getIndex() != ids.size()) throw new AssertionError("token index " + t.getIndex() + " out of order");
          ids.add(t.getId());
          producers.add(t.getProducer());
          tokens.add(t);
          text.append(t.getText());
        }
      }
      if (e.hasSummary()) summary = e.getSummary();
    }
    if (summary == null) throw new AssertionError("no summary event");
    return new Generated(ids.stream().mapToInt(Integer::intValue).toArray(), producers, text.toString(), summary, tokens);
  }
}
