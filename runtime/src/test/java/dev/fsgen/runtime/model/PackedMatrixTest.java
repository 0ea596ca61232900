package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packed product kernels against libtorch's matmul on the same weights, at every row count a
 * decode pass uses (1 token, drafts of 2 and 5, 8 and 16 rows of a batched pass), on shapes with
 * a partial last panel and on the bundled System 2's shapes. In bf16 packing rounds the weights in
 * place, so libtorch multiplies exactly the values the kernel widens.
 */
class PackedMatrixTest {
  private static final int[] ROWS = {1, 2, 3, 4, 5, 6, 7, 8, 16};
  /** [out, in]: ragged (a last panel of 37 columns, in not a multiple of a vector), then System 2's q/k/v, gate/up and down. */
  private static final int[][] SHAPES = {{101, 37}, {640, 384}, {2048, 384}, {384, 1024}};

  @ParameterizedTest
  @EnumSource(WeightFormat.class)
  void productsEqualLibtorchAtEveryRowCount(WeightFormat format) {
    assumeTrue(Placement.VECTOR_API, "run with --add-modules jdk.incubator.vector");
    Random random = new Random(7);
    try (NDManager m = LlamaModel.newManager()) {
      for (int[] shape : SHAPES) {
        int out = shape[0];
        int in = shape[1];
        NDArray w = m.create(gaussian(random, out * in), new Shape(out, in)); // [out, in]
        PackedMatrix packed = PackedMatrix.pack(WeightViews.view(w), out, in, format);
        float[] rounded = w.toFloatArray();
        if (format == WeightFormat.BF16) {
          for (float v : rounded) assertEquals(0, Float.floatToRawIntBits(v) & 0xFFFF, "weights rounded to bf16 in place");
        }
        for (int rows : ROWS) {
          float[][] xs = new float[rows][];
          float[] flat = gaussian(random, rows * in);
          for (int r = 0; r < rows; r++) xs[r] = java.util.Arrays.copyOfRange(flat, r * in, (r + 1) * in);
          float[][] ys = new float[rows][out];
          packed.multiply(xs, ys);
          float[] want = m.create(flat, new Shape(rows, in)).matMul(w.transpose()).toFloatArray(); // [rows, out]
          for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
              float expected = want[r * out + o];
              assertEquals(expected, ys[r][o], 1e-4f * (1 + Math.abs(expected)) * Math.sqrt(in),
                  format + " [" + out + ", " + in + "] rows " + rows + " at (" + r + ", " + o + ")");
            }
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(WeightFormat.class)
  void panelsSplitAnywhereGiveTheWholeProduct(WeightFormat format) {
    assumeTrue(Placement.VECTOR_API, "run with --add-modules jdk.incubator.vector");
    Random random = new Random(3);
    try (NDManager m = LlamaModel.newManager()) {
      int out = 300;
      int in = 50;
      NDArray w = m.create(gaussian(random, out * in), new Shape(out, in));
      PackedMatrix packed = PackedMatrix.pack(WeightViews.view(w), out, in, format);
      float[][] xs = {gaussian(random, in), gaussian(random, in), gaussian(random, in)};
      float[][] whole = new float[3][out];
      packed.multiply(xs, whole);
      float[][] parts = new float[3][out];
      packed.multiply(xs, parts, 2, packed.panels);
      packed.multiply(xs, parts, 0, 2);
      for (int r = 0; r < 3; r++) assertArrayEquals(whole[r], parts[r]);
    }
  }

  @org.junit.jupiter.api.Test
  void bf16RoundsToNearestEven() {
    assertEquals(0x3F80, PackedMatrix.toBf16(1f));
    assertEquals(0x3F80, PackedMatrix.toBf16(Float.intBitsToFloat(0x3F808000))); // a tie goes to the even 0x3F80
    assertEquals(0x3F82, PackedMatrix.toBf16(Float.intBitsToFloat(0x3F818000))); // a tie goes to the even 0x3F82
    assertEquals(0x3F81, PackedMatrix.toBf16(Float.intBitsToFloat(0x3F808001))); // above the tie rounds up
    assertTrue(Float.isNaN(Float.intBitsToFloat(PackedMatrix.toBf16(Float.NaN) << 16)));
  }

  private static float[] gaussian(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }
}
