package org.jalign.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.ModelConfig;

import java.util.List;

/**
 * Sequences of different lengths as one (B, T) batch: ids, position ids from the mask
 * (cumsum(mask) − 1, so padding never shifts a sequence) and the attention mask. Left padding is
 * what the scorers use; right padding exists so tests can show the reward does not depend on it.
 */
record PaddedBatch(long[] ids, long[] positions, float[] mask, int rows, int length) {

    enum Side { LEFT, RIGHT }

    static PaddedBatch of(List<int[]> sequences, int padId, Side side, ModelConfig config) {
        int rows = sequences.size();
        int length = 0;
        for (int[] s : sequences) {
            length = Math.max(length, s.length);
        }
        long[] ids = new long[rows * length];
        long[] positions = new long[rows * length];
        float[] mask = new float[rows * length];
        for (int r = 0; r < rows; r++) {
            int[] s = sequences.get(r);
            if (s.length == 0) {
                throw new IllegalArgumentException("sequence " + r + " is empty; a reward is read at its last token");
            }
            if (s.length > config.maxPositions()) {
                throw new IllegalArgumentException("sequence " + r + " has " + s.length
                        + " tokens, more than max_position_embeddings (" + config.maxPositions() + ")");
            }
            int offset = side == Side.LEFT ? length - s.length : 0;
            java.util.Arrays.fill(ids, r * length, (r + 1) * length, padId);
            for (int i = 0; i < s.length; i++) {
                if (s[i] < 0 || s[i] >= config.vocabSize()) {
                    throw new IllegalArgumentException("sequence " + r + " has token id " + s[i]
                            + " outside the vocabulary [0, " + config.vocabSize() + ")");
                }
                ids[r * length + offset + i] = s[i];
                positions[r * length + offset + i] = i;
                mask[r * length + offset + i] = 1f;
            }
        }
        return new PaddedBatch(ids, positions, mask, rows, length);
    }

    /** The mask (B, T) on {@code scope}. */
    NDArray mask(NDManager scope) {
        return scope.create(mask, new Shape(rows, length));
    }

    /** Final-norm hidden states (B, T, C) on {@code scope}. */
    NDArray hiddenStates(DecoderModel model, NDManager scope) {
        Shape shape = new Shape(rows, length);
        return model.hiddenStates(scope.create(ids, shape), scope.create(positions, shape), mask(scope), null);
    }

    /**
     * The hidden state at each row's last real token, the highest position whose mask is 1 (so
     * left- and right-padded rows are read alike).
     *
     * @return (B, C)
     */
    static NDArray lastTokenStates(NDArray hidden, NDArray mask) {
        long b = hidden.getShape().get(0);
        long t = hidden.getShape().get(1);
        long c = hidden.getShape().get(2);
        NDManager m = hidden.getManager();
        NDArray positions = m.arange(0f, (float) t).reshape(1, t);
        NDArray last = mask.mul(positions).max(new int[] {1}).toType(ai.djl.ndarray.types.DataType.INT64, false); // (B)
        NDArray index = last.reshape(b, 1, 1).repeat(2, c);                                                      // (B, 1, C)
        return hidden.gather(index, 1).reshape(b, c);
    }
}
