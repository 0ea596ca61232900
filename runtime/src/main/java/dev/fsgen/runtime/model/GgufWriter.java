package dev.fsgen.runtime.model;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A writer of GGUF version 3 files, the format llama.cpp loads: a header, typed key/value metadata,
 * tensor descriptions, then the tensor data, each block aligned to {@link #ALIGNMENT} bytes. All
 * numbers are little-endian.
 *
 * <p>Tensors are given as fp32 values in row-major order with their shape outermost first, as
 * PyTorch and safetensors spell it ({@code [out, in]} for a linear weight); the file stores the
 * dimensions innermost first, as ggml counts them. Values are converted to the tensor's
 * {@link TensorType} while writing; a tensor's values are asked for only when it is written, so a
 * large model need not be held twice.
 */
public final class GgufWriter {
  /** "GGUF" read as a little-endian uint32. */
  public static final int MAGIC = 0x46554747;
  public static final int VERSION = 3;
  /** llama.cpp's default ({@code general.alignment} when absent). */
  public static final int ALIGNMENT = 32;

  /** Metadata value types, with their numbers in the file. */
  public enum ValueType {
    UINT8(0), INT8(1), UINT16(2), INT16(3), UINT32(4), INT32(5), FLOAT32(6), BOOL(7), STRING(8), ARRAY(9),
    UINT64(10), INT64(11), FLOAT64(12);

    public final int id;

    ValueType(int id) {
      this.id = id;
    }
  }

  /** Tensor element types this writer produces (ggml's {@code ggml_type} numbers). */
  public enum TensorType {
    F32(0, 4), F16(1, 2), BF16(30, 2);

    public final int id;
    public final int bytes;

    TensorType(int id, int bytes) {
      this.id = id;
      this.bytes = bytes;
    }

    /** f32/float32, f16/float16/fp16, bf16/bfloat16, any case. */
    public static TensorType parse(String name) {
      return switch (name.toLowerCase(java.util.Locale.ROOT)) {
        case "f32", "fp32", "float32" -> F32;
        case "f16", "fp16", "float16" -> F16;
        case "bf16", "bfloat16" -> BF16;
        default -> throw new IllegalArgumentException("GGUF tensor type must be f32, f16 or bf16, got '" + name + "'");
      };
    }
  }

  private record Value(ValueType type, ValueType elementType, Object value) {}

  private record Tensor(String name, long[] shape, TensorType type, Supplier<float[]> values) {
    long elements() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }

    long bytes() {
      return elements() * type.bytes;
    }
  }

  private final Map<String, Value> metadata = new LinkedHashMap<>();
  private final Map<String, Tensor> tensors = new LinkedHashMap<>();

  public GgufWriter putString(String key, String value) {
    return put(key, new Value(ValueType.STRING, null, value));
  }

  public GgufWriter putUint32(String key, long value) {
    if (value < 0 || value > 0xFFFF_FFFFL) throw new IllegalArgumentException(key + ": " + value + " is not a uint32");
    return put(key, new Value(ValueType.UINT32, null, value));
  }

  public GgufWriter putInt32(String key, int value) {
    return put(key, new Value(ValueType.INT32, null, value));
  }

  public GgufWriter putUint64(String key, long value) {
    return put(key, new Value(ValueType.UINT64, null, value));
  }

  public GgufWriter putFloat32(String key, float value) {
    return put(key, new Value(ValueType.FLOAT32, null, value));
  }

  public GgufWriter putBool(String key, boolean value) {
    return put(key, new Value(ValueType.BOOL, null, value));
  }

  public GgufWriter putStrings(String key, List<String> values) {
    return put(key, new Value(ValueType.ARRAY, ValueType.STRING, List.copyOf(values)));
  }

  public GgufWriter putInt32s(String key, int[] values) {
    return put(key, new Value(ValueType.ARRAY, ValueType.INT32, values.clone()));
  }

  public GgufWriter putFloat32s(String key, float[] values) {
    return put(key, new Value(ValueType.ARRAY, ValueType.FLOAT32, values.clone()));
  }

  private GgufWriter put(String key, Value v) {
    if (key == null || key.isEmpty()) throw new IllegalArgumentException("metadata key must not be empty");
    if (metadata.containsKey(key)) throw new IllegalArgumentException("metadata key '" + key + "' given twice");
    metadata.put(key, v);
    return this;
  }

  /** Adds a tensor whose values are already at hand. */
  public GgufWriter addTensor(String name, long[] shape, TensorType type, float[] values) {
    long n = 1;
    for (long d : shape) n *= d;
    if (n != values.length) {
      throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " holds " + n
          + " values, got " + values.length);
    }
    return addTensor(name, shape, type, () -> values);
  }

  /**
   * Adds a tensor whose values are produced when it is written.
   *
   * @param shape outermost dimension first (row-major), at most 4 dimensions
   */
  public GgufWriter addTensor(String name, long[] shape, TensorType type, Supplier<float[]> values) {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("tensor name must not be empty");
    if (name.getBytes(StandardCharsets.UTF_8).length >= 64) {
      throw new IllegalArgumentException("tensor name '" + name + "' is too long for ggml (63 bytes at most)");
    }
    if (shape.length < 1 || shape.length > 4) {
      throw new IllegalArgumentException("tensor '" + name + "': ggml tensors have 1 to 4 dimensions, got " + shape.length);
    }
    for (long d : shape) if (d < 1) throw new IllegalArgumentException("tensor '" + name + "': bad shape " + Arrays.toString(shape));
    if (tensors.containsKey(name)) throw new IllegalArgumentException("tensor '" + name + "' given twice");
    tensors.put(name, new Tensor(name, shape.clone(), type, values));
    return this;
  }

  public int tensorCount() {
    return tensors.size();
  }

  /**
   * Writes the file: to a temporary file beside it, moved into place when complete, so that a
   * failure never leaves a truncated model behind. Returns the number of bytes written.
   */
  public long write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Path tmp = file.resolveSibling(file.getFileName() + ".part");
    try {
      long n;
      try (OutputStream raw = Files.newOutputStream(tmp); Out out = new Out(new BufferedOutputStream(raw, 1 << 20))) {
        writeTo(out);
        n = out.count;
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return n;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void writeTo(Out out) throws IOException {
    out.u32(MAGIC);
    out.u32(VERSION);
    out.u64(tensors.size());
    out.u64(metadata.size());
    for (Map.Entry<String, Value> e : metadata.entrySet()) {
      out.string(e.getKey());
      writeValue(out, e.getValue());
    }
    long offset = 0;
    List<Long> offsets = new ArrayList<>();
    for (Tensor t : tensors.values()) {
      out.string(t.name);
      out.u32(t.shape.length);
      for (int i = t.shape.length - 1; i >= 0; i--) out.u64(t.shape[i]); // ggml: innermost first
      out.u32(t.type.id);
      out.u64(offset);
      offsets.add(offset);
      offset = align(offset + t.bytes());
    }
    out.pad();
    long dataStart = out.count;
    int i = 0;
    for (Tensor t : tensors.values()) {
      if (out.count - dataStart != offsets.get(i++)) throw new IllegalStateException("tensor data misplaced: " + t.name);
      float[] v = t.values.get();
      if (v.length != t.elements()) {
        throw new IllegalStateException("tensor '" + t.name + "': expected " + t.elements() + " values, got " + v.length);
      }
      out.tensor(v, t.type);
      out.pad();
    }
  }

  private static void writeValue(Out out, Value v) throws IOException {
    out.u32(v.type.id);
    if (v.type == ValueType.ARRAY) {
      out.u32(v.elementType.id);
      switch (v.elementType) {
        case STRING -> {
          @SuppressWarnings("unchecked")
          List<String> list = (List<String>) v.value;
          out.u64(list.size());
          for (String s : list) out.string(s);
        }
        case INT32 -> {
          int[] a = (int[]) v.value;
          out.u64(a.length);
          for (int x : a) out.u32(x);
        }
        case FLOAT32 -> {
          float[] a = (float[]) v.value;
          out.u64(a.length);
          for (float x : a) out.u32(Float.floatToRawIntBits(x));
        }
        default -> throw new IllegalStateException("unsupported array element type " + v.elementType);
      }
      return;
    }
    switch (v.type) {
      case STRING -> out.string((String) v.value);
      case UINT32 -> out.u32((int) (long) (Long) v.value);
      case INT32 -> out.u32((Integer) v.value);
      case UINT64 -> out.u64((Long) v.value);
      case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) v.value));
      case BOOL -> out.u8((Boolean) v.value ? 1 : 0);
      default -> throw new IllegalStateException("unsupported value type " + v.type);
    }
  }

  static long align(long n) {
    return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  /**
   * IEEE half precision nearest to {@code f} (ties to even), as the bits of a short; overflow
   * becomes infinity, NaN stays NaN.
   */
  public static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    int e = exp - 127 + 15;
    if (e >= 0x1f) return (short) (sign | 0x7c00);
    if (e <= 0) { // a half subnormal, or zero
      if (e < -10) return (short) sign;
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rest = m & ((1 << shift) - 1);
      int halfway = 1 << (shift - 1);
      if (rest > halfway || (rest == halfway && (half & 1) != 0)) half++;
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) half++; // a carry rounds up into the exponent, as it should
    return (short) (sign | half);
  }

  /** The fp32 value of half-precision bits. */
  public static float fromHalf(short h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /** bfloat16 nearest to {@code f} (ties to even), as the bits of a short. */
  public static short toBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x40); // NaN stays (quiet) NaN
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  /** A counting little-endian output stream. */
  private static final class Out implements AutoCloseable {
    private final OutputStream out;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    long count;

    Out(OutputStream out) {
      this.out = out;
    }

    private void room(int n) throws IOException {
      if (buf.remaining() < n) flush();
    }

    private void flush() throws IOException {
      out.write(buf.array(), 0, buf.position());
      buf.clear();
    }

    void u8(int v) throws IOException {
      room(1);
      buf.put((byte) v);
      count += 1;
    }

    void u32(int v) throws IOException {
      room(4);
      buf.putInt(v);
      count += 4;
    }

    void u64(long v) throws IOException {
      room(8);
      buf.putLong(v);
      count += 8;
    }

    void string(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u64(b.length);
      bytes(b);
    }

    void bytes(byte[] b) throws IOException {
      flush();
      out.write(b);
      count += b.length;
    }

    void pad() throws IOException {
      while (count % ALIGNMENT != 0) u8(0);
    }

    void tensor(float[] v, TensorType type) throws IOException {
      for (float x : v) {
        switch (type) {
          case F32 -> u32(Float.floatToRawIntBits(x));
          case F16 -> u16(toHalf(x));
          case BF16 -> u16(toBfloat16(x));
        }
      }
    }

    private void u16(short v) throws IOException {
      room(2);
      buf.putShort(v);
      count += 2;
    }

    @Override
    public void close() throws IOException {
      flush();
      out.close();
    }
  }
}
