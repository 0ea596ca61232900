package dev.fsgen.runtime.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner kernels of {@link PackedMatrix}: one panel of {@link #PANEL} output columns against 1
 * to {@link #MAX_ROWS} input rows. Each step of the k loop loads the panel's weights at k once and
 * multiplies them into every row's accumulators, so a weight read serves all rows and the
 * products run from registers. With few rows the k loop is unrolled into independent
 * accumulators (summed at the end) so that enough multiply-adds are in flight to cover their
 * latency: one row with a single accumulator chain per vector ran at a quarter of the speed.
 *
 * <p>The panel is as wide as the vector registers allow: with 512-bit vectors (32 registers) four
 * vectors, so 6 rows take 24 accumulators, 4 weight vectors and a broadcast; with 256-bit vectors
 * (16 registers) two, and 4 rows take 8 accumulators (at 5 and 6 rows C2 spilled accumulators and
 * the kernel ran at half the speed: measured 87 GFLOP/s at 4 rows, 28-38 at 5-6, on one core). The
 * kernels are written out per width and row count (generated; keep them in step when editing)
 * because C2 keeps vectors in registers only as plain locals: a loop over an array of
 * accumulators, or a vector passed to a method that is not inlined, boxes them (a helper taking
 * the sums to store made every kernel 30 times slower). One vector shape for every kernel in the JVM: mixing 512- and
 * 256-bit vectors stops C2 from compiling the vector operations.
 */
final class PanelKernels {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  /** Floats per vector. */
  static final int LANES = F.length();
  /**
   * Vectors per panel: 4 with 512-bit vectors, else 2; {@code -Dfsgen.kernel.vectors=2|4} forces
   * one (the tests run the 4-vector kernels on machines without 512-bit vectors this way).
   */
  static final int VECTORS = vectors();
  /** Output columns per panel. */
  static final int PANEL = VECTORS * LANES;
  /** Ints per k in a bf16 panel: two bf16 weights per int. */
  static final int HALF = PANEL / 2;
  /** Rows one kernel call takes: as many as leave registers for the weights and a broadcast. */
  static final int MAX_ROWS = VECTORS == 4 ? 6 : 4;
  private static final int HIGH = 0xFFFF0000;

  private PanelKernels() {}

  private static int vectors() {
    int v = Integer.getInteger("fsgen.kernel.vectors", F.vectorBitSize() >= 512 ? 4 : 2);
    if (v != 2 && v != 4) throw new IllegalArgumentException("fsgen.kernel.vectors must be 2 or 4, got " + v);
    return v;
  }

  /** ys[r..r+rows)[col, col + PANEL) = the panel at {@code base} times xs[r..r+rows): bf16 weights. */
  static void bf16(int[] w, int base, int in, float[][] x, float[][] y, int r, int rows, int col, int out) {
    if (VECTORS == 4) bf164(w, base, in, x, y, r, rows, col, out);
    else bf162(w, base, in, x, y, r, rows, col, out);
  }

  /** As {@link #bf16}, fp32 weights. */
  static void fp32(float[] w, int base, int in, float[][] x, float[][] y, int r, int rows, int col, int out) {
    if (VECTORS == 4) fp324(w, base, in, x, y, r, rows, col, out);
    else fp322(w, base, in, x, y, r, rows, col, out);
  }

  private static void bf162(int[] w, int base, int in, float[][] x, float[][] y, int r, int rows, int col, int out) {
    switch (rows) {
      case 1 -> bf162x1(w, base, in, x[r], y[r], col, out);
      case 2 -> bf162x2(w, base, in, x[r], x[r + 1], y[r], y[r + 1], col, out);
      case 3 -> bf162x3(w, base, in, x[r], x[r + 1], x[r + 2], y[r], y[r + 1], y[r + 2], col, out);
      case 4 -> bf162x4(w, base, in, x[r], x[r + 1], x[r + 2], x[r + 3], y[r], y[r + 1], y[r + 2], y[r + 3], col, out);
      default -> throw new IllegalArgumentException("1 to " + MAX_ROWS + " rows per kernel, got " + rows);
    }
  }

  private static void bf162x1(int[] w, int base, int in, float[] x0, float[] y0, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a001 = FloatVector.zero(F), a011 = FloatVector.zero(F), a002 = FloatVector.zero(F), a012 = FloatVector.zero(F), a003 = FloatVector.zero(F), a013 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k + 4 <= in; k += 4, p += 4 * HALF) {
      IntVector both0 = IntVector.fromArray(I, w, p);
      FloatVector w00 = both0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = both0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      IntVector both1 = IntVector.fromArray(I, w, p + 1 * HALF);
      FloatVector w10 = both1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w11 = both1.and(HIGH).reinterpretAsFloats();
      FloatVector b01 = FloatVector.broadcast(F, x0[k + 1]);
      a001 = w10.fma(b01, a001); a011 = w11.fma(b01, a011);
      IntVector both2 = IntVector.fromArray(I, w, p + 2 * HALF);
      FloatVector w20 = both2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w21 = both2.and(HIGH).reinterpretAsFloats();
      FloatVector b02 = FloatVector.broadcast(F, x0[k + 2]);
      a002 = w20.fma(b02, a002); a012 = w21.fma(b02, a012);
      IntVector both3 = IntVector.fromArray(I, w, p + 3 * HALF);
      FloatVector w30 = both3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w31 = both3.and(HIGH).reinterpretAsFloats();
      FloatVector b03 = FloatVector.broadcast(F, x0[k + 3]);
      a003 = w30.fma(b03, a003); a013 = w31.fma(b03, a013);
    }
    for (; k < in; k++, p += HALF) {
      IntVector both0 = IntVector.fromArray(I, w, p);
      FloatVector w00 = both0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = both0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
    }
    a000 = a000.add(a001.add(a002.add(a003)));
    a010 = a010.add(a011.add(a012.add(a013)));
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y0, col, out - col);
    }
  }

  private static void bf162x2(int[] w, int base, int in, float[] x0, float[] x1, float[] y0, float[] y1, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a001 = FloatVector.zero(F), a011 = FloatVector.zero(F), a101 = FloatVector.zero(F), a111 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k + 2 <= in; k += 2, p += 2 * HALF) {
      IntVector both0 = IntVector.fromArray(I, w, p);
      FloatVector w00 = both0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = both0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110);
      IntVector both1 = IntVector.fromArray(I, w, p + 1 * HALF);
      FloatVector w10 = both1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w11 = both1.and(HIGH).reinterpretAsFloats();
      FloatVector b01 = FloatVector.broadcast(F, x0[k + 1]);
      a001 = w10.fma(b01, a001); a011 = w11.fma(b01, a011);
      FloatVector b11 = FloatVector.broadcast(F, x1[k + 1]);
      a101 = w10.fma(b11, a101); a111 = w11.fma(b11, a111);
    }
    for (; k < in; k++, p += HALF) {
      IntVector both0 = IntVector.fromArray(I, w, p);
      FloatVector w00 = both0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = both0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110);
    }
    a000 = a000.add(a001);
    a010 = a010.add(a011);
    a100 = a100.add(a101);
    a110 = a110.add(a111);
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y1, col, out - col);
    }
  }

  private static void bf162x3(int[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] y0, float[] y1, float[] y2, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += HALF) {
      IntVector both0 = IntVector.fromArray(I, w, p);
      FloatVector w00 = both0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = both0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y2, col, out - col);
    }
  }

  private static void bf162x4(int[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] x3, float[] y0, float[] y1, float[] y2, float[] y3, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a300 = FloatVector.zero(F), a310 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += HALF) {
      IntVector both0 = IntVector.fromArray(I, w, p);
      FloatVector w00 = both0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = both0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210);
      FloatVector b30 = FloatVector.broadcast(F, x3[k]);
      a300 = w00.fma(b30, a300); a310 = w01.fma(b30, a310);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES);
      a300.intoArray(y3, col + 0 * LANES); a310.intoArray(y3, col + 1 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y2, col, out - col);
      a300.intoArray(t, 0 * LANES); a310.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y3, col, out - col);
    }
  }

  private static void fp322(float[] w, int base, int in, float[][] x, float[][] y, int r, int rows, int col, int out) {
    switch (rows) {
      case 1 -> fp322x1(w, base, in, x[r], y[r], col, out);
      case 2 -> fp322x2(w, base, in, x[r], x[r + 1], y[r], y[r + 1], col, out);
      case 3 -> fp322x3(w, base, in, x[r], x[r + 1], x[r + 2], y[r], y[r + 1], y[r + 2], col, out);
      case 4 -> fp322x4(w, base, in, x[r], x[r + 1], x[r + 2], x[r + 3], y[r], y[r + 1], y[r + 2], y[r + 3], col, out);
      default -> throw new IllegalArgumentException("1 to " + MAX_ROWS + " rows per kernel, got " + rows);
    }
  }

  private static void fp322x1(float[] w, int base, int in, float[] x0, float[] y0, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a001 = FloatVector.zero(F), a011 = FloatVector.zero(F), a002 = FloatVector.zero(F), a012 = FloatVector.zero(F), a003 = FloatVector.zero(F), a013 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k + 4 <= in; k += 4, p += 4 * PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      FloatVector w10 = FloatVector.fromArray(F, w, p + 1 * PANEL + 0 * LANES);
      FloatVector w11 = FloatVector.fromArray(F, w, p + 1 * PANEL + 1 * LANES);
      FloatVector b01 = FloatVector.broadcast(F, x0[k + 1]);
      a001 = w10.fma(b01, a001); a011 = w11.fma(b01, a011);
      FloatVector w20 = FloatVector.fromArray(F, w, p + 2 * PANEL + 0 * LANES);
      FloatVector w21 = FloatVector.fromArray(F, w, p + 2 * PANEL + 1 * LANES);
      FloatVector b02 = FloatVector.broadcast(F, x0[k + 2]);
      a002 = w20.fma(b02, a002); a012 = w21.fma(b02, a012);
      FloatVector w30 = FloatVector.fromArray(F, w, p + 3 * PANEL + 0 * LANES);
      FloatVector w31 = FloatVector.fromArray(F, w, p + 3 * PANEL + 1 * LANES);
      FloatVector b03 = FloatVector.broadcast(F, x0[k + 3]);
      a003 = w30.fma(b03, a003); a013 = w31.fma(b03, a013);
    }
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
    }
    a000 = a000.add(a001.add(a002.add(a003)));
    a010 = a010.add(a011.add(a012.add(a013)));
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y0, col, out - col);
    }
  }

  private static void fp322x2(float[] w, int base, int in, float[] x0, float[] x1, float[] y0, float[] y1, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a001 = FloatVector.zero(F), a011 = FloatVector.zero(F), a101 = FloatVector.zero(F), a111 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k + 2 <= in; k += 2, p += 2 * PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110);
      FloatVector w10 = FloatVector.fromArray(F, w, p + 1 * PANEL + 0 * LANES);
      FloatVector w11 = FloatVector.fromArray(F, w, p + 1 * PANEL + 1 * LANES);
      FloatVector b01 = FloatVector.broadcast(F, x0[k + 1]);
      a001 = w10.fma(b01, a001); a011 = w11.fma(b01, a011);
      FloatVector b11 = FloatVector.broadcast(F, x1[k + 1]);
      a101 = w10.fma(b11, a101); a111 = w11.fma(b11, a111);
    }
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110);
    }
    a000 = a000.add(a001);
    a010 = a010.add(a011);
    a100 = a100.add(a101);
    a110 = a110.add(a111);
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y1, col, out - col);
    }
  }

  private static void fp322x3(float[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] y0, float[] y1, float[] y2, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y2, col, out - col);
    }
  }

  private static void fp322x4(float[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] x3, float[] y0, float[] y1, float[] y2, float[] y3, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a300 = FloatVector.zero(F), a310 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210);
      FloatVector b30 = FloatVector.broadcast(F, x3[k]);
      a300 = w00.fma(b30, a300); a310 = w01.fma(b30, a310);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES);
      a300.intoArray(y3, col + 0 * LANES); a310.intoArray(y3, col + 1 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y2, col, out - col);
      a300.intoArray(t, 0 * LANES); a310.intoArray(t, 1 * LANES); System.arraycopy(t, 0, y3, col, out - col);
    }
  }

  private static void bf164(int[] w, int base, int in, float[][] x, float[][] y, int r, int rows, int col, int out) {
    switch (rows) {
      case 1 -> bf164x1(w, base, in, x[r], y[r], col, out);
      case 2 -> bf164x2(w, base, in, x[r], x[r + 1], y[r], y[r + 1], col, out);
      case 3 -> bf164x3(w, base, in, x[r], x[r + 1], x[r + 2], y[r], y[r + 1], y[r + 2], col, out);
      case 4 -> bf164x4(w, base, in, x[r], x[r + 1], x[r + 2], x[r + 3], y[r], y[r + 1], y[r + 2], y[r + 3], col, out);
      case 5 -> bf164x5(w, base, in, x[r], x[r + 1], x[r + 2], x[r + 3], x[r + 4], y[r], y[r + 1], y[r + 2], y[r + 3], y[r + 4], col, out);
      case 6 -> bf164x6(w, base, in, x[r], x[r + 1], x[r + 2], x[r + 3], x[r + 4], x[r + 5], y[r], y[r + 1], y[r + 2], y[r + 3], y[r + 4], y[r + 5], col, out);
      default -> throw new IllegalArgumentException("1 to " + MAX_ROWS + " rows per kernel, got " + rows);
    }
  }

  private static void bf164x1(int[] w, int base, int in, float[] x0, float[] y0, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a001 = FloatVector.zero(F), a011 = FloatVector.zero(F), a021 = FloatVector.zero(F), a031 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k + 2 <= in; k += 2, p += 2 * HALF) {
      IntVector lo0 = IntVector.fromArray(I, w, p);
      IntVector hi0 = IntVector.fromArray(I, w, p + LANES);
      FloatVector w00 = lo0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = hi0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w02 = lo0.and(HIGH).reinterpretAsFloats();
      FloatVector w03 = hi0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      IntVector lo1 = IntVector.fromArray(I, w, p + 1 * HALF);
      IntVector hi1 = IntVector.fromArray(I, w, p + 1 * HALF + LANES);
      FloatVector w10 = lo1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w11 = hi1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w12 = lo1.and(HIGH).reinterpretAsFloats();
      FloatVector w13 = hi1.and(HIGH).reinterpretAsFloats();
      FloatVector b01 = FloatVector.broadcast(F, x0[k + 1]);
      a001 = w10.fma(b01, a001); a011 = w11.fma(b01, a011); a021 = w12.fma(b01, a021); a031 = w13.fma(b01, a031);
    }
    for (; k < in; k++, p += HALF) {
      IntVector lo0 = IntVector.fromArray(I, w, p);
      IntVector hi0 = IntVector.fromArray(I, w, p + LANES);
      FloatVector w00 = lo0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = hi0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w02 = lo0.and(HIGH).reinterpretAsFloats();
      FloatVector w03 = hi0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
    }
    a000 = a000.add(a001);
    a010 = a010.add(a011);
    a020 = a020.add(a021);
    a030 = a030.add(a031);
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
    }
  }

  private static void bf164x2(int[] w, int base, int in, float[] x0, float[] x1, float[] y0, float[] y1, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += HALF) {
      IntVector lo0 = IntVector.fromArray(I, w, p);
      IntVector hi0 = IntVector.fromArray(I, w, p + LANES);
      FloatVector w00 = lo0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = hi0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w02 = lo0.and(HIGH).reinterpretAsFloats();
      FloatVector w03 = hi0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
    }
  }

  private static void bf164x3(int[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] y0, float[] y1, float[] y2, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a220 = FloatVector.zero(F), a230 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += HALF) {
      IntVector lo0 = IntVector.fromArray(I, w, p);
      IntVector hi0 = IntVector.fromArray(I, w, p + LANES);
      FloatVector w00 = lo0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = hi0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w02 = lo0.and(HIGH).reinterpretAsFloats();
      FloatVector w03 = hi0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210); a220 = w02.fma(b20, a220); a230 = w03.fma(b20, a230);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES); a220.intoArray(y2, col + 2 * LANES); a230.intoArray(y2, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); a220.intoArray(t, 2 * LANES); a230.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y2, col, out - col);
    }
  }

  private static void bf164x4(int[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] x3, float[] y0, float[] y1, float[] y2, float[] y3, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a220 = FloatVector.zero(F), a230 = FloatVector.zero(F), a300 = FloatVector.zero(F), a310 = FloatVector.zero(F), a320 = FloatVector.zero(F), a330 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += HALF) {
      IntVector lo0 = IntVector.fromArray(I, w, p);
      IntVector hi0 = IntVector.fromArray(I, w, p + LANES);
      FloatVector w00 = lo0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = hi0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w02 = lo0.and(HIGH).reinterpretAsFloats();
      FloatVector w03 = hi0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210); a220 = w02.fma(b20, a220); a230 = w03.fma(b20, a230);
      FloatVector b30 = FloatVector.broadcast(F, x3[k]);
      a300 = w00.fma(b30, a300); a310 = w01.fma(b30, a310); a320 = w02.fma(b30, a320); a330 = w03.fma(b30, a330);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES); a220.intoArray(y2, col + 2 * LANES); a230.intoArray(y2, col + 3 * LANES);
      a300.intoArray(y3, col + 0 * LANES); a310.intoArray(y3, col + 1 * LANES); a320.intoArray(y3, col + 2 * LANES); a330.intoArray(y3, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); a220.intoArray(t, 2 * LANES); a230.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y2, col, out - col);
      a300.intoArray(t, 0 * LANES); a310.intoArray(t, 1 * LANES); a320.intoArray(t, 2 * LANES); a330.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y3, col, out - col);
    }
  }

  private static void bf164x5(int[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] x3, float[] x4, float[] y0, float[] y1, float[] y2, float[] y3, float[] y4, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a220 = FloatVector.zero(F), a230 = FloatVector.zero(F), a300 = FloatVector.zero(F), a310 = FloatVector.zero(F), a320 = FloatVector.zero(F), a330 = FloatVector.zero(F), a400 = FloatVector.zero(F), a410 = FloatVector.zero(F), a420 = FloatVector.zero(F), a430 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += HALF) {
      IntVector lo0 = IntVector.fromArray(I, w, p);
      IntVector hi0 = IntVector.fromArray(I, w, p + LANES);
      FloatVector w00 = lo0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = hi0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w02 = lo0.and(HIGH).reinterpretAsFloats();
      FloatVector w03 = hi0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210); a220 = w02.fma(b20, a220); a230 = w03.fma(b20, a230);
      FloatVector b30 = FloatVector.broadcast(F, x3[k]);
      a300 = w00.fma(b30, a300); a310 = w01.fma(b30, a310); a320 = w02.fma(b30, a320); a330 = w03.fma(b30, a330);
      FloatVector b40 = FloatVector.broadcast(F, x4[k]);
      a400 = w00.fma(b40, a400); a410 = w01.fma(b40, a410); a420 = w02.fma(b40, a420); a430 = w03.fma(b40, a430);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES); a220.intoArray(y2, col + 2 * LANES); a230.intoArray(y2, col + 3 * LANES);
      a300.intoArray(y3, col + 0 * LANES); a310.intoArray(y3, col + 1 * LANES); a320.intoArray(y3, col + 2 * LANES); a330.intoArray(y3, col + 3 * LANES);
      a400.intoArray(y4, col + 0 * LANES); a410.intoArray(y4, col + 1 * LANES); a420.intoArray(y4, col + 2 * LANES); a430.intoArray(y4, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); a220.intoArray(t, 2 * LANES); a230.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y2, col, out - col);
      a300.intoArray(t, 0 * LANES); a310.intoArray(t, 1 * LANES); a320.intoArray(t, 2 * LANES); a330.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y3, col, out - col);
      a400.intoArray(t, 0 * LANES); a410.intoArray(t, 1 * LANES); a420.intoArray(t, 2 * LANES); a430.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y4, col, out - col);
    }
  }

  private static void bf164x6(int[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] x3, float[] x4, float[] x5, float[] y0, float[] y1, float[] y2, float[] y3, float[] y4, float[] y5, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a220 = FloatVector.zero(F), a230 = FloatVector.zero(F), a300 = FloatVector.zero(F), a310 = FloatVector.zero(F), a320 = FloatVector.zero(F), a330 = FloatVector.zero(F), a400 = FloatVector.zero(F), a410 = FloatVector.zero(F), a420 = FloatVector.zero(F), a430 = FloatVector.zero(F), a500 = FloatVector.zero(F), a510 = FloatVector.zero(F), a520 = FloatVector.zero(F), a530 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += HALF) {
      IntVector lo0 = IntVector.fromArray(I, w, p);
      IntVector hi0 = IntVector.fromArray(I, w, p + LANES);
      FloatVector w00 = lo0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w01 = hi0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      FloatVector w02 = lo0.and(HIGH).reinterpretAsFloats();
      FloatVector w03 = hi0.and(HIGH).reinterpretAsFloats();
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210); a220 = w02.fma(b20, a220); a230 = w03.fma(b20, a230);
      FloatVector b30 = FloatVector.broadcast(F, x3[k]);
      a300 = w00.fma(b30, a300); a310 = w01.fma(b30, a310); a320 = w02.fma(b30, a320); a330 = w03.fma(b30, a330);
      FloatVector b40 = FloatVector.broadcast(F, x4[k]);
      a400 = w00.fma(b40, a400); a410 = w01.fma(b40, a410); a420 = w02.fma(b40, a420); a430 = w03.fma(b40, a430);
      FloatVector b50 = FloatVector.broadcast(F, x5[k]);
      a500 = w00.fma(b50, a500); a510 = w01.fma(b50, a510); a520 = w02.fma(b50, a520); a530 = w03.fma(b50, a530);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES); a220.intoArray(y2, col + 2 * LANES); a230.intoArray(y2, col + 3 * LANES);
      a300.intoArray(y3, col + 0 * LANES); a310.intoArray(y3, col + 1 * LANES); a320.intoArray(y3, col + 2 * LANES); a330.intoArray(y3, col + 3 * LANES);
      a400.intoArray(y4, col + 0 * LANES); a410.intoArray(y4, col + 1 * LANES); a420.intoArray(y4, col + 2 * LANES); a430.intoArray(y4, col + 3 * LANES);
      a500.intoArray(y5, col + 0 * LANES); a510.intoArray(y5, col + 1 * LANES); a520.intoArray(y5, col + 2 * LANES); a530.intoArray(y5, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); a220.intoArray(t, 2 * LANES); a230.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y2, col, out - col);
      a300.intoArray(t, 0 * LANES); a310.intoArray(t, 1 * LANES); a320.intoArray(t, 2 * LANES); a330.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y3, col, out - col);
      a400.intoArray(t, 0 * LANES); a410.intoArray(t, 1 * LANES); a420.intoArray(t, 2 * LANES); a430.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y4, col, out - col);
      a500.intoArray(t, 0 * LANES); a510.intoArray(t, 1 * LANES); a520.intoArray(t, 2 * LANES); a530.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y5, col, out - col);
    }
  }

  private static void fp324(float[] w, int base, int in, float[][] x, float[][] y, int r, int rows, int col, int out) {
    switch (rows) {
      case 1 -> fp324x1(w, base, in, x[r], y[r], col, out);
      case 2 -> fp324x2(w, base, in, x[r], x[r + 1], y[r], y[r + 1], col, out);
      case 3 -> fp324x3(w, base, in, x[r], x[r + 1], x[r + 2], y[r], y[r + 1], y[r + 2], col, out);
      case 4 -> fp324x4(w, base, in, x[r], x[r + 1], x[r + 2], x[r + 3], y[r], y[r + 1], y[r + 2], y[r + 3], col, out);
      case 5 -> fp324x5(w, base, in, x[r], x[r + 1], x[r + 2], x[r + 3], x[r + 4], y[r], y[r + 1], y[r + 2], y[r + 3], y[r + 4], col, out);
      case 6 -> fp324x6(w, base, in, x[r], x[r + 1], x[r + 2], x[r + 3], x[r + 4], x[r + 5], y[r], y[r + 1], y[r + 2], y[r + 3], y[r + 4], y[r + 5], col, out);
      default -> throw new IllegalArgumentException("1 to " + MAX_ROWS + " rows per kernel, got " + rows);
    }
  }

  private static void fp324x1(float[] w, int base, int in, float[] x0, float[] y0, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a001 = FloatVector.zero(F), a011 = FloatVector.zero(F), a021 = FloatVector.zero(F), a031 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k + 2 <= in; k += 2, p += 2 * PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector w02 = FloatVector.fromArray(F, w, p + 2 * LANES);
      FloatVector w03 = FloatVector.fromArray(F, w, p + 3 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector w10 = FloatVector.fromArray(F, w, p + 1 * PANEL + 0 * LANES);
      FloatVector w11 = FloatVector.fromArray(F, w, p + 1 * PANEL + 1 * LANES);
      FloatVector w12 = FloatVector.fromArray(F, w, p + 1 * PANEL + 2 * LANES);
      FloatVector w13 = FloatVector.fromArray(F, w, p + 1 * PANEL + 3 * LANES);
      FloatVector b01 = FloatVector.broadcast(F, x0[k + 1]);
      a001 = w10.fma(b01, a001); a011 = w11.fma(b01, a011); a021 = w12.fma(b01, a021); a031 = w13.fma(b01, a031);
    }
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector w02 = FloatVector.fromArray(F, w, p + 2 * LANES);
      FloatVector w03 = FloatVector.fromArray(F, w, p + 3 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
    }
    a000 = a000.add(a001);
    a010 = a010.add(a011);
    a020 = a020.add(a021);
    a030 = a030.add(a031);
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
    }
  }

  private static void fp324x2(float[] w, int base, int in, float[] x0, float[] x1, float[] y0, float[] y1, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector w02 = FloatVector.fromArray(F, w, p + 2 * LANES);
      FloatVector w03 = FloatVector.fromArray(F, w, p + 3 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
    }
  }

  private static void fp324x3(float[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] y0, float[] y1, float[] y2, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a220 = FloatVector.zero(F), a230 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector w02 = FloatVector.fromArray(F, w, p + 2 * LANES);
      FloatVector w03 = FloatVector.fromArray(F, w, p + 3 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210); a220 = w02.fma(b20, a220); a230 = w03.fma(b20, a230);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES); a220.intoArray(y2, col + 2 * LANES); a230.intoArray(y2, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); a220.intoArray(t, 2 * LANES); a230.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y2, col, out - col);
    }
  }

  private static void fp324x4(float[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] x3, float[] y0, float[] y1, float[] y2, float[] y3, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a220 = FloatVector.zero(F), a230 = FloatVector.zero(F), a300 = FloatVector.zero(F), a310 = FloatVector.zero(F), a320 = FloatVector.zero(F), a330 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector w02 = FloatVector.fromArray(F, w, p + 2 * LANES);
      FloatVector w03 = FloatVector.fromArray(F, w, p + 3 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210); a220 = w02.fma(b20, a220); a230 = w03.fma(b20, a230);
      FloatVector b30 = FloatVector.broadcast(F, x3[k]);
      a300 = w00.fma(b30, a300); a310 = w01.fma(b30, a310); a320 = w02.fma(b30, a320); a330 = w03.fma(b30, a330);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES); a220.intoArray(y2, col + 2 * LANES); a230.intoArray(y2, col + 3 * LANES);
      a300.intoArray(y3, col + 0 * LANES); a310.intoArray(y3, col + 1 * LANES); a320.intoArray(y3, col + 2 * LANES); a330.intoArray(y3, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); a220.intoArray(t, 2 * LANES); a230.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y2, col, out - col);
      a300.intoArray(t, 0 * LANES); a310.intoArray(t, 1 * LANES); a320.intoArray(t, 2 * LANES); a330.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y3, col, out - col);
    }
  }

  private static void fp324x5(float[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] x3, float[] x4, float[] y0, float[] y1, float[] y2, float[] y3, float[] y4, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a220 = FloatVector.zero(F), a230 = FloatVector.zero(F), a300 = FloatVector.zero(F), a310 = FloatVector.zero(F), a320 = FloatVector.zero(F), a330 = FloatVector.zero(F), a400 = FloatVector.zero(F), a410 = FloatVector.zero(F), a420 = FloatVector.zero(F), a430 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector w02 = FloatVector.fromArray(F, w, p + 2 * LANES);
      FloatVector w03 = FloatVector.fromArray(F, w, p + 3 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210); a220 = w02.fma(b20, a220); a230 = w03.fma(b20, a230);
      FloatVector b30 = FloatVector.broadcast(F, x3[k]);
      a300 = w00.fma(b30, a300); a310 = w01.fma(b30, a310); a320 = w02.fma(b30, a320); a330 = w03.fma(b30, a330);
      FloatVector b40 = FloatVector.broadcast(F, x4[k]);
      a400 = w00.fma(b40, a400); a410 = w01.fma(b40, a410); a420 = w02.fma(b40, a420); a430 = w03.fma(b40, a430);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES); a220.intoArray(y2, col + 2 * LANES); a230.intoArray(y2, col + 3 * LANES);
      a300.intoArray(y3, col + 0 * LANES); a310.intoArray(y3, col + 1 * LANES); a320.intoArray(y3, col + 2 * LANES); a330.intoArray(y3, col + 3 * LANES);
      a400.intoArray(y4, col + 0 * LANES); a410.intoArray(y4, col + 1 * LANES); a420.intoArray(y4, col + 2 * LANES); a430.intoArray(y4, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); a220.intoArray(t, 2 * LANES); a230.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y2, col, out - col);
      a300.intoArray(t, 0 * LANES); a310.intoArray(t, 1 * LANES); a320.intoArray(t, 2 * LANES); a330.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y3, col, out - col);
      a400.intoArray(t, 0 * LANES); a410.intoArray(t, 1 * LANES); a420.intoArray(t, 2 * LANES); a430.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y4, col, out - col);
    }
  }

  private static void fp324x6(float[] w, int base, int in, float[] x0, float[] x1, float[] x2, float[] x3, float[] x4, float[] x5, float[] y0, float[] y1, float[] y2, float[] y3, float[] y4, float[] y5, int col, int out) {
    FloatVector a000 = FloatVector.zero(F), a010 = FloatVector.zero(F), a020 = FloatVector.zero(F), a030 = FloatVector.zero(F), a100 = FloatVector.zero(F), a110 = FloatVector.zero(F), a120 = FloatVector.zero(F), a130 = FloatVector.zero(F), a200 = FloatVector.zero(F), a210 = FloatVector.zero(F), a220 = FloatVector.zero(F), a230 = FloatVector.zero(F), a300 = FloatVector.zero(F), a310 = FloatVector.zero(F), a320 = FloatVector.zero(F), a330 = FloatVector.zero(F), a400 = FloatVector.zero(F), a410 = FloatVector.zero(F), a420 = FloatVector.zero(F), a430 = FloatVector.zero(F), a500 = FloatVector.zero(F), a510 = FloatVector.zero(F), a520 = FloatVector.zero(F), a530 = FloatVector.zero(F);
    int k = 0;
    int p = base;
    for (; k < in; k++, p += PANEL) {
      FloatVector w00 = FloatVector.fromArray(F, w, p + 0 * LANES);
      FloatVector w01 = FloatVector.fromArray(F, w, p + 1 * LANES);
      FloatVector w02 = FloatVector.fromArray(F, w, p + 2 * LANES);
      FloatVector w03 = FloatVector.fromArray(F, w, p + 3 * LANES);
      FloatVector b00 = FloatVector.broadcast(F, x0[k]);
      a000 = w00.fma(b00, a000); a010 = w01.fma(b00, a010); a020 = w02.fma(b00, a020); a030 = w03.fma(b00, a030);
      FloatVector b10 = FloatVector.broadcast(F, x1[k]);
      a100 = w00.fma(b10, a100); a110 = w01.fma(b10, a110); a120 = w02.fma(b10, a120); a130 = w03.fma(b10, a130);
      FloatVector b20 = FloatVector.broadcast(F, x2[k]);
      a200 = w00.fma(b20, a200); a210 = w01.fma(b20, a210); a220 = w02.fma(b20, a220); a230 = w03.fma(b20, a230);
      FloatVector b30 = FloatVector.broadcast(F, x3[k]);
      a300 = w00.fma(b30, a300); a310 = w01.fma(b30, a310); a320 = w02.fma(b30, a320); a330 = w03.fma(b30, a330);
      FloatVector b40 = FloatVector.broadcast(F, x4[k]);
      a400 = w00.fma(b40, a400); a410 = w01.fma(b40, a410); a420 = w02.fma(b40, a420); a430 = w03.fma(b40, a430);
      FloatVector b50 = FloatVector.broadcast(F, x5[k]);
      a500 = w00.fma(b50, a500); a510 = w01.fma(b50, a510); a520 = w02.fma(b50, a520); a530 = w03.fma(b50, a530);
    }
    if (col + PANEL <= out) {
      a000.intoArray(y0, col + 0 * LANES); a010.intoArray(y0, col + 1 * LANES); a020.intoArray(y0, col + 2 * LANES); a030.intoArray(y0, col + 3 * LANES);
      a100.intoArray(y1, col + 0 * LANES); a110.intoArray(y1, col + 1 * LANES); a120.intoArray(y1, col + 2 * LANES); a130.intoArray(y1, col + 3 * LANES);
      a200.intoArray(y2, col + 0 * LANES); a210.intoArray(y2, col + 1 * LANES); a220.intoArray(y2, col + 2 * LANES); a230.intoArray(y2, col + 3 * LANES);
      a300.intoArray(y3, col + 0 * LANES); a310.intoArray(y3, col + 1 * LANES); a320.intoArray(y3, col + 2 * LANES); a330.intoArray(y3, col + 3 * LANES);
      a400.intoArray(y4, col + 0 * LANES); a410.intoArray(y4, col + 1 * LANES); a420.intoArray(y4, col + 2 * LANES); a430.intoArray(y4, col + 3 * LANES);
      a500.intoArray(y5, col + 0 * LANES); a510.intoArray(y5, col + 1 * LANES); a520.intoArray(y5, col + 2 * LANES); a530.intoArray(y5, col + 3 * LANES);
    } else { // a last partial panel: through a scratch row, so no vector leaves the registers
      float[] t = new float[PANEL];
      a000.intoArray(t, 0 * LANES); a010.intoArray(t, 1 * LANES); a020.intoArray(t, 2 * LANES); a030.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y0, col, out - col);
      a100.intoArray(t, 0 * LANES); a110.intoArray(t, 1 * LANES); a120.intoArray(t, 2 * LANES); a130.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y1, col, out - col);
      a200.intoArray(t, 0 * LANES); a210.intoArray(t, 1 * LANES); a220.intoArray(t, 2 * LANES); a230.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y2, col, out - col);
      a300.intoArray(t, 0 * LANES); a310.intoArray(t, 1 * LANES); a320.intoArray(t, 2 * LANES); a330.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y3, col, out - col);
      a400.intoArray(t, 0 * LANES); a410.intoArray(t, 1 * LANES); a420.intoArray(t, 2 * LANES); a430.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y4, col, out - col);
      a500.intoArray(t, 0 * LANES); a510.intoArray(t, 1 * LANES); a520.intoArray(t, 2 * LANES); a530.intoArray(t, 3 * LANES); System.arraycopy(t, 0, y5, col, out - col);
    }
  }
}
