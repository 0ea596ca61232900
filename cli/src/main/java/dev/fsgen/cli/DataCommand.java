package dev.fsgen.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.tokenizer.BpeTrainer;
import dev.fsgen.tokenizer.BpeVocabulary;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.DataPreparer;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Mixture;
import dev.fsgen.training.data.Split;
import dev.fsgen.training.data.TrainCaps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fsgen data}: fetch the raw corpora (through scripts/fetch-data.sh, the only place that
 * touches the network), write the seeded train/val/test splits, and train the one tokenizer that
 * every model shares.
 */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch the corpora, prepare the splits and train the tokenizer.",
      "Fetches the raw corpora, writes seeded train/val/test splits and trains the byte-level BPE tokenizer all models share.",
      "Writes <out>/{brown,kjv,arith}/{train,val,test}.txt (with --mixture broad also sotu, austen, commentary and words),",
      "<out>/manifest.json and <out>/tokenizer/tokenizer.json."
    })
public final class DataCommand implements Callable<Integer> {
  @Option(names = "--raw", paramLabel = "DIR", description = "Raw download directory (default: <out>/raw).")
  Path raw;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: <root>/data).")
  Path out;

  @Option(names = "--seed", defaultValue = "1234", description = "Seed for the splits and the arithmetic problems (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--vocab", defaultValue = "4096", description = "Tokenizer vocabulary size, special token included (default: ${DEFAULT-VALUE}).")
  int vocab;

  @Option(names = "--arith-max-digits", description = "Digits of the largest arithmetic operand. Default: 2 for the bundled mixture, "
      + "3 for the broad (its larger models learn every two-digit problem by heart and do worse on held-out ones).")
  Integer arithMaxDigits;

  @Option(names = "--arith-train", description = "Arithmetic training problems. Default: every two-digit problem not held out "
      + "(13050) for the bundled mixture, 100000 for the broad.")
  Integer arithTrain;

  @Option(names = "--arith-val", defaultValue = "1000", description = "Arithmetic validation problems (default: ${DEFAULT-VALUE}).")
  int arithVal;

  @Option(names = "--arith-test", defaultValue = "1000", description = "Arithmetic test problems (default: ${DEFAULT-VALUE}).")
  int arithTest;

  @Option(names = "--words-train", defaultValue = "10000", description = "Word-problem training problems (broad mixture) (default: ${DEFAULT-VALUE}).")
  int wordsTrain;

  @Option(names = "--words-val", defaultValue = "500", description = "Word-problem validation problems (broad mixture) (default: ${DEFAULT-VALUE}).")
  int wordsVal;

  @Option(names = "--words-test", defaultValue = "2000", description = "Word-problem test problems (broad mixture) (default: ${DEFAULT-VALUE}).")
  int wordsTest;

  @Option(names = "--mixture", defaultValue = "broad",
      description = "Domains to prepare: broad (Brown, the KJV, arithmetic, State of the Union addresses, Austen's novels, Bible "
          + "commentaries and word problems: what the bundled models were trained on) or bundled (Brown, the KJV and two-digit "
          + "arithmetic: the first family's data) (default: ${DEFAULT-VALUE}).")
  String mixture;

  @Option(names = "--train-cap", paramLabel = "DOMAIN=BYTES",
      description = "Most bytes of a domain's training split (kjv, sotu, austen or commentary; 'none' lifts a cap), a seeded "
          + "sample of whole documents; repeatable, broad mixture only. By default the broad mixture caps sotu, austen and "
          + "commentary at " + TrainCaps.DEFAULT_FURTHER_SOURCE_BYTES + ", about the KJV's training text, so that no source "
          + "dominates the general model's text.")
  Map<String, String> trainCaps = new LinkedHashMap<>();

  @Option(names = "--skip-fetch", description = "Do not run scripts/fetch-data.sh; use what is in --raw.")
  boolean skipFetch;

  @Option(names = "--retrain-tokenizer", description = "Train the tokenizer even if its inputs are unchanged.")
  boolean retrainTokenizer;

  @Option(names = "--json", description = "Print a one-object JSON summary on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    PrintStream err = System.err;
    Path root = Cli.root();
    Path outDir = (out != null ? out : root.resolve("data")).toAbsolutePath().normalize();
    Path rawDir = (raw != null ? raw : outDir.resolve("raw")).toAbsolutePath().normalize();

    if (!skipFetch) fetch(root.resolve("scripts/fetch-data.sh"), rawDir, err);

    Mixture domains = Mixture.parse(mixture);
    DataPreparer.Options options = new DataPreparer.Options(
        rawDir, outDir, seed,
        arithTrain != null ? arithTrain : domains.arithTrain(), arithVal, arithTest,
        arithMaxDigits != null ? arithMaxDigits : domains.arithMaxDigits(),
        DataPreparer.DEFAULT_VAL_SHARE, DataPreparer.DEFAULT_TEST_SHARE, domains, TrainCaps.parse(domains, trainCaps),
        new DataPreparer.Counts(wordsTrain, wordsVal, wordsTest));
    err.println("data: preparing splits (seed " + seed + ") in " + outDir);
    DataPreparer.Result prepared = DataPreparer.prepare(options, line -> err.println("data: " + line));

    JsonObject tokenizerSummary = tokenizer(prepared, err);

    JsonObject summary = new JsonObject();
    summary.addProperty("raw", rawDir.toString());
    summary.addProperty("out", outDir.toString());
    summary.addProperty("seed", seed);
    JsonObject splits = new JsonObject();
    for (Domain domain : prepared.domains()) {
      JsonObject perSplit = new JsonObject();
      for (Split split : Split.values()) {
        DataPreparer.SplitStats s = prepared.get(domain, split);
        JsonObject o = new JsonObject();
        o.addProperty("docs", s.docs());
        o.addProperty("lines", s.lines());
        o.addProperty("bytes", s.bytes());
        perSplit.add(split.fileStem(), o);
      }
      splits.add(domain.dirName(), perSplit);
    }
    summary.add("splits", splits);
    summary.addProperty("manifest", prepared.layout().manifest().toString());
    summary.add("tokenizer", tokenizerSummary);
    summary.addProperty("seconds", round((System.nanoTime() - started) / 1e9, 2));

    if (json) {
      System.out.println(dev.fsgen.bench.Json.compact().toJson(summary));
    } else {
      printTable(prepared, tokenizerSummary);
    }
    return 0;
  }

  /** Runs the fetch script with its output on stderr, so that stdout stays clean for --json. */
  private static void fetch(Path script, Path rawDir, PrintStream err) throws IOException, InterruptedException {
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("fetch script not found: " + script + " (is -Dfsgen.root the repository root?)");
    }
    err.println("data: fetching raw corpora into " + rawDir);
    Process process = new ProcessBuilder("bash", script.toString(), rawDir.toString()).redirectErrorStream(true).start();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) err.println(line);
    }
    int exit = process.waitFor();
    if (exit != 0) throw new IllegalStateException(script.getFileName() + " failed with exit code " + exit + " (see the lines above)");
  }

  private JsonObject tokenizer(DataPreparer.Result prepared, PrintStream err) throws IOException {
    DataLayout layout = prepared.layout();
    Path tokenizerJson = layout.tokenizerJson();
    Path stamp = layout.tokenizerDir().resolve("training.json");
    JsonObject inputs = new JsonObject();
    inputs.addProperty("trainer", "byte-level-bpe/1");
    inputs.addProperty("vocab", vocab);
    // the tokenizer learns from every prepared domain, so the tuned (KJV) domain tokenizes as well as the base
    for (Domain domain : prepared.domains()) {
      inputs.addProperty(domain.dirName() + "/" + Split.TRAIN.fileName(), prepared.get(domain, Split.TRAIN).sha256());
    }
    boolean upToDate = !retrainTokenizer && Files.isRegularFile(tokenizerJson) && Files.isRegularFile(stamp)
        && inputs.equals(readJson(stamp).getAsJsonObject("inputs"));

    JsonObject summary = new JsonObject();
    double seconds = 0;
    if (upToDate) {
      err.println("data: tokenizer up to date (" + tokenizerJson + "), not retrained");
    } else {
      long start = System.nanoTime();
      BpeTrainer trainer = new BpeTrainer(vocab).onProgress(line -> err.println("data: " + line));
      for (Domain domain : prepared.domains()) trainer.addFile(layout.require(domain, Split.TRAIN));
      err.printf("data: training a %d-token byte-level BPE on %.1f MB%n", vocab, trainer.textBytes() / 1e6);
      BpeVocabulary vocabulary = trainer.train();
      vocabulary.writeTo(layout.tokenizerDir());
      seconds = (System.nanoTime() - start) / 1e9;
      JsonObject record = new JsonObject();
      record.add("inputs", inputs);
      record.addProperty("trainSeconds", round(seconds, 2));
      Files.writeString(stamp, new GsonBuilder().setPrettyPrinting().create().toJson(record) + "\n");
      err.printf("data: tokenizer written to %s (%.1f s)%n", tokenizerJson, seconds);
    }
    summary.addProperty("path", tokenizerJson.toString());
    summary.addProperty("trained", !upToDate);
    summary.addProperty("trainSeconds", round(seconds, 2));

    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerJson)) {
      summary.addProperty("vocabSize", tokenizer.vocabSize());
      summary.addProperty("eosId", tokenizer.eosId());
      summary.addProperty("fingerprint", tokenizer.fingerprint());
      JsonObject bytesPerToken = new JsonObject();
      for (Domain domain : prepared.domains()) {
        String text = Files.readString(layout.require(domain, Split.VAL), StandardCharsets.UTF_8);
        int tokens = tokenizer.encode(text).length;
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        bytesPerToken.addProperty(domain.dirName(), round(tokens == 0 ? 0 : (double) bytes / tokens, 3));
      }
      summary.add("valBytesPerToken", bytesPerToken);
    }
    return summary;
  }

  private static void printTable(DataPreparer.Result prepared, JsonObject tokenizer) {
    PrintStream out = System.out;
    out.printf("%-10s %-5s %8s %8s %10s%n", "domain", "split", "docs", "lines", "bytes");
    for (Domain domain : prepared.domains()) {
      for (Split split : Split.values()) {
        DataPreparer.SplitStats s = prepared.get(domain, split);
        out.printf("%-10s %-5s %8d %8d %10d%n", domain.dirName(), split.fileStem(), s.docs(), s.lines(), s.bytes());
      }
    }
    out.println("manifest   " + prepared.layout().manifest());
    out.println("tokenizer  " + tokenizer.get("path").getAsString());
    out.println("vocab      " + tokenizer.get("vocabSize").getAsInt() + " (eos id " + tokenizer.get("eosId").getAsInt() + ")");
    out.println("fingerprint " + tokenizer.get("fingerprint").getAsString());
    JsonObject bpt = tokenizer.getAsJsonObject("valBytesPerToken");
    out.printf("bytes/token on val: brown %.3f, kjv %.3f, arith %.3f%n",
        bpt.get("brown").getAsDouble(), bpt.get("kjv").getAsDouble(), bpt.get("arith").getAsDouble());
  }

  private static JsonObject readJson(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      return new JsonObject(); // an unreadable stamp only means "retrain"
    }
  }

  private static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }
}
