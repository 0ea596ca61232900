package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCapsTest {
  private static DataPreparer.Options broad(Path raw, Path out) {
    return DataPreparer.Options.defaults(raw, out).withArithmetic(300, 20, 20).withMixture(Mixture.BROAD);
  }

  private static JsonObject manifest(DataPreparer.Result result) throws Exception {
    return JsonParser.parseString(Files.readString(result.layout().manifest())).getAsJsonObject();
  }

  @Test
  void cappedTrainingSplitsFollowTheCapsAndTheManifestRecordsThem(@TempDir Path tmp) throws Exception {
    Path raw = DataPreparerTest.fakeBroadRaw(tmp.resolve("raw"));
    DataPreparer.Result free = DataPreparer.prepare(broad(raw, tmp.resolve("free")).withTrainCaps(TrainCaps.none()), m -> {});
    long commentaryBytes = free.get(Domain.COMMENTARY, Split.TRAIN).bytes();
    long sotuBytes = free.get(Domain.SOTU, Split.TRAIN).bytes();
    TrainCaps caps = TrainCaps.none().with(Domain.COMMENTARY, OptionalLong.of(commentaryBytes / 2)).with(Domain.SOTU, OptionalLong.of(100));
    DataPreparer.Result capped = DataPreparer.prepare(broad(raw, tmp.resolve("capped")).withTrainCaps(caps), m -> {});

    // within the cap, and short of it by less than one document (every fake entry and address is under 40 bytes)
    long commentary = capped.get(Domain.COMMENTARY, Split.TRAIN).bytes();
    assertTrue(commentary <= commentaryBytes / 2 && commentary > commentaryBytes / 2 - 40, commentary + " of " + commentaryBytes);
    long sotu = capped.get(Domain.SOTU, Split.TRAIN).bytes();
    assertTrue(sotu <= 100 && sotu > 60, sotu + " bytes");
    // the evaluation splits and the domains not capped do not change
    for (Domain d : Mixture.BROAD.domains()) {
      for (Split split : Split.values()) {
        if (split == Split.TRAIN && caps.cap(d).isPresent()) continue;
        assertEquals(free.get(d, split).sha256(), capped.get(d, split).sha256(), d + " " + split);
      }
    }

    JsonObject text = manifest(capped).getAsJsonObject("trainText");
    JsonObject domains = text.getAsJsonObject("domains");
    assertEquals(List.copyOf(Mixture.BROAD.domains().stream().map(Domain::dirName).toList()), List.copyOf(domains.keySet()));
    long total = 0;
    for (Domain d : Mixture.BROAD.domains()) {
      JsonObject o = domains.getAsJsonObject(d.dirName());
      assertEquals(capped.get(d, Split.TRAIN).bytes(), o.get("bytes").getAsLong(), d.dirName());
      total += o.get("bytes").getAsLong();
    }
    assertEquals(total, text.get("bytes").getAsLong());
    assertEquals(commentaryBytes / 2, domains.getAsJsonObject("commentary").get("capBytes").getAsLong());
    assertEquals(commentaryBytes, domains.getAsJsonObject("commentary").get("uncappedBytes").getAsLong());
    assertEquals(sotuBytes, domains.getAsJsonObject("sotu").get("uncappedBytes").getAsLong());
    assertTrue(!domains.getAsJsonObject("austen").has("capBytes"));
    assertEquals((double) commentary / total, domains.getAsJsonObject("commentary").get("share").getAsDouble(), 1e-4);
    // the entries left out are listed, so every entry is accounted for once
    JsonObject docs = manifest(capped).getAsJsonObject("commentary").getAsJsonObject("docs");
    assertEquals(free.get(Domain.COMMENTARY, Split.TRAIN).docs(),
        capped.get(Domain.COMMENTARY, Split.TRAIN).docs() + docs.getAsJsonArray("unused").size());
  }

  @Test
  void broadDefaultsCapTheFurtherSourcesAtAboutTheKjvsSize() {
    TrainCaps caps = TrainCaps.defaults(Mixture.BROAD);
    for (Domain d : List.of(Domain.SOTU, Domain.AUSTEN, Domain.COMMENTARY)) {
      assertEquals(OptionalLong.of(TrainCaps.DEFAULT_FURTHER_SOURCE_BYTES), caps.cap(d), d.dirName());
    }
    assertTrue(caps.cap(Domain.KJV).isEmpty() && caps.cap(Domain.BROWN).isEmpty());
    assertEquals(Map.of(), TrainCaps.defaults(Mixture.BUNDLED).bytes());
    TrainCaps set = TrainCaps.parse(Mixture.BROAD, Map.of("commentary", "2000000", "sotu", "none"));
    assertEquals(OptionalLong.of(2_000_000), set.cap(Domain.COMMENTARY));
    assertTrue(set.cap(Domain.SOTU).isEmpty());
    assertEquals(caps.cap(Domain.AUSTEN), set.cap(Domain.AUSTEN));
  }

  @Test
  void refusesCapsThatCannotApply(@TempDir Path tmp) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DataPreparer.Options.defaults(tmp, tmp).withTrainCaps(TrainCaps.defaults(Mixture.BROAD)));
    assertTrue(e.getMessage().contains("bundled"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TrainCaps.parse(Mixture.BROAD, Map.of("brown", "1000")));
    assertTrue(e.getMessage().contains("brown"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TrainCaps.parse(Mixture.BROAD, Map.of("austen", "4MB")));
    assertTrue(e.getMessage().contains("austen") && e.getMessage().contains("4MB"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TrainCaps.parse(Mixture.BROAD, Map.of("sotu", "0")));
    assertTrue(e.getMessage().contains("at least 1 byte"), e.getMessage());
  }

  @Test
  void bundledMixtureIsUnchangedByTheBroadDefaults(@TempDir Path tmp) throws Exception {
    Path raw = DataPreparerTest.fakeBroadRaw(tmp.resolve("raw"));
    DataPreparer.Options bundled = DataPreparer.Options.defaults(raw, tmp.resolve("a")).withArithmetic(300, 20, 20);
    DataPreparer.Result viaBroad = DataPreparer.prepare(
        DataPreparer.Options.defaults(raw, tmp.resolve("b")).withArithmetic(300, 20, 20).withMixture(Mixture.BROAD).withMixture(Mixture.BUNDLED), m -> {});
    DataPreparer.Result plain = DataPreparer.prepare(bundled, m -> {});
    assertArrayEquals(Files.readAllBytes(plain.layout().manifest()), Files.readAllBytes(viaBroad.layout().manifest()));
    assertTrue(!manifest(plain).has("trainText") && !manifest(plain).has("mixture"));
  }

  /**
   * On a machine where Brown and the KJV were fetched: the bundled mixture's files are still the ones
   * the bundled models and the tokenizer were trained on (their SHA-256 as that preparation's
   * manifest recorded them), and the manifest is byte for byte the one written then.
   */
  @Test
  void realBundledFilesAreTheOnesTheBundledModelsWereTrainedOn(@TempDir Path tmp) throws Exception {
    Path raw = RealRaw.require("kjv.txt").getParent();
    RealRaw.require("brown");
    DataPreparer.Result result = DataPreparer.prepare(DataPreparer.Options.defaults(raw, tmp), m -> {});
    Map<String, String> trainedOn = Map.of(
        "brown/train.txt", "aa482dad403abc2d51fbd06b5be0654020e3a6eb37172720d1b3aebca1308218",
        "brown/val.txt", "a03279ece226ed9e072d76ed21dacb01f7714f9f86f927b21809f9ed9e597721",
        "brown/test.txt", "ff3657d65bd3e7112c08f0b7d00bd69dc448009ddb1190f393307c8ce7f20427",
        "kjv/train.txt", "fe0666aa2a0acb3fb5a69bd9f29937f2718a9ba8776d2d42c6335db1c7246d88",
        "kjv/val.txt", "d57a0f8775ebac6ec3aadc37d7c4467b8048841cf245f7cd882d4bed486cde55",
        "kjv/test.txt", "700dde242b4c975d4fa059e8f16d0f3d154088c6c8fec1df66152f1e58600fb2",
        "arith/train.txt", "741eefefe6f89f77a8be5c83f2d2ca5e8463526b9ed725e653b96307a19b570b",
        "arith/val.txt", "74d77f4d0b555bf49f9581adf50a255c7e779aa4004abb368e7b0372acdce2c7",
        "arith/test.txt", "1706c2b85ff1de92136a32cda54b9dc7770135e988502933b1fa964d1ecbee55");
    for (DataPreparer.SplitStats s : result.stats()) {
      String file = s.domain().dirName() + "/" + s.split().fileName();
      assertEquals(trainedOn.get(file), s.sha256(), file);
    }
    assertEquals(trainedOn.size(), result.stats().size());
    assertEquals("4c2227e84a9efeb59e0036c51a3f7d1f4f32f00a273c4764c6aeea303006ab19", SeededHash.sha256Hex(Files.readAllBytes(result.layout().manifest())), "manifest.json");
  }
}
