package dev.fsgen.decoding;

/**
 * The speculative sampling rule (Leviathan et al. 2023, Chen et al. 2023), with the papers' names:
 * p is System 2's (the target's) distribution, q is System 1's (the draft's), x the drafted token.
 * Accepting x with probability min(1, p(x)/q(x)) and otherwise sampling from norm(max(0, p - q))
 * leaves every emitted token distributed exactly as p.
 */
public final class Acceptance {
  private Acceptance() {}

  /**
   * Whether draft token x is kept, given p(x), q(x) and a uniform draw u in [0, 1).
   * q(x) > 0 always holds for a token that was drawn from q; a zero is treated as "p wins".
   */
  public static boolean accepts(double pX, double qX, double u) {
    if (qX <= 0) return pX > 0;
    return u < Math.min(1.0, pX / qX);
  }

  /**
   * The distribution to resample from after a rejection: norm(max(0, p - q)). If p and q are equal
   * (a rejection is then impossible, but float rounding could get here) it falls back to p.
   */
  public static float[] residual(float[] p, float[] q) {
    if (p.length != q.length) throw new IllegalArgumentException("p has " + p.length + " entries, q has " + q.length);
    float[] r = new float[p.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      float d = p[i] - q[i];
      if (d > 0) {
        r[i] = d;
        sum += d;
      }
    }
    if (!(sum > 0)) return p.clone();
    for (int i = 0; i < r.length; i++) r[i] = (float) (r[i] / sum);
    return r;
  }
}
