package dev.fsgen.training.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.fsgen.training.data.DataPreparer.SplitStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes the split files of one preparation and keeps what each holds: the {@link SplitStats} and,
 * for domains whose training split is capped, how large it would have been without the cap.
 */
final class SplitWriter {
  /**
   * One document: the unit the splits are drawn over.
   *
   * @param group the part of the source it belongs to (a novel, a commentary), split on its own
   * @param lines the lines it contributes to its split file
   */
  record Document(String id, String group, List<String> lines) {
    /** Its bytes in a split file: every line UTF-8 and newline-terminated. */
    long bytes() {
      long n = 0;
      for (String line : lines) n += line.getBytes(StandardCharsets.UTF_8).length + 1;
      return n;
    }
  }

  private final DataLayout layout;
  private final TrainCaps caps;
  private final long seed;
  private final List<SplitStats> stats = new ArrayList<>();
  private final Map<Domain, Long> uncappedTrainBytes = new EnumMap<>(Domain.class);

  /** @param seed orders the documents a capped domain keeps */
  SplitWriter(DataLayout layout, TrainCaps caps, long seed) {
    this.layout = layout;
    this.caps = caps;
    this.seed = seed;
  }

  List<SplitStats> stats() {
    return stats;
  }

  /** The bytes a capped domain's training split would hold without its cap; empty for domains not capped. */
  Map<Domain, Long> uncappedTrainBytes() {
    return uncappedTrainBytes;
  }

  /**
   * Splits the documents by id within each group, writes the three split files and returns each
   * split's document ids in file order.
   */
  JsonObject stratified(Domain domain, List<Document> docs, SplitAssigner assigner) throws IOException {
    Map<String, List<String>> idsByGroup = new TreeMap<>();
    for (Document d : docs) idsByGroup.computeIfAbsent(d.group(), g -> new ArrayList<>()).add(d.id());
    return documents(domain, docs, assigner.assignStratified(idsByGroup));
  }

  /**
   * Writes the three split files of assigned documents, in the given order, and returns each split's
   * document ids in file order; with the domain capped, also the training documents left out
   * ({@code unused}).
   */
  JsonObject documents(Domain domain, List<Document> docs, Map<String, Split> assigned) throws IOException {
    Map<String, Long> trainSizes = new LinkedHashMap<>();
    for (Document d : docs) if (assigned.get(d.id()) == Split.TRAIN) trainSizes.put(d.id(), d.bytes());
    Set<String> kept = caps.kept(seed, domain, trainSizes);
    Map<Split, List<String>> lines = new EnumMap<>(Split.class);
    Map<Split, JsonArray> ids = new EnumMap<>(Split.class);
    for (Split split : Split.values()) {
      lines.put(split, new ArrayList<>());
      ids.put(split, new JsonArray());
    }
    JsonArray unused = new JsonArray();
    for (Document d : docs) {
      Split split = assigned.get(d.id());
      if (split == Split.TRAIN && !kept.contains(d.id())) {
        unused.add(d.id());
        continue;
      }
      lines.get(split).addAll(d.lines());
      ids.get(split).add(d.id());
    }
    JsonObject docIds = new JsonObject();
    for (Split split : Split.values()) {
      write(domain, split, ids.get(split).size(), lines.get(split));
      docIds.add(split.fileStem(), ids.get(split));
    }
    if (caps.cap(domain).isPresent()) {
      docIds.add("unused", unused);
      uncappedTrainBytes.put(domain, trainSizes.values().stream().mapToLong(Long::longValue).sum());
    }
    return docIds;
  }

  /** Writes one split file, one line each, and records what it holds. */
  void write(Domain domain, Split split, int docs, List<String> lines) throws IOException {
    StringBuilder text = new StringBuilder();
    for (String line : lines) {
      if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
        throw new IllegalStateException(domain.dirName() + " line holds a line break: " + line);
      }
      text.append(line).append('\n');
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    writeAtomically(layout.file(domain, split), bytes);
    stats.add(new SplitStats(domain, split, docs, lines.size(), bytes.length, SeededHash.sha256Hex(bytes)));
  }

  static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
