package dev.fsgen.runtime.model;

import ai.djl.ndarray.NDArray;
import com.google.gson.Gson;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes bf16 safetensors. DJL 0.36 encodes fp32 and fp16 itself, but reading a bf16 array's
 * bytes aborts the JVM inside libtorch, so bf16 alone is converted here: round-to-nearest-even of
 * the upper 16 bits of each fp32 value, laid out as the safetensors format prescribes (u64 header
 * length, JSON header, little-endian data).
 */
final class Bfloat16Writer {
  private Bfloat16Writer() {}

  static void write(Path file, Map<String, NDArray> weights) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    long offset = 0;
    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
      long bytes = e.getValue().size() * 2;
      header.put(e.getKey(), Map.of("dtype", "BF16", "shape", e.getValue().getShape().getShape(),
          "data_offsets", List.of(offset, offset + bytes)));
      offset += bytes;
    }
    byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
    int pad = (8 - json.length % 8) % 8; // the format aligns data to 8 bytes with trailing spaces
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length + pad).array());
      out.write(json);
      for (int i = 0; i < pad; i++) out.write(' ');
      for (NDArray a : weights.values()) {
        float[] f = a.toFloatArray();
        ByteBuffer buf = ByteBuffer.allocate(f.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : f) buf.putShort(toBf16(v));
        out.write(buf.array());
      }
    }
  }

  static short toBf16(float v) {
    int bits = Float.floatToRawIntBits(v);
    if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40); // keep it a NaN
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
