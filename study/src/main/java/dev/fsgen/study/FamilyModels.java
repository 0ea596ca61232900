package dev.fsgen.study;

import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The models the study pairs up: the general models of a family directory (one sub-directory per
 * model, as {@code ./fsgen family} writes it) and their Bible-tuned variants ({@code <name>-kjv}).
 * Models load on first use and stay loaded; all must share one tokenizer.
 */
public final class FamilyModels implements AutoCloseable {
  public record Member(String name, Path dir, long parameters) {}

  /** A small and a larger model, and the small one's Bible-tuned variant where there is one. */
  public record Pair(Member small, Member large, Member smallTuned) {
    public String id() {
      return small.name() + "→" + large.name();
    }

    /** File-name-safe identifier. */
    public String key() {
      return small.name() + "_" + large.name();
    }

    public double ratio() {
      return (double) large.parameters() / small.parameters();
    }
  }

  /** A Bible-tuned variant's directory is its base model's name with this suffix. */
  static final String TUNED_SUFFIX = "-kjv";

  private final List<Member> general;
  private final Map<String, Member> tuned;
  private final Map<String, LlamaModel> loaded = new LinkedHashMap<>();

  private FamilyModels(List<Member> general, Map<String, Member> tuned) {
    this.general = general.stream().sorted(Comparator.comparingLong(Member::parameters)).toList();
    this.tuned = tuned;
  }

  /** Every model directory (with a {@code config.json}) under {@code familyDir}. */
  public static FamilyModels scan(Path familyDir) {
    if (!Files.isDirectory(familyDir)) throw new IllegalArgumentException("no model family at " + familyDir + " (run ./fsgen family)");
    List<Member> general = new ArrayList<>();
    Map<String, Member> tuned = new LinkedHashMap<>();
    try (Stream<Path> dirs = Files.list(familyDir)) {
      for (Path dir : dirs.sorted().toList()) {
        if (!Files.exists(dir.resolve(LlamaConfig.FILE))) continue;
        String name = dir.getFileName().toString();
        Member m = new Member(name, dir, LlamaConfig.read(dir).parameterCount());
        if (name.endsWith(TUNED_SUFFIX)) tuned.put(name.substring(0, name.length() - TUNED_SUFFIX.length()), m);
        else general.add(m);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (general.size() < 2) throw new IllegalArgumentException(familyDir + " holds " + general.size() + " general model(s); the study needs at least 2");
    return new FamilyModels(general, tuned);
  }

  /** Just two models, named by their role (the bundled default pair). */
  public static FamilyModels pair(Path system1, Path system2) {
    Member s = new Member("system1", system1, LlamaConfig.read(system1).parameterCount());
    Member l = new Member("system2", system2, LlamaConfig.read(system2).parameterCount());
    if (s.parameters() >= l.parameters()) throw new IllegalArgumentException(system1 + " is not smaller than " + system2);
    return new FamilyModels(List.of(s, l), Map.of());
  }

  public List<Member> general() {
    return general;
  }

  /** Every (small, large) pair with N_L > N_S, smallest small model first. */
  public List<Pair> pairs() {
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < general.size(); i++) {
      for (int j = i + 1; j < general.size(); j++) {
        if (general.get(j).parameters() > general.get(i).parameters()) {
          pairs.add(new Pair(general.get(i), general.get(j), tuned.get(general.get(i).name())));
        }
      }
    }
    return pairs;
  }

  /** The pair the router sweep and the accuracy table centre on: the largest model with each smaller one. */
  public List<Pair> pairsWithLargest() {
    Member largest = general.get(general.size() - 1);
    return pairs().stream().filter(p -> p.large().equals(largest)).toList();
  }

  public synchronized LocalLanguageModel model(Member m) {
    return new LocalLanguageModel(loaded.computeIfAbsent(m.name(), n -> LlamaModel.load(m.dir())));
  }

  /** The family's tokenizer, after checking that every member has the same one. */
  public TextTokenizer tokenizer() {
    String fingerprint = null;
    TextTokenizer first = null;
    List<Member> all = new ArrayList<>(general);
    all.addAll(tuned.values());
    for (Member m : all) {
      TextTokenizer t = TextTokenizer.load(m.dir().resolve("tokenizer.json"));
      if (first == null) {
        first = t;
        fingerprint = t.fingerprint();
        continue;
      }
      boolean same = t.fingerprint().equals(fingerprint);
      t.close();
      if (!same) {
        first.close();
        throw new IllegalArgumentException(m.dir() + " has a different tokenizer from " + all.get(0).dir() + "; the study pairs models that share one");
      }
    }
    return first;
  }

  @Override
  public synchronized void close() {
    loaded.values().forEach(LlamaModel::close);
    loaded.clear();
  }
}
