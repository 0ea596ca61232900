package dev.fsgen.cli;

import dev.fsgen.proto.decoding.v1.GenerateEvent;
import dev.fsgen.proto.decoding.v1.OrchestratorGrpc;
import dev.fsgen.proto.decoding.v1.Producer;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs one Generate call and shows it: coloured text as it streams, or one JSON object. */
final class GenerationPrinter {
  private static final String RESET = "\u001b[0m";

  private GenerationPrinter() {}

  static String colourOf(Producer p) {
    return switch (p) {
      case SYSTEM1, SYSTEM1_ACCEPTED -> "\u001b[36m"; // cyan: System 1
      case SYSTEM2 -> "\u001b[33m"; // yellow: System 2 alone
      case SYSTEM2_CORRECTION -> "\u001b[1;31m"; // bold red: System 2 overruled System 1
      case SYSTEM2_BONUS -> "\u001b[35m"; // magenta: System 2's extra token
      case COMBINED -> "\u001b[32m"; // green: both models' scores combined
      default -> "";
    };
  }

  static int run(Channel channel, GenerationOptions o) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    boolean colour = !o.json && o.colour();
    List<Integer> ids = new ArrayList<>();
    List<String> producers = new ArrayList<>();
    Summary summary = null;
    String session = "";
    if (!o.json) {
      if (colour) {
        out.println("legend: " + colourOf(Producer.SYSTEM1_ACCEPTED) + "System 1 (accepted)" + RESET + "  "
            + colourOf(Producer.SYSTEM2_CORRECTION) + "System 2 correction" + RESET + "  " + colourOf(Producer.SYSTEM2_BONUS)
            + "System 2 bonus" + RESET + "  " + colourOf(Producer.SYSTEM2) + "System 2 alone" + RESET);
      }
      // a completion continues the prompt; a chat answer stands after the question
      out.print(o.chat ? o.sampling.prompt + "\n" : o.sampling.prompt);
    }
    try {
      for (Iterator<GenerateEvent> it = OrchestratorGrpc.newBlockingStub(channel).generate(o.request()); it.hasNext(); ) {
        GenerateEvent e = it.next();
        if (e.hasStarted()) session = e.getStarted().getSessionId();
        if (e.hasTokens()) {
          for (Token t : e.getTokens().getTokensList()) {
            ids.add(t.getId());
            producers.add(t.getProducer().name().toLowerCase());
            if (!o.json) out.print(colour ? colourOf(t.getProducer()) + t.getText() + RESET : t.getText());
          }
        }
        if (e.hasSummary()) summary = e.getSummary();
      }
    } catch (StatusRuntimeException e) {
      if (!o.json) out.println();
      throw new IllegalStateException(e.getStatus().getCode() + ": " + e.getStatus().getDescription(), e);
    }
    if (o.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("session_id", session);
      m.put("prompt", o.sampling.prompt);
      m.put("strategy", o.strategy.name().toLowerCase());
      m.put("text", summary.getText());
      m.put("token_ids", ids);
      m.put("producers", producers);
      m.put("summary", summaryMap(summary));
      out.println(dev.fsgen.bench.Json.compact().toJson(m));
    } else {
      out.println();
      System.err.println(describe(summary));
    }
    return 0;
  }

  static Map<String, Object> summaryMap(Summary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tokens", s.getTokens());
    m.put("prompt_tokens", s.getPromptTokens());
    m.put("system1_calls", s.getSystem1Calls());
    m.put("system2_calls", s.getSystem2Calls());
    m.put("drafted", s.getDrafted());
    m.put("accepted", s.getAccepted());
    m.put("acceptance_rate", s.getAcceptanceRate());
    m.put("collaboration_frequency", s.hasCollaborationFrequency() ? s.getCollaborationFrequency() : null);
    m.put("system2_token_share", s.getSystem2TokenShare());
    m.put("time_to_first_token_ms", s.getTimeToFirstTokenMs());
    m.put("tokens_per_second", s.getTokensPerSecond());
    m.put("total_ms", s.getTotalMs());
    m.put("finish_reason", s.getFinishReason().name().toLowerCase());
    if (!s.getDegraded().isEmpty()) m.put("degraded", s.getDegraded());
    return m;
  }

  static String describe(Summary s) {
    String cf = s.hasCollaborationFrequency() ? String.format("%.1f%%", 100 * s.getCollaborationFrequency()) : "not measured";
    return String.format("[%d tokens in %.0f ms, %.1f tokens/s, first token after %.1f ms; System 2: %d calls, %.1f%% of tokens;"
            + " drafted %d, accepted %d (%.1f%%); collaboration frequency %s; finished: %s]",
        s.getTokens(), s.getTotalMs(), s.getTokensPerSecond(), s.getTimeToFirstTokenMs(), s.getSystem2Calls(),
        100 * s.getSystem2TokenShare(), s.getDrafted(), s.getAccepted(), 100 * s.getAcceptanceRate(), cf,
        s.getFinishReason().name().toLowerCase()) + (s.getDegraded().isEmpty() ? "" : "\n[degraded: " + s.getDegraded() + "]");
  }
}
