package dev.fsgen.cli;

import com.google.protobuf.Duration;
import com.google.protobuf.util.Durations;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.decoding.v1.TokenProducer;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Runs one Generate call and shows it: coloured text as it streams, or one JSON object. */
final class GenerationPrinter {
  private static final String RESET = "\u001b[0m";

  private GenerationPrinter() {}

  static String colourOf(TokenProducer p) {
    return switch (p) {
      case TOKEN_PRODUCER_SYSTEM1, TOKEN_PRODUCER_SYSTEM1_ACCEPTED -> "\u001b[36m"; // cyan: System 1
      case TOKEN_PRODUCER_SYSTEM2 -> "\u001b[33m"; // yellow: System 2 alone
      case TOKEN_PRODUCER_SYSTEM2_CORRECTION -> "\u001b[1;31m"; // bold red: System 2 overruled System 1
      case TOKEN_PRODUCER_SYSTEM2_BONUS -> "\u001b[35m"; // magenta: System 2's extra token
      case TOKEN_PRODUCER_COMBINED -> "\u001b[32m"; // green: both models' scores combined
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
        out.println("legend: " + colourOf(TokenProducer.TOKEN_PRODUCER_SYSTEM1_ACCEPTED) + "System 1 (accepted)" + RESET + "  "
            + colourOf(TokenProducer.TOKEN_PRODUCER_SYSTEM2_CORRECTION) + "System 2 correction" + RESET + "  " + colourOf(TokenProducer.TOKEN_PRODUCER_SYSTEM2_BONUS)
            + "System 2 bonus" + RESET + "  " + colourOf(TokenProducer.TOKEN_PRODUCER_SYSTEM2) + "System 2 alone" + RESET);
      }
      // a completion continues the prompt; a chat answer stands after the question
      out.print(o.chat ? o.sampling.prompt + "\n" : o.sampling.prompt);
    }
    try {
      for (Iterator<GenerateResponse> it = OrchestratorServiceGrpc.newBlockingStub(channel).generate(o.request()); it.hasNext(); ) {
        GenerateResponse e = it.next();
        if (e.hasStarted()) session = e.getStarted().getSessionId();
        if (e.hasTokens()) {
          for (Token t : e.getTokens().getTokensList()) {
            ids.add(t.getId());
            producers.add(unprefixed(t.getProducer().name(), "TOKEN_PRODUCER_"));
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
    m.put("time_to_first_token_ms", millis(s.getTimeToFirstToken()));
    m.put("tokens_per_second", s.getTokensPerSecond());
    m.put("total_ms", millis(s.getTotalTime()));
    m.put("finish_reason", finishReason(s));
    if (!s.getDegraded().isEmpty()) m.put("degraded", s.getDegraded());
    return m;
  }

  static String describe(Summary s) {
    String cf = s.hasCollaborationFrequency() ? String.format("%.1f%%", 100 * s.getCollaborationFrequency()) : "not measured";
    return String.format("[%d tokens in %.0f ms, %.1f tokens/s, first token after %.1f ms; System 2: %d calls, %.1f%% of tokens;"
            + " drafted %d, accepted %d (%.1f%%); collaboration frequency %s; finished: %s]",
        s.getTokens(), millis(s.getTotalTime()), s.getTokensPerSecond(), millis(s.getTimeToFirstToken()), s.getSystem2Calls(),
        100 * s.getSystem2TokenShare(), s.getDrafted(), s.getAccepted(), 100 * s.getAcceptanceRate(), cf,
        finishReason(s)) + (s.getDegraded().isEmpty() ? "" : "\n[degraded: " + s.getDegraded() + "]");
  }

  /** A summary's duration in milliseconds, as the JSON output and the status line show them. */
  static double millis(Duration d) {
    return Durations.toNanos(d) / 1e6;
  }

  /** "length", "eos" or "context": the finish reason without its enum prefix. */
  static String finishReason(Summary s) {
    return unprefixed(s.getFinishReason().name(), "FINISH_REASON_");
  }

  /** An enum value's name in lower case without its enum's prefix: what the JSON output shows. */
  private static String unprefixed(String name, String prefix) {
    return (name.startsWith(prefix) ? name.substring(prefix.length()) : name).toLowerCase(Locale.ROOT);
  }
}
