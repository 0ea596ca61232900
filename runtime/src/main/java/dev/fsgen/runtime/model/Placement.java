package dev.fsgen.runtime.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Where a model's tensors live (its weights, every KV cache, every step's arrays) and which code
 * runs its short steps.
 *
 * <p>On the CPU one-token steps and short verify blocks run in Java ({@link VectorDecoder}) by
 * default: libtorch's per-operation overhead dominates such small products. The Java path reads
 * the weights and caches as host memory, so on a GPU every step runs through libtorch, and
 * {@link DecodePath#LIBTORCH} forces that same path on the CPU (comparisons, and tests of the GPU
 * path's logic on machines without one).
 *
 * @param device the libtorch device of the model's manager and every array in it
 * @param path which code runs one-token steps and short blocks
 */
public record Placement(Device device, DecodePath path) {
  /** Which code runs a model's one-token steps and short blocks. */
  public enum DecodePath {
    /** {@link VectorDecoder}: the Vector API on host memory (CPU only). */
    JAVA,
    /** Every step is a libtorch forward pass on the model's device. */
    LIBTORCH;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The property the model services set from {@code --device}: {@code cpu}, {@code cuda} or {@code cuda:N}. */
  public static final String DEVICE_PROPERTY = "fsgen.device";
  /** The property the model services set from {@code --decode-path}: {@code java} or {@code libtorch}. */
  public static final String DECODE_PROPERTY = "fsgen.decode";

  /** Whether the incubating Vector API module is present ({@code --add-modules jdk.incubator.vector}). */
  public static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  /** The CPU with the Java step where the Vector API allows it: what every command but a configured service uses. */
  public static final Placement CPU = new Placement(Device.cpu(), VECTOR_API ? DecodePath.JAVA : DecodePath.LIBTORCH);

  public Placement {
    if (path == DecodePath.JAVA && device.isGpu()) {
      throw new IllegalArgumentException("--decode-path java reads the model from host memory and cannot run with --device "
          + name(device) + "; use --decode-path libtorch (the default on a GPU)");
    }
    if (path == DecodePath.JAVA && !VECTOR_API) {
      throw new IllegalArgumentException("--decode-path java needs the Vector API: run java with --add-modules jdk.incubator.vector");
    }
  }

  /** Whether one-token steps and short blocks run in Java. */
  public boolean javaSteps() {
    return path == DecodePath.JAVA;
  }

  /**
   * The placement named by {@link #DEVICE_PROPERTY} and {@link #DECODE_PROPERTY} (set by
   * {@link #configure}); unset, the CPU with its default path. Nothing is checked against the
   * engine here: {@link #configure} did that when the process started.
   */
  public static Placement configured() {
    return parse(System.getProperty(DEVICE_PROPERTY), System.getProperty(DECODE_PROPERTY));
  }

  /**
   * Checks a service's {@code --device} and {@code --decode-path} (null: the defaults) against
   * the tensor engine and records them for the models it loads afterwards. It starts the engine,
   * so it runs after the engine's thread settings are made.
   *
   * @throws IllegalArgumentException naming the option: an unknown device or path, a GPU the
   *     engine does not see, or the Java path on a GPU
   */
  public static Placement configure(String device, String decodePath) {
    Placement p = parse(device, decodePath);
    if (p.device.isGpu()) {
      int gpus = Engine.getEngine("PyTorch").getGpuCount();
      if (p.device.getDeviceId() >= gpus) {
        throw new IllegalArgumentException("--device " + name(p.device) + ": the PyTorch engine sees "
            + (gpus == 0 ? "no GPU (a CPU build of libtorch, or no CUDA driver; the CUDA image is fsgen/system2-cuda, see deploy/README.md)"
                : gpus + " GPU" + (gpus == 1 ? "" : "s") + " (cuda:0 to cuda:" + (gpus - 1) + ")"));
      }
    }
    System.setProperty(DEVICE_PROPERTY, name(p.device));
    System.setProperty(DECODE_PROPERTY, p.path.toString());
    return p;
  }

  /** A placement from the options' values (null or blank: the default) without asking the engine. */
  public static Placement parse(String device, String decodePath) {
    Device d = parseDevice(device);
    DecodePath path;
    if (decodePath == null || decodePath.isBlank()) {
      path = d.isGpu() || !VECTOR_API ? DecodePath.LIBTORCH : DecodePath.JAVA;
    } else {
      path = switch (decodePath.trim().toLowerCase(Locale.ROOT)) {
        case "java" -> DecodePath.JAVA;
        case "libtorch" -> DecodePath.LIBTORCH;
        default -> throw new IllegalArgumentException("--decode-path must be java or libtorch, got '" + decodePath + "'");
      };
    }
    return new Placement(d, path);
  }

  private static Device parseDevice(String name) {
    if (name == null || name.isBlank()) return Device.cpu();
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("cpu")) return Device.cpu();
    if (n.equals("cuda")) return Device.gpu();
    if (n.matches("cuda:\\d{1,3}")) return Device.gpu(Integer.parseInt(n.substring(5)));
    throw new IllegalArgumentException("--device must be cpu, cuda or cuda:N, got '" + name + "'");
  }

  /** The option's spelling of a device: cpu or cuda:N. */
  static String name(Device d) {
    return d.isGpu() ? "cuda:" + d.getDeviceId() : "cpu";
  }

  @Override
  public String toString() {
    return name(device) + ", " + path + " steps";
  }
}
