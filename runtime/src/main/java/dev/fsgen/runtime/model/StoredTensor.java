package dev.fsgen.runtime.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One tensor of a safetensors file, read where it lies in its stored dtype (F32, F16 or BF16) and
 * widened to fp32 a row at a time as it is read: loading never makes an fp32 copy of a half
 * precision checkpoint. A 2-D tensor [rows, cols] is read by rows, a 1-D one whole.
 *
 * @param offset absolute byte offset of the tensor's data in {@code file}
 */
record StoredTensor(Path file, String name, String dtype, long[] shape, long offset) {
  /** Bytes read per system call while streaming rows: large enough that calls cost nothing. */
  private static final int CHUNK = 1 << 20;

  int rows() {
    return shape.length == 1 ? 1 : Math.toIntExact(shape[0]);
  }

  int cols() {
    return Math.toIntExact(shape[shape.length - 1]);
  }

  int width() {
    return dtype.equals("F32") ? 4 : 2;
  }

  long bytes() {
    return (long) rows() * cols() * width();
  }

  /** The whole tensor as fp32 (norms and biases: a few KB). */
  float[] toFloats() {
    float[] out = new float[rows() * cols()];
    try (Rows r = reader()) {
      for (int i = 0; i < rows(); i++) r.read(i, out, i * cols());
    }
    return out;
  }

  /** A reader of the tensor's rows. */
  Rows reader() {
    return new Rows(this);
  }

  /**
   * The tensor's bytes mapped in place (read-only, little-endian): pages are read from the file
   * when touched and count as this process's memory only while they are. At most 2 GB.
   */
  ByteBuffer map() {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return ch.map(FileChannel.MapMode.READ_ONLY, offset, bytes()).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new ModelFormatException(file, "cannot map tensor '" + name + "': " + e.getMessage(), e);
    }
  }

  /**
   * Widens {@code n} elements of {@code dtype} (F32, F16 or BF16, in the buffer's byte order),
   * starting at element {@code from} of {@code b} (an absolute index: the buffer's position and
   * limit are ignored), into {@code into[at, at + n)}: one dispatch on the dtype per run, not per
   * element.
   */
  static void widen(ByteBuffer b, String dtype, long from, float[] into, int at, int n) {
    switch (dtype) {
      case "BF16" -> {
        int byteAt = Math.toIntExact(from * 2);
        for (int k = 0; k < n; k++) into[at + k] = Float.intBitsToFloat((b.getShort(byteAt + 2 * k) & 0xFFFF) << 16);
      }
      case "F16" -> {
        int byteAt = Math.toIntExact(from * 2);
        for (int k = 0; k < n; k++) into[at + k] = halfToFloat(b.getShort(byteAt + 2 * k));
      }
      // a view of the whole buffer, whatever its position and limit, in its byte order
      case "F32" -> b.duplicate().order(b.order()).clear().asFloatBuffer().get(Math.toIntExact(from), into, at, n);
      default -> throw new IllegalArgumentException("dtype " + dtype + " is not F32, F16 or BF16");
    }
  }

  /** IEEE 754 binary16 to binary32, exactly (subnormals, infinities and NaN included). */
  static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    if (exp != 0) return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    if (mant == 0) return Float.intBitsToFloat(sign);
    float f = mant * 0x1p-24f; // subnormal: mant · 2^-24, exact in fp32
    return sign == 0 ? f : -f;
  }

  /**
   * Sequential reads of rows through one channel and a chunk buffer; any row may be asked for,
   * but rows asked in order cost one read per {@link #CHUNK} bytes.
   */
  static final class Rows implements AutoCloseable {
    private final StoredTensor t;
    private final FileChannel ch;
    private final ByteBuffer buf;
    private final int rowBytes;
    private final int rowsPerChunk;
    private int first = -1; // first row held in buf, -1 before the first read
    private int held;

    private Rows(StoredTensor t) {
      this.t = t;
      this.rowBytes = t.cols() * t.width();
      this.rowsPerChunk = Math.max(1, CHUNK / rowBytes);
      this.buf = ByteBuffer.allocateDirect(rowsPerChunk * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
      try {
        this.ch = FileChannel.open(t.file, StandardOpenOption.READ);
      } catch (IOException e) {
        throw new ModelFormatException(t.file, "unreadable: " + e.getMessage(), e);
      }
    }

    /** Row {@code r} into {@code into[at, at + cols)}. */
    void read(int r, float[] into, int at) {
      if (first < 0 || r < first || r >= first + held) fill(r);
      widen(buf, t.dtype, (long) (r - first) * t.cols(), into, at, t.cols());
    }

    private void fill(int r) {
      held = Math.min(rowsPerChunk, t.rows() - r);
      buf.clear().limit(held * rowBytes);
      long pos = t.offset + (long) r * rowBytes;
      try {
        while (buf.hasRemaining()) {
          if (ch.read(buf, pos + buf.position()) < 0) throw new IOException("file ends inside tensor '" + t.name + "'");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(new IOException(t.file + ": " + e.getMessage(), e));
      }
      first = r;
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException e) {
        // read-only: nothing was lost
      }
    }
  }
}
