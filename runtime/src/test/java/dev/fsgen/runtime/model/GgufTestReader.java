package dev.fsgen.runtime.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A minimal GGUF reader for the tests: header, metadata, tensor descriptions and tensor values. */
final class GgufTestReader {
  record TensorInfo(String name, long[] dims, int type, long offset) {
    long elements() {
      long n = 1;
      for (long d : dims) n *= d;
      return n;
    }
  }

  final int version;
  final long alignment;
  final Map<String, Object> metadata = new LinkedHashMap<>();
  final Map<String, Integer> metadataTypes = new LinkedHashMap<>();
  final Map<String, TensorInfo> tensors = new LinkedHashMap<>();
  final long dataStart;
  final long fileSize;
  private final ByteBuffer buf;

  GgufTestReader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      fileSize = ch.size();
      buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
    }
    int magic = buf.getInt();
    if (magic != GgufWriter.MAGIC) throw new IOException("bad magic " + Integer.toHexString(magic));
    version = buf.getInt();
    long nTensors = buf.getLong();
    long nKv = buf.getLong();
    for (long i = 0; i < nKv; i++) {
      String key = string();
      int type = buf.getInt();
      metadataTypes.put(key, type);
      metadata.put(key, value(type));
    }
    for (long i = 0; i < nTensors; i++) {
      String name = string();
      int n = buf.getInt();
      long[] dims = new long[n];
      for (int d = 0; d < n; d++) dims[d] = buf.getLong();
      tensors.put(name, new TensorInfo(name, dims, buf.getInt(), buf.getLong()));
    }
    Object a = metadata.get("general.alignment");
    alignment = a == null ? 32 : ((Number) a).longValue();
    long pos = buf.position();
    dataStart = (pos + alignment - 1) / alignment * alignment;
  }

  private String string() {
    long n = buf.getLong();
    byte[] b = new byte[(int) n];
    buf.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private Object value(int type) {
    return switch (type) {
      case 0 -> (long) (buf.get() & 0xff);
      case 1 -> (int) buf.get();
      case 2 -> (long) (buf.getShort() & 0xffff);
      case 3 -> (int) buf.getShort();
      case 4 -> buf.getInt() & 0xffffffffL;
      case 5 -> buf.getInt();
      case 6 -> buf.getFloat();
      case 7 -> buf.get() != 0;
      case 8 -> string();
      case 9 -> {
        int elementType = buf.getInt();
        long n = buf.getLong();
        List<Object> list = new ArrayList<>();
        for (long i = 0; i < n; i++) list.add(value(elementType));
        yield list;
      }
      case 10, 11 -> buf.getLong();
      case 12 -> buf.getDouble();
      default -> throw new IllegalStateException("unknown GGUF value type " + type);
    };
  }

  /** A tensor's values as fp32, in file order (innermost dimension fastest). */
  float[] values(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) throw new IllegalArgumentException("no tensor " + name);
    int n = (int) t.elements();
    float[] out = new float[n];
    int at = (int) (dataStart + t.offset());
    for (int i = 0; i < n; i++) {
      out[i] = switch (t.type()) {
        case 0 -> buf.getFloat(at + 4 * i);
        case 1 -> GgufWriter.fromHalf(buf.getShort(at + 2 * i));
        case 30 -> Float.intBitsToFloat(buf.getShort(at + 2 * i) << 16);
        default -> throw new IllegalStateException("type " + t.type());
      };
    }
    return out;
  }
}
