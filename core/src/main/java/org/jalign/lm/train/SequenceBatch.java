package org.jalign.lm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.TokenLogProbs;

import java.util.List;

/**
 * Sequences of different lengths as one (B, T) batch: ids, position ids from the mask
 * (cumsum(mask) − 1, so padding never shifts a sequence) and the attention mask; and what the
 * RLHF stages compute on it: hidden states, the state at each row's last real token (reward and
 * value heads), and every next token's log-probability (PPO's ratio and KL, DPO's implicit
 * reward). Left padding is what training and scoring use; right padding exists so tests can show
 * results do not depend on it. Arrays are created on the caller's scope; under a gradient
 * collector the log-probabilities carry gradients to the model.
 */
public record SequenceBatch(long[] ids, long[] positions, float[] mask, int rows, int length) {

    /** Which side the padding goes. */
    public enum Side { LEFT, RIGHT }

    public static SequenceBatch of(List<int[]> sequences, int padId, Side side, ModelConfig config) {
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
        return new SequenceBatch(ids, positions, mask, rows, length);
    }

    /** The mask (B, T) on {@code scope}. */
    public NDArray mask(NDManager scope) {
        return scope.create(mask, new Shape(rows, length));
    }

    /** Final-norm hidden states (B, T, C) on {@code scope}. */
    public NDArray hiddenStates(DecoderModel model, NDManager scope) {
        Shape shape = new Shape(rows, length);
        return model.hiddenStates(scope.create(ids, shape), scope.create(positions, shape), mask(scope), null);
    }

    /**
     * The hidden state at each row's last real token, the highest position whose mask is 1 (so
     * left- and right-padded rows are read alike).
     *
     * @return (B, C)
     */
    public static NDArray lastTokenStates(NDArray hidden, NDArray mask) {
        long b = hidden.getShape().get(0);
        long t = hidden.getShape().get(1);
        long c = hidden.getShape().get(2);
        NDManager m = hidden.getManager();
        NDArray positions = m.arange(0f, (float) t).reshape(1, t);
        NDArray last = mask.mul(positions).max(new int[] {1}).toType(ai.djl.ndarray.types.DataType.INT64, false); // (B)
        NDArray index = last.reshape(b, 1, 1).repeat(2, c);                                                      // (B, 1, C)
        return hidden.gather(index, 1).reshape(b, c);
    }

    /**
     * log p(token t+1 | tokens 0..t) at {@code temperature} for every column t: (B, T), column
     * T−1 (which has no next token) and padding hold values to ignore; weight them with
     * {@link #nextTokenMask}. Dividing the logits by the sampling temperature here too keeps
     * training log-probs equal to the rollout's (rlhf-details.md, "Log-probs").
     */
    public NDArray nextTokenLogProbs(DecoderModel model, NDManager scope, double temperature) {
        NDArray hidden = hiddenStates(model, scope);                                      // (B, T, C)
        NDArray logits = model.logits(hidden);                                            // (B, T, V)
        return TokenLogProbs.selected(logits, scope.create(nextIds(), new Shape(rows, length)), temperature);
    }

    /** (B, T) float: 1 where column t of {@link #nextTokenLogProbs} scores a real token t+1. */
    public NDArray nextTokenMask(NDManager scope) {
        float[] next = new float[rows * length];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t + 1 < length; t++) {
                next[r * length + t] = mask[r * length + t] * mask[r * length + t + 1];
            }
        }
        return scope.create(next, new Shape(rows, length));
    }

    /** The ids shifted left by one (the last column repeats a valid id; it is masked out). */
    private long[] nextIds() {
        long[] next = new long[rows * length];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < length; t++) {
                next[r * length + t] = ids[r * length + Math.min(t + 1, length - 1)];
            }
        }
        return next;
    }
}
