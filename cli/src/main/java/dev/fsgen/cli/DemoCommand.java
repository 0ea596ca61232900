package dev.fsgen.cli;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GetInfoRequest;
import dev.fsgen.proto.decoding.v1.GetInfoResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fsgen demo}: the local launcher's single-replica form — System 1, System 2 and the
 * orchestrator as separate processes on loopback, configured like the pods — one streamed
 * generation through them, then a clean shutdown.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run the three services locally and stream one generation.",
        "Starts System 1, System 2 and the orchestrator as processes (the launcher's single-replica form) and streams one",
        "generation through them: speculative decoding on the bundled default pair unless told otherwise."})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--system1-model", description = "System 1 model directory. Default: <root>/models/system1-distilled, the System 1 whose drafts System 2 accepts most often (the fastest pair measured on fresh prompts).")
  Path system1;

  @Option(names = "--system2-model", description = "System 2 model directory. Default: <root>/models/system2.")
  Path system2;

  @Option(names = "--system1-extra-model", description = "More models for System 1 to host, as name=DIR (repeatable): proxy tuning's tuned and base models.")
  List<String> system1Extra;

  @Option(names = "--router-file", description = "A learned router (from 'fsgen router') for --strategy gated --router learned.")
  Path routerFile;

  @Option(names = "--system2-replicas", defaultValue = "1", description = "System 2 processes. Default: ${DEFAULT-VALUE}.")
  int replicas;

  @Option(names = "--http-port", defaultValue = "8080",
      description = "The orchestrator's OpenAI-compatible HTTP API while the demo runs (0: a free port). Default: ${DEFAULT-VALUE}.")
  int httpPort;

  @Option(names = "--threads", description = "Cores each model process may use (FSGEN_THREADS). Default: all of this machine's.")
  Integer threads;

  @Option(names = "--logs", description = "Where each process writes its output. Default: <root>/work/launch.")
  Path logs;

  @Mixin
  GenerationOptions options = new GenerationOptions();

  @Option(names = "--warmup", defaultValue = "3", description = "Unshown generations first, so the figures are not those of cold code. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--compare", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "After the generation, time the same request (end of text ignored) with its strategy and with System 2 alone, and print both tokens/s. Default: ${DEFAULT-VALUE}.")
  boolean compare;

  /** Timed runs of each side; the best of them is reported, as the first may still meet cold caches. */
  private static final int COMPARE_RUNS = 3;

  /**
   * The request's strategy beside System 2 alone on the same prompt and length, end of text
   * ignored so both produce the same number of tokens: the speedup a user of this pair sees.
   */
  static String compareWithSystem2(OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub, GenerateRequest request) {
    GenerateRequest same = request.toBuilder().clearSessionId().setIgnoreEos(true).build();
    GenerateRequest alone = same.toBuilder().setStrategy(StrategyOptions.newBuilder().setSystem2Only(SingleModelOptions.getDefaultInstance())).build();
    double mine = 0;
    double base = 0;
    for (int i = 0; i < COMPARE_RUNS; i++) { // alternating, so that drift on a shared machine touches both
      mine = Math.max(mine, tokensPerSecond(stub, same));
      base = Math.max(base, tokensPerSecond(stub, alone));
    }
    String name = request.getStrategy().getKindCase().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    return String.format(java.util.Locale.ROOT, "demo: %s %.0f tokens/s beside System 2 alone %.0f tokens/s (%.2fx) on this prompt, %d tokens, best of %d",
        name, mine, base, mine / base, same.getMaxTokens(), COMPARE_RUNS);
  }

  /**
   * Tokens over the time from the request to the last token: what comes after it (System 1 scoring
   * System 2 alone's text for its summary, or a speculative run's last token) is no generation time.
   */
  private static double tokensPerSecond(OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub, GenerateRequest r) {
    long t0 = System.nanoTime();
    long last = t0;
    int tokens = 0;
    for (var it = stub.generate(r); it.hasNext(); ) {
      var e = it.next();
      if (e.hasTokens()) last = System.nanoTime();
      if (e.hasSummary()) tokens = e.getSummary().getTokens();
    }
    return tokens / ((last - t0) / 1e9);
  }

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    LocalTopology.Spec spec = new LocalTopology.Spec();
    spec.replicas = replicas;
    spec.httpPort = httpPort;
    spec.threads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    spec.logs = logs;
    spec.system1Model = system1 != null ? system1 : Cli.root().resolve("models/system1-distilled");
    spec.system2Model = system2;
    spec.system1Extra = system1Extra;
    spec.routerFile = routerFile;
    try (LocalTopology t = LocalTopology.start(spec)) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", t.orchestratorPort()).usePlaintext().build();
      try {
        var stub = OrchestratorServiceGrpc.newBlockingStub(channel);
        if (!options.json) {
          GetInfoResponse info = stub.getInfo(GetInfoRequest.getDefaultInstance());
          System.err.printf("demo: System 1 (%s, %.1f M parameters) on :%d, System 2 (%s, %.1f M) on %s, orchestrator on :%d"
                  + " (HTTP on http://localhost:%d); up in %.1f s (logs in %s)%n", info.getSystem1().getSource(),
              info.getSystem1().getParameterCount() / 1e6, t.ports.get("system1"), info.getSystem2().getSource(),
              info.getSystem2().getParameterCount() / 1e6, String.join(", ", t.system2), t.orchestratorPort(), t.httpPort,
              (System.nanoTime() - t0) / 1e9, t.logDir);
        }
        // until the JIT has compiled the decode path a token costs several times more
        var request = options.request().toBuilder().setMaxTokens(48).clearSessionId().build();
        for (int i = 0; i < warmup; i++) stub.generate(request).forEachRemaining(e -> {});
        int code = GenerationPrinter.run(channel, options);
        if (code == 0 && !options.json && compare) System.err.println(compareWithSystem2(stub, options.request()));
        return code;
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
