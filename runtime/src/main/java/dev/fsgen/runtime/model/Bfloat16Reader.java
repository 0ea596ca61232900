package dev.fsgen.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a safetensors file that holds bf16 tensors, widening them to fp32 (bf16 is the upper half
 * of an fp32). Needed because handing a bf16 buffer to DJL 0.36's PyTorch engine aborts the JVM;
 * fp32 and fp16 files go through DJL's own decoder.
 */
final class Bfloat16Reader {
  private Bfloat16Reader() {}

  static boolean needed(Map<String, SafetensorsHeader.Entry> header) {
    return header.values().stream().anyMatch(e -> e.dtype().equals("BF16"));
  }

  static Map<String, NDArray> read(Path file, Map<String, SafetensorsHeader.Entry> header, long dataStart, NDManager manager)
      throws IOException {
    Map<String, NDArray> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (Map.Entry<String, SafetensorsHeader.Entry> e : header.entrySet()) {
        SafetensorsHeader.Entry t = e.getValue();
        if (!t.dtype().equals("BF16") && !t.dtype().equals("F32")) {
          throw new ModelFormatException(file, "tensor '" + e.getKey() + "' is " + t.dtype()
              + " in a file that also holds BF16 tensors; mixed half-precision files are not supported");
        }
        MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.end() - t.begin());
        buf.order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) ((t.end() - t.begin()) / (t.dtype().equals("BF16") ? 2 : 4));
        float[] f = new float[n];
        StoredTensor.widen(buf, t.dtype(), 0, f, 0, n);
        NDArray a = manager.create(f, new Shape(t.shape()));
        a.setName(e.getKey());
        out.put(e.getKey(), a);
      }
    }
    return out;
  }
}
