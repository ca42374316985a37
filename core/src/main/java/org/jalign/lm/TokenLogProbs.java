package org.jalign.lm;

import ai.djl.ndarray.NDArray;

/**
 * Log-probabilities and entropies from logits: the quantities PPO, DPO and the KL penalty are
 * built from. Pure functions on arrays; results belong to the logits' manager.
 */
public final class TokenLogProbs {
    private TokenLogProbs() {
    }

    /**
     * log softmax(logits / temperature) picked at {@code targets}.
     *
     * @param logits  (B, T, V)
     * @param targets (B, T) int64
     * @return (B, T)
     */
    public static NDArray selected(NDArray logits, NDArray targets, double temperature) {
        NDArray scaled = temperature == 1.0 ? logits : logits.div((float) temperature);
        return scaled.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1);
    }

    /**
     * Entropy −Σ p·log p of softmax(logits / temperature) over the vocabulary.
     *
     * @param logits (B, T, V)
     * @return (B, T)
     */
    public static NDArray entropy(NDArray logits, double temperature) {
        NDArray scaled = temperature == 1.0 ? logits : logits.div((float) temperature);
        NDArray logProbs = scaled.logSoftmax(-1);
        return logProbs.exp().mul(logProbs).sum(new int[] {-1}).neg();
    }
}
