package dev.fsgen.cli;

import dev.fsgen.bench.BenchCharts;
import dev.fsgen.bench.BenchSuite;
import dev.fsgen.bench.MemorySoak;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fsgen bench}: every performance figure in one run, each beside its target (a table on
 * stdout, JSON and two plots in the output directory); the subcommands run one part each.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure every performance figure, each beside its target.",
        "Speculative decoding against System 2 alone and against the formula, fsgen against Jlama on the same checkpoint "
            + "(Java 21+, skipped where missing) and llama.cpp (where built), the time outside the models, adaptive drafting, "
            + "1-64 concurrent streams, and a memory soak of the service processes.",
        "Writes bench.txt, bench.json, speedup.png and concurrency.png to --out-dir. Takes about 25 minutes with the default "
            + "10-minute soak; a progress bar with an ETA goes to stderr. The subcommands run one part each."},
    subcommands = {BenchRuntimeCommand.class, BenchSpeculativeCommand.class, BenchConcurrencyCommand.class,
        BenchLlamaCppCommand.class})
public final class BenchCommand implements Callable<Integer> {
  @Mixin PairOptions pair;

  @Mixin SpeculativeRunOptions run;

  @Option(names = "--streams", split = ",", defaultValue = "1,4,16,64", description = "Concurrency levels. Default: ${DEFAULT-VALUE}.")
  int[] streams;

  @Option(names = "--soak-minutes", defaultValue = "10", description = "Length of the memory soak; 0 skips it. Default: ${DEFAULT-VALUE}.")
  double soakMinutes;

  @Option(names = "--soak-streams", defaultValue = "16", description = "Concurrent streams during the soak. Default: ${DEFAULT-VALUE}.")
  int soakStreams;

  @Option(names = "--only", split = ",", description = "Run only these parts: speculative, jlama, llamacpp, concurrency, soak (the rest are reported as not run). Default: all.")
  List<String> only;

  @Option(names = "--out-dir", paramLabel = "DIR", description = "Where bench.txt, bench.json and the plots go. Default: <root>/work/bench.")
  Path outDir;

  @Mixin FiguresOutput output;

  @picocli.CommandLine.Mixin WeightsOption weightsOption = new WeightsOption();

  @Override
  public Integer call() throws Exception {
    weightsOption.apply();
    if (soakMinutes != 0 && soakMinutes < 2) throw new IllegalArgumentException("--soak-minutes must be 0 (skip) or at least 2, got " + soakMinutes);
    Path dir = outDir != null ? outDir : Cli.root().resolve("work/bench");
    Files.createDirectories(dir);
    Consumer<String> log = line -> System.err.println("bench: " + line);
    BenchSuite.Soak soak = soakMinutes == 0 ? null : (bars, l) -> soak(dir.resolve("soak-logs"), bars, l);
    java.util.Set<BenchSuite.Part> parts = java.util.EnumSet.allOf(BenchSuite.Part.class);
    if (only != null) {
      parts.clear();
      for (String p : only) {
        try {
          parts.add(BenchSuite.Part.valueOf(p.trim().toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--only takes speculative, jlama, llamacpp, concurrency and soak, got '" + p + "'");
        }
      }
    }
    BenchSuite.Figures f = BenchSuite.run(new BenchSuite.Settings(pair.system1(), pair.system2(), run.prompts, run.maxTokens, run.maxGamma, run.repeats,
        streams, soak, parts), Cli.progress("bench"), log);
    String table = BenchSuite.toTable(f);
    String figures = BenchSuite.toJson(f);
    Files.writeString(dir.resolve("bench.txt"), table);
    Files.writeString(dir.resolve("bench.json"), figures + "\n");
    if (f.speculative() != null) BenchCharts.speedup(dir.resolve("speedup.png"), f.speculative());
    if (f.concurrency() != null) BenchCharts.concurrency(dir.resolve("concurrency.png"), f.concurrency());
    output.emit(() -> figures, table);
    log.accept("wrote bench.txt, bench.json and the plots of the parts that ran to " + dir);
    return 0;
  }

  /** The services as the local launcher runs them (separate processes), loaded by concurrent streams while their memory is read. */
  private MemorySoak.Figures soak(Path logs, dev.fsgen.runtime.progress.Progress.Sink progress, Consumer<String> log) throws Exception {
    LocalTopology.Spec spec = new LocalTopology.Spec();
    spec.system1Model = pair.system1();
    spec.system2Model = pair.system2();
    spec.logs = logs;
    log.accept("starting System 1, System 2 and the orchestrator as processes (logs in " + logs + ")");
    try (LocalTopology t = LocalTopology.start(spec)) {
      Map<String, Long> pids = new LinkedHashMap<>();
      for (String name : t.ports.keySet()) pids.put(name, t.process(name).pid());
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", t.orchestratorPort()).usePlaintext().build();
      try {
        return MemorySoak.run(channel, pids, soakStreams, soakMinutes, 60, run.maxTokens / 2, progress);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
