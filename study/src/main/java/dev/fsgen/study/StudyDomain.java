package dev.fsgen.study;

/** The three prompt sets of the study, each drawn from held-out (test) data. */
public enum StudyDomain {
  PROSE("prose", "Brown corpus"),
  BIBLE("bible", "King James Bible"),
  ARITHMETIC("arithmetic", "two-digit addition and subtraction");

  public final String id;
  public final String description;

  StudyDomain(String id, String description) {
    this.id = id;
    this.description = description;
  }
}
