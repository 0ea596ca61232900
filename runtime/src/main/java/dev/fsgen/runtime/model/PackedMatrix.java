package dev.fsgen.runtime.model;

import static dev.fsgen.runtime.model.PanelKernels.HALF;
import static dev.fsgen.runtime.model.PanelKernels.MAX_ROWS;
import static dev.fsgen.runtime.model.PanelKernels.PANEL;

import java.nio.ByteBuffer;

/**
 * A weight matrix W[out, in] packed at load into the layout its product kernel streams: panels of
 * {@link PanelKernels#PANEL} output columns, each stored k-major (the panel's weights at k=0, then
 * at k=1, ...), so one pass over a panel reads its weights sequentially once and feeds every input
 * row from registers. A last partial panel is padded with zero weights.
 *
 * <p>fp32: {@code [panels][in][PANEL]} floats. bf16: {@code [panels][in][PANEL/2]} ints, int j at
 * k holding column j in its low half and column j + PANEL/2 in its high half, so that one int
 * vector widens to two float vectors by a shift and a mask.
 */
final class PackedMatrix {
  final int out;
  final int in;
  final int panels;
  private final int[] bf16; // [panels][in][HALF], or null
  private final float[] fp32; // [panels][in][PANEL], or null

  private PackedMatrix(int out, int in, int[] bf16, float[] fp32) {
    this.out = out;
    this.in = in;
    this.panels = (out + PANEL - 1) / PANEL;
    this.bf16 = bf16;
    this.fp32 = fp32;
  }

  /** Supplies row {@code o} of a matrix [out, in] as fp32 into {@code into[0, in)}; rows are asked for in order. */
  @FunctionalInterface
  interface RowSource {
    void row(int o, float[] into);
  }

  /**
   * Packs the fp32 matrix [out, in] held row-major in {@code rows}. In bf16 the values in
   * {@code rows} are rounded in place to the bf16 values packed (see {@link WeightFormat#BF16}).
   */
  static PackedMatrix pack(ByteBuffer rows, int out, int in, WeightFormat format) {
    if (rows.capacity() < (long) out * in * Float.BYTES) {
      throw new IllegalArgumentException("buffer of " + rows.capacity() + " bytes for a [" + out + ", " + in + "] matrix");
    }
    java.nio.FloatBuffer f = rows.asFloatBuffer();
    // one bulk copy per row: a 310 M-parameter model packs in seconds
    return pack((o, row) -> f.get(o * in, row), out, in, format, (o, row) -> f.put(o * in, row));
  }

  /** Packs a matrix [out, in] whose rows come from {@code rows} (a checkpoint file read in place). */
  static PackedMatrix pack(RowSource rows, int out, int in, WeightFormat format) {
    return pack(rows, out, in, format, null);
  }

  /** @param rounded told each row's values as packed, or null */
  private static PackedMatrix pack(RowSource rows, int out, int in, WeightFormat format, RowSource rounded) {
    int panels = (out + PANEL - 1) / PANEL;
    float[] row = new float[in];
    if (format == WeightFormat.FP32) {
      float[] p = new float[Math.multiplyExact(Math.multiplyExact(panels, in), PANEL)];
      for (int o = 0; o < out; o++) {
        rows.row(o, row);
        int panel = o / PANEL;
        int j = o % PANEL;
        for (int k = 0; k < in; k++) p[(panel * in + k) * PANEL + j] = row[k];
      }
      return new PackedMatrix(out, in, null, p);
    }
    int[] p = new int[Math.multiplyExact(Math.multiplyExact(panels, in), HALF)];
    for (int o = 0; o < out; o++) {
      rows.row(o, row);
      int panel = o / PANEL;
      int j = o % PANEL;
      int shift = j < HALF ? 0 : 16;
      int lane = j % HALF;
      for (int k = 0; k < in; k++) {
        int b = toBf16(row[k]);
        row[k] = Float.intBitsToFloat(b << 16);
        p[(panel * in + k) * HALF + lane] |= b << shift;
      }
      if (rounded != null) rounded.row(o, row); // the rounded values back into libtorch's memory
    }
    return new PackedMatrix(out, in, p, null);
  }

  /** The bf16 bits nearest to {@code f} (round to nearest, ties to even). */
  static int toBf16(float f) {
    int b = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) return (b >>> 16) | 0x40; // stays a NaN
    return (b + 0x7FFF + ((b >>> 16) & 1)) >>> 16;
  }

  /**
   * ys[r][o] = Σ_k W[o, k] · xs[r][k] for the output columns of panels [panelFrom, panelTo): xs
   * [rows][in], ys [rows][out]. Rows go through in groups of up to {@link PanelKernels#MAX_ROWS},
   * each group one pass over the panel: only the first reads it from memory, the others find it
   * in the core's cache.
   */
  void multiply(float[][] xs, float[][] ys, int panelFrom, int panelTo) {
    int rows = xs.length;
    for (int p = panelFrom; p < panelTo; p++) {
      int col = p * PANEL;
      for (int r = 0; r < rows; ) {
        // full groups first: the widest kernel is the most efficient, and a short last group
        // reads the panel from the core's cache (one row is unrolled over k, so it runs fast)
        int n = Math.min(MAX_ROWS, rows - r);
        if (bf16 != null) PanelKernels.bf16(bf16, p * in * HALF, in, xs, ys, r, n, col, out);
        else PanelKernels.fp32(fp32, p * in * PANEL, in, xs, ys, r, n, col, out);
        r += n;
      }
    }
  }

  /** All panels: ys = xs · Wᵀ on the calling thread. */
  void multiply(float[][] xs, float[][] ys) {
    multiply(xs, ys, 0, panels);
  }

  /** Bytes the kernel reads per pass. */
  long bytes() {
    return bf16 != null ? (long) bf16.length * Integer.BYTES : (long) fp32.length * Float.BYTES;
  }

  /** Multiply-adds per input row. */
  long macs() {
    return (long) out * in;
  }
}
