package dev.fsgen.bench.reference;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading llama.cpp's tool output, on samples of what the bundled release prints. */
class LlamaCppTest {
  @Test
  void readsLlamaBenchJson() {
    String json = """
        [
          {"build_commit": "de3ff81", "model_type": "llama ?B F16", "n_threads": 2, "n_prompt": 64, "n_gen": 0,
           "avg_ns": 14681607, "avg_ts": 4361.407285, "stddev_ts": 121.072269, "samples_ts": [4316.93, 4498.43, 4268.87]},
          {"build_commit": "de3ff81", "model_type": "llama ?B F16", "n_threads": 2, "n_prompt": 0, "n_gen": 128,
           "avg_ts": 467.181464, "stddev_ts": 27.507996}
        ]
        """;
    List<LlamaCpp.BenchResult> r = LlamaCpp.parseBench(json);
    assertEquals(2, r.size());
    assertEquals(new LlamaCpp.BenchResult(64, 0, 2, "llama ?B F16", 4361.407285, 121.072269), r.get(0));
    assertEquals(128, r.get(1).genTokens());
    assertEquals(467.181464, r.get(1).tokensPerSecond());
  }

  @Test
  void readsTokenIds() {
    assertArrayEquals(new int[] {51, 56, 374, 362}, LlamaCpp.parseIds("[51, 56, 374, 362]\n"));
    assertArrayEquals(new int[0], LlamaCpp.parseIds("[]\n"));
    assertThrows(IllegalArgumentException.class, () -> LlamaCpp.parseIds("error: no model\n"));
  }

  @Test
  void readsSpeculativeFigures() {
    String stdout = "\n\nThe history of the city, which is not\nThe American people\n\n\n\n";
    String stderr = """
        0.00.472.123 I encoded    5 tokens in    0.005 seconds, speed: 1096.251 t/s
        0.00.472.150 I decoded  129 tokens in    0.406 seconds, speed:  317.643 t/s
        0.00.472.169 I\s
        0.00.472.188 I n_draft   = 4
        0.00.472.206 I n_predict = 129
        0.00.472.225 I n_drafted = 256
        0.00.472.243 I n_accept  = 64
        0.00.472.262 I accept    = 25.000%
        """;
    LlamaCpp.Speculative s = LlamaCpp.parseSpeculative(stdout, stderr);
    assertEquals(5, s.promptTokens());
    assertEquals(129, s.tokens());
    assertEquals(0.406, s.seconds());
    assertEquals(317.643, s.tokensPerSecond());
    assertEquals(4, s.draftMax());
    assertEquals(256, s.drafted());
    assertEquals(64, s.accepted());
    assertEquals(0.25, s.acceptance());
    assertEquals(65, s.rounds());
    assertTrue(s.text().startsWith("The history of the city, which"), s.text());
    assertThrows(IllegalArgumentException.class, () -> LlamaCpp.parseSpeculative("", "failed to initialize speculative decoding"));
  }

  @Test
  void readsTheModelDescription() {
    String log = """
        llama_model_loader: - kv   0:                       general.architecture str              = llama
        print_info: file type   = all F32
        print_info: arch                  = llama
        print_info: n_embd                = 384
        print_info: f_norm_rms_eps        = 1.0e-05
        print_info: vocab type            = BPE
        print_info: EOS token             = 0 '<|endoftext|>'
        """;
    Map<String, String> info = LlamaCpp.modelInfo(log);
    assertEquals("llama", info.get("arch"));
    assertEquals("384", info.get("n_embd"));
    assertEquals("1.0e-05", info.get("f_norm_rms_eps"));
    assertEquals("BPE", info.get("vocab type"));
    assertEquals("0 '<|endoftext|>'", info.get("EOS token"));
    assertEquals("all F32", info.get("file type"));
  }
}
