package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.proto.decoding.v1.FinishReason;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.model.v1.Sampling;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.Summary;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a Generate request may ask for beyond the prompt and strategy. Stop sequences end a
 * generation on its text: the same tokens as without them up to the token that completes the first
 * stop, the text cut before it, and no streamed text ever showing part of one. n choices are n
 * generations with seeds seed, seed + 1, …
 */
class RequestFeaturesTest {
  private static LiveServices live;

  @BeforeAll
  static void start() {
    live = new LiveServices();
  }

  @AfterAll
  static void stop() {
    live.close();
  }

  /** A generation: the ids and texts streamed (held_text included, in order), and its summary. */
  private record Run(List<Integer> ids, String streamed, Summary summary) {}

  private static Run run(GenerateRequest r) {
    List<Integer> ids = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    Summary summary = null;
    for (Iterator<GenerateResponse> it = live.orchestrator().generate(r); it.hasNext(); ) {
      GenerateResponse e = it.next();
      if (e.hasTokens()) {
        e.getTokens().getTokensList().forEach(t -> {
          ids.add(t.getId());
          text.append(t.getText());
        });
        text.append(e.getTokens().getHeldText());
      }
      if (e.hasSummary()) summary = e.getSummary();
    }
    return new Run(ids, text.toString(), summary);
  }

  @Test
  void aStopSequenceEndsTheTextBeforeItWithTheSameTokens() {
    for (StrategyOptions strategy : new StrategyOptions[] {SpeculativeOverGrpcTest.speculative(3),
        StrategyOptions.newBuilder().setSystem2Only(SingleModelOptions.getDefaultInstance()).build()}) {
      GenerateRequest plain = live.request("The men of the city", 48).setStrategy(strategy).build();
      Run whole = run(plain);
      assertEquals(whole.summary().getText(), whole.streamed());
      String text = whole.summary().getText();
      // a stop in the middle of the text, and one that never occurs
      String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
      int at = text.indexOf(stop);
      Run cut = run(plain.toBuilder().addStop("never \u2603 here").addStop(stop).build());
      assertEquals(FinishReason.FINISH_REASON_STOP, cut.summary().getFinishReason(), strategy.toString());
      assertEquals(text.substring(0, at), cut.summary().getText(), "cut before the first occurrence");
      assertEquals(cut.summary().getText(), cut.streamed(), "streamed text equals the summary's");
      assertEquals(whole.ids().subList(0, cut.ids().size()), cut.ids(), "the same tokens up to the stop");
      // the last token completed the stop: one token fewer had not reached it
      String before = live.tokenizer.decode(cut.ids().subList(0, cut.ids().size() - 1).stream().mapToInt(i -> i).toArray(), true);
      assertFalse(before.contains(stop), "the generation stopped at the first token that completed the stop");
    }
  }

  @Test
  void aPossibleStopIsHeldBackAndReleasedWhenItDoesNotComplete() {
    GenerateRequest plain = live.request("The church was built in", 40).build();
    Run whole = run(plain);
    String text = whole.summary().getText();
    // the end of the text followed by a character it never produces: held to the end, then released
    String stop = text.substring(text.length() - 2) + "\u2603";
    Run held = run(plain.toBuilder().addStop(stop).build());
    assertEquals(FinishReason.FINISH_REASON_LENGTH, held.summary().getFinishReason());
    assertEquals(text, held.summary().getText());
    assertEquals(text, held.streamed(), "released as held_text at the end");
    assertArrayEquals(whole.ids().stream().mapToInt(i -> i).toArray(), held.ids().stream().mapToInt(i -> i).toArray());
  }

  @Test
  void streamedTextNeverShowsPartOfAStop() {
    // random texts cut into random pieces: what is shown, piece by piece, never ends in a stop's
    // start that completes later, and all of it is the text cut before the first stop
    SplittableRandom rng = new SplittableRandom(7);
    String alphabet = "ab c";
    List<String> stops = List.of("ab", "b c", "cc a");
    var rule = (StopSequences) StopSequences.of(stops, live.tokenizer);
    for (int k = 0; k < 2000; k++) {
      StringBuilder text = new StringBuilder();
      int n = 1 + rng.nextInt(20);
      for (int i = 0; i < n; i++) text.append(alphabet.charAt(rng.nextInt(alphabet.length())));
      String want = StopSequences.cut(text.toString(), rule);
      StopSequences.Held held = new StopSequences.Held(rule);
      StringBuilder shown = new StringBuilder();
      for (int i = 0; i < text.length(); ) {
        int j = Math.min(text.length(), i + 1 + rng.nextInt(3));
        shown.append(held.offer(text.substring(i, j)));
        assertTrue(want.startsWith(shown.toString()), "shown '" + shown + "' of '" + text + "' goes past '" + want + "'");
        i = j;
      }
      shown.append(held.release());
      assertEquals(want, shown.toString(), "text '" + text + "'");
    }
  }

  @Test
  void stopSequencesAreBounded() {
    GenerateRequest.Builder r = live.request("The men", 4);
    for (var bad : List.of(r.clone().addStop(""), r.clone().addStop("x".repeat(StopSequences.MAX_CHARS + 1)),
        r.clone().addAllStop(Collections.nCopies(StopSequences.MAX_SEQUENCES + 1, "x")))) {
      StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
          () -> run(bad.build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().startsWith("stop"), e.getStatus().getDescription());
    }
  }

  @Test
  void nChoicesAreTheGenerationsOfSuccessiveSeeds() {
    GenerateRequest one = live.request("The history of the city", 24).setStrategy(SpeculativeOverGrpcTest.speculative(3))
        .setSampling(Sampling.newBuilder().setTemperature(0.9)).setSeed(5).build();
    List<List<Integer>> ids = new ArrayList<>();
    List<Summary> summaries = new ArrayList<>();
    int started = 0;
    for (Iterator<GenerateResponse> it = live.orchestrator().generate(one.toBuilder().setN(3).build()); it.hasNext(); ) {
      GenerateResponse e = it.next();
      if (e.hasStarted()) started++;
      if (e.hasTokens()) {
        int c = e.getTokens().getChoice();
        while (ids.size() <= c) ids.add(new ArrayList<>());
        e.getTokens().getTokensList().forEach(t -> ids.get(c).add(t.getId()));
      }
      if (e.hasSummary()) summaries.add(e.getSummary());
    }
    assertEquals(1, started);
    assertEquals(3, summaries.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(i, summaries.get(i).getChoice());
      Run alone = run(one.toBuilder().setSeed(5 + i).build());
      assertEquals(alone.ids(), ids.get(i), "choice " + i + " is the generation with seed 5 + " + i);
      assertEquals(alone.summary().getText(), summaries.get(i).getText());
    }
    assertFalse(ids.get(0).equals(ids.get(1)) && ids.get(1).equals(ids.get(2)), "sampled choices differ");
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> run(one.toBuilder().setN(Plan.MAX_CHOICES + 1).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("n must be"), e.getStatus().getDescription());
  }

  @Test
  void sampledGenerationsStopToo() {
    GenerateRequest plain = live.request("The history of the city", 48).setStrategy(SpeculativeOverGrpcTest.speculative(2))
        .setSampling(Sampling.newBuilder().setTemperature(0.9)).setSeed(11).build();
    Run whole = run(plain);
    String text = whole.summary().getText();
    String stop = text.substring(text.length() / 3, text.length() / 3 + 2);
    Run cut = run(plain.toBuilder().addStop(stop).build());
    assertEquals(text.substring(0, text.indexOf(stop)), cut.summary().getText());
    assertEquals(whole.ids().subList(0, cut.ids().size()), cut.ids(), "the same seed gives the same tokens up to the stop");
  }
}
