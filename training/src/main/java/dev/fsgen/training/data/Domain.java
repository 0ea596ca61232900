package dev.fsgen.training.data;

/** The three text domains fsgen trains and evaluates on; the name is the directory under data/. */
public enum Domain {
  /** The Brown corpus: general edited American English, 15 genres. */
  BROWN("brown"),
  /** The King James Bible: the second domain that a "tuned" model is trained on. */
  KJV("kjv"),
  /** Generated addition and subtraction problems, scored by exact match. */
  ARITH("arith");

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
    throw new IllegalArgumentException("unknown domain '" + name + "' (expected brown, kjv or arith)");
  }
}
