package dev.fsgen.training.data;

/** Train/validation/test; the name is the file name stem ({@code train.txt}, {@code val.txt}, {@code test.txt}). */
public enum Split {
  TRAIN("train"),
  VAL("val"),
  TEST("test");

  private final String fileStem;

  Split(String fileStem) {
    this.fileStem = fileStem;
  }

  public String fileStem() {
    return fileStem;
  }

  public String fileName() {
    return fileStem + ".txt";
  }

  public static Split parse(String name) {
    for (Split s : values()) {
      if (s.fileStem.equalsIgnoreCase(name) || s.name().equalsIgnoreCase(name)) return s;
    }
    if ("validation".equalsIgnoreCase(name)) return VAL;
    throw new IllegalArgumentException("unknown split '" + name + "' (expected train, val or test)");
  }
}
