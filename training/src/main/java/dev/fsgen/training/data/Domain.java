package dev.fsgen.training.data;

/**
 * The text domains fsgen trains and evaluates on; the name is the directory under data/. Which of
 * them a data directory holds is its {@link Mixture}'s choice.
 */
public enum Domain {
  /** The Brown corpus: general edited American English, 15 genres. */
  BROWN("brown"),
  /** The King James Bible: the second domain that a "tuned" model is trained on. */
  KJV("kjv"),
  /** Generated addition and subtraction problems, scored by exact match. */
  ARITH("arith"),
  /** State of the Union addresses, 1790-2021: political prose across two centuries. */
  SOTU("sotu"),
  /** Jane Austen's six novels: nineteenth-century fiction and dialogue. */
  AUSTEN("austen"),
  /** Spurgeon's and Matthew Henry's Bible commentaries: prose about the Bible, quoting the KJV. */
  COMMENTARY("commentary"),
  /** Generated multi-step word problems with worked steps, scored by exact match of the final answer. */
  WORDS("words");

  private final String dirName;

  Domain(String dirName) {
    this.dirName = dirName;
  }

  public String dirName() {
    return dirName;
  }

  public static Domain parse(String name) {
    for (Domain d : values()) {
      if (d.dirName.equalsIgnoreCase(name) || d.name().equalsIgnoreCase(name)) return d;
    }
    throw new IllegalArgumentException("unknown domain '" + name + "' (expected brown, kjv, arith, sotu, austen, commentary or words)");
  }
}
