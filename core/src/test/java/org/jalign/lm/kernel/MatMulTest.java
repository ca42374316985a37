package org.jalign.lm.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The register-blocked kernel against a plain float64 triple loop, on shapes that hit every tail. */
class MatMulTest {

    private static float[] random(int n, SplittableRandom r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    @ParameterizedTest(name = "out {0}, in {1}, batch {2}")
    @CsvSource({
        "1, 1, 1", "3, 5, 1", "7, 13, 3", "9, 21, 2", "66, 40, 1", "5, 8, 2", "13, 9, 16", "67, 37, 17", "130, 70, 16", "9, 33, 24",
        "4, 8, 8", "5, 3, 33", "200, 19, 40"})
    void matchesATripleLoopWithAndWithoutBiasAndAccumulation(int out, int in, int batch) {
        SplittableRandom r = new SplittableRandom(out * 1000L + in * 10L + batch);
        float[] a = random(out * in, r);
        float[] bias = random(out, r);
        float[] columns = random(in * batch, r);            // (in, batch)
        float[] previous = random(out * batch, r);          // (out, batch), for accumulate
        int width = MatMul.paddedWidth(batch);
        assertThat(width % MatMul.LANES).isZero();
        float[] x = new float[in * width];
        for (int i = 0; i < in; i++) {
            System.arraycopy(columns, i * batch, x, i * width, batch);
        }
        Matrix matrix = Matrix.copyOf(a, out, in);
        Matrix biasVector = Matrix.copyOf(bias, out, 1);
        for (Workers workers : new Workers[] {new Workers(1), new Workers(3)}) {
            for (boolean withBias : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] y = new float[out * width];
                    for (int o = 0; o < out; o++) {
                        System.arraycopy(previous, o * batch, y, o * width, batch);
                    }
                    boolean few = batch <= MatMul.FEW_COLUMNS;
                    if (few) {
                        MatMul.multiplyFew(workers, matrix, withBias ? biasVector : null, x, y, width, batch, accumulate,
                                new float[batch * in]);
                    } else {
                        MatMul.multiply(workers, matrix, withBias ? biasVector : null, x, y, width, accumulate);
                    }
                    for (int o = 0; o < out; o++) {
                        for (int b = 0; b < batch; b++) {
                            double expected = (accumulate ? previous[o * batch + b] : 0) + (withBias ? bias[o] : 0);
                            for (int i = 0; i < in; i++) {
                                expected += (double) a[o * in + i] * columns[i * batch + b];
                            }
                            assertThat((double) y[o * width + b])
                                    .as("y[%d][%d], %d threads, bias %s, accumulate %s", o, b, workers.threads(),
                                            withBias, accumulate)
                                    .isCloseTo(expected, within(1e-5 * Math.max(1, in)));
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "out {0}, in {1}, batch {2}")
    @CsvSource({"1, 1, 3", "3, 5, 8", "7, 13, 3", "13, 9, 16", "67, 37, 17", "130, 70, 16", "9, 33, 24", "4, 8, 8",
        "5, 3, 33", "200, 19, 40", "71, 11, 9"})
    void thePackedCopyHoldsTheSameMatrixAndGivesTheSameBits(int out, int in, int batch) {
        SplittableRandom r = new SplittableRandom(out * 7919L + in * 31L + batch);
        float[] a = random(out * in, r);
        Matrix matrix = Matrix.copyOf(a, out, in);
        Matrix bias = Matrix.copyOf(random(out, r), out, 1);
        int width = MatMul.paddedWidth(batch);
        float[] x = random(in * width, r);
        float[] previous = random(out * width, r);
        for (Workers workers : new Workers[] {new Workers(1), new Workers(3)}) {
            PackedMatrix packed = PackedMatrix.pack(workers, matrix);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    assertThat(packed.get(o, i)).as("A[%d][%d]", o, i).isEqualTo(a[o * in + i]);
                }
            }
            for (boolean accumulate : new boolean[] {false, true}) {
                for (Matrix b : new Matrix[] {null, bias}) {
                    float[] inPlace = previous.clone();
                    float[] fromCopy = previous.clone();
                    MatMul.multiply(workers, matrix, b, x, inPlace, width, accumulate);
                    PackedMatMul.multiply(workers, packed, b, x, fromCopy, width, accumulate);
                    for (int k = 0; k < inPlace.length; k++) {
                        assertThat(Float.floatToRawIntBits(fromCopy[k]))
                                .as("y[%d][%d], %d threads, bias %s, accumulate %s", k / width, k % width,
                                        workers.threads(), b != null, accumulate)
                                .isEqualTo(Float.floatToRawIntBits(inPlace[k]));
                    }
                }
            }
        }
    }
}
