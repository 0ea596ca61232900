package dev.fsgen.training.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The most bytes each domain's training split may hold: the weights of the general model's training
 * text. A capped domain keeps a seeded sample of whole training documents (the longest run of them,
 * in seeded-hash order, that fits); the documents left out are in no split, so validation and test do
 * not change with the caps.
 *
 * <p>The broad mixture's defaults cap each further source (addresses, Austen, commentaries) at
 * {@value #DEFAULT_FURTHER_SOURCE_BYTES} bytes, about the KJV's training split (3.7 MB). Uncapped, the
 * commentaries (19 MB) would be about half of the ~41 MB and the addresses (9.7 MB) another quarter,
 * so the "general" model would mostly learn to write about the Bible and to address Congress; capped,
 * Brown (5.4 MB, the general-English base) stays the largest at about a quarter, and the Bible and
 * writing about it (KJV and commentary) are about a third, in distribution without dominating.
 *
 * @param bytes the cap of each capped domain; a domain not in the map is not capped
 */
public record TrainCaps(Map<Domain, Long> bytes) {
  public static final long DEFAULT_FURTHER_SOURCE_BYTES = 4_000_000;
  /** The domains split by document whose training documents can be sampled; Brown and the generated tasks are sized otherwise. */
  public static final Set<Domain> CAPPABLE = EnumSet.of(Domain.KJV, Domain.SOTU, Domain.AUSTEN, Domain.COMMENTARY);

  public TrainCaps {
    for (Map.Entry<Domain, Long> e : bytes.entrySet()) {
      if (!CAPPABLE.contains(e.getKey())) {
        throw new IllegalArgumentException("the training split of " + e.getKey().dirName() + " cannot be capped (only kjv, sotu, austen, commentary)");
      }
      if (e.getValue() == null || e.getValue() < 1) {
        throw new IllegalArgumentException(e.getKey().dirName() + " cap must be at least 1 byte, got " + e.getValue());
      }
    }
    bytes = bytes.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(bytes));
  }

  public static TrainCaps none() {
    return new TrainCaps(Map.of());
  }

  /** The caps a mixture is prepared with unless told otherwise; none for the bundled mixture, whose files must not change. */
  public static TrainCaps defaults(Mixture mixture) {
    if (mixture == Mixture.BUNDLED) return none();
    Map<Domain, Long> caps = new EnumMap<>(Domain.class);
    for (Domain d : List.of(Domain.SOTU, Domain.AUSTEN, Domain.COMMENTARY)) caps.put(d, DEFAULT_FURTHER_SOURCE_BYTES);
    return new TrainCaps(caps);
  }

  /** These caps with {@code domain}'s set to {@code cap}, or lifted when {@code cap} is empty. */
  public TrainCaps with(Domain domain, OptionalLong cap) {
    Map<Domain, Long> caps = new EnumMap<>(Domain.class);
    caps.putAll(bytes);
    if (cap.isPresent()) caps.put(domain, cap.getAsLong());
    else caps.remove(domain);
    return new TrainCaps(caps);
  }

  /**
   * {@link #defaults} changed by command-line settings {@code domain -> bytes}, or {@code none} to
   * lift a default cap.
   */
  public static TrainCaps parse(Mixture mixture, Map<String, String> settings) {
    TrainCaps caps = defaults(mixture);
    for (Map.Entry<String, String> e : settings.entrySet()) {
      Domain domain = Domain.parse(e.getKey());
      String value = e.getValue().strip();
      if (value.equalsIgnoreCase("none")) {
        caps = caps.with(domain, OptionalLong.empty());
        continue;
      }
      try {
        caps = caps.with(domain, OptionalLong.of(Long.parseLong(value)));
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("cap for " + domain.dirName() + " must be a number of bytes or none, got '" + value + "'");
      }
    }
    return caps;
  }

  public OptionalLong cap(Domain domain) {
    Long cap = bytes.get(domain);
    return cap == null ? OptionalLong.empty() : OptionalLong.of(cap);
  }

  /**
   * The training documents a domain keeps: all when it is not capped, else those of the longest
   * prefix of the documents ordered by {@code hash(seed, id)} whose bytes fit the cap.
   *
   * @param sizes each training document's id and bytes in the split file
   */
  public Set<String> kept(long seed, Domain domain, Map<String, Long> sizes) {
    OptionalLong cap = cap(domain);
    if (cap.isEmpty()) return sizes.keySet();
    List<String> order = new ArrayList<>(sizes.keySet());
    order.sort(Comparator.comparingLong((String id) -> SeededHash.of(seed, "cap/" + domain.dirName() + "/" + id))
        .thenComparing(Comparator.naturalOrder()));
    Set<String> kept = new HashSet<>();
    long total = 0;
    for (String id : order) {
      total += sizes.get(id);
      if (total > cap.getAsLong()) break;
      kept.add(id);
    }
    return kept;
  }
}
