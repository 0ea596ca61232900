package dev.fsgen.runtime.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads only the header of a safetensors file, so that a truncated or corrupt file is refused with
 * the name of the tensor at fault before DJL decodes anything. DJL does the decoding itself.
 */
public final class SafetensorsHeader {
  private static final Set<String> FLOAT_TYPES = Set.of("F32", "F16", "BF16");
  private static final long MAX_HEADER = 100L << 20;

  public record Entry(String dtype, long[] shape, long begin, long end) {}

  /** Where tensor data begins: after the 8-byte length and the JSON header. */
  public static long dataStart(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(lenBuf, 0);
      return 8 + lenBuf.flip().getLong();
    }
  }

  private SafetensorsHeader() {}

  public static Map<String, Entry> read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) throw new ModelFormatException(file, "truncated: " + size + " bytes, not a safetensors file");
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(lenBuf, 0);
      long n = lenBuf.flip().getLong();
      if (n <= 0 || n > MAX_HEADER || 8 + n > size) {
        throw new ModelFormatException(file, "corrupt safetensors header length " + n + " for a file of " + size + " bytes");
      }
      ByteBuffer hdr = ByteBuffer.allocate((int) n);
      ch.read(hdr, 8);
      JsonObject o;
      try {
        o = JsonParser.parseString(new String(hdr.array(), StandardCharsets.UTF_8)).getAsJsonObject();
      } catch (RuntimeException e) {
        throw new ModelFormatException(file, "corrupt safetensors header: " + e.getMessage(), e);
      }
      long dataBytes = size - 8 - n;
      Map<String, Entry> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : o.entrySet()) {
        if (e.getKey().equals("__metadata__")) continue;
        Entry entry = entry(file, e.getKey(), e.getValue().getAsJsonObject());
        if (entry.end > dataBytes) {
          throw new ModelFormatException(file, "tensor '" + e.getKey() + "' needs bytes up to " + entry.end
              + " but the file holds " + dataBytes + " data bytes (truncated?)");
        }
        out.put(e.getKey(), entry);
      }
      return out;
    }
  }

  private static Entry entry(Path file, String name, JsonObject t) {
    String dtype = t.get("dtype").getAsString();
    List<JsonElement> dims = t.getAsJsonArray("shape").asList();
    long[] shape = dims.stream().mapToLong(JsonElement::getAsLong).toArray();
    long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
    long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
    long elems = 1;
    for (long d : shape) elems *= d;
    int width = switch (dtype) {
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "F64", "I64", "U64" -> 8;
      default -> 1;
    };
    if (end - begin != elems * width) {
      throw new ModelFormatException(file, "tensor '" + name + "' of dtype " + dtype + " and shape "
          + java.util.Arrays.toString(shape) + " spans " + (end - begin) + " bytes, expected " + elems * width);
    }
    return new Entry(dtype, shape, begin, end);
  }

  public static boolean isFloat(String dtype) {
    return FLOAT_TYPES.contains(dtype);
  }
}
