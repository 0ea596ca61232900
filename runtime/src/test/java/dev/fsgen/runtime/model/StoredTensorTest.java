package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Reading checkpoint tensors in place widens half precision exactly as libtorch does. */
class StoredTensorTest {
  @Test
  void everyHalfValueWidensAsLibtorchWidensIt() {
    ByteBuffer all = ByteBuffer.allocateDirect(65536 * 2).order(ByteOrder.nativeOrder());
    for (int i = 0; i < 65536; i++) all.putShort((short) i);
    all.flip();
    try (NDManager m = LlamaModel.newManager()) {
      NDArray half = m.create(all, new Shape(65536), DataType.FLOAT16);
      float[] torch = half.toType(DataType.FLOAT32, false).toFloatArray();
      for (int i = 0; i < 65536; i++) {
        float mine = StoredTensor.halfToFloat((short) i);
        if (Float.isNaN(torch[i])) assertTrue(Float.isNaN(mine), "NaN at " + Integer.toHexString(i));
        else assertEquals(Float.floatToRawIntBits(torch[i]), Float.floatToRawIntBits(mine), "half 0x" + Integer.toHexString(i));
      }
    }
  }
}
