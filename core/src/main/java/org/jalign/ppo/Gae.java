package org.jalign.ppo;

/**
 * Generalised advantage estimation (Schulman et al. 2016, eq. 16) over the response tokens of a
 * rollout, run backwards from each row's last real token (TRL {@code PPOTrainer.compute_advantages},
 * "The N implementation details of RLHF with PPO" §"GAE").
 *
 * <p>Rows are response-aligned: column j is the j-th generated token, and only the first
 * {@code lengths[r]} columns of row r are real (the rest follow EOS or pad the batch). Those
 * positions are never read — they may hold any sentinel, NaN included — and come back as 0.
 *
 * <pre>
 *   δ_t = r_t + γ·V_{t+1} − V_t          (V_{t+1} = 0 past the last real token)
 *   A_t = δ_t + γλ·A_{t+1}
 *   R_t = A_t + V_t                      (the value target)
 * </pre>
 */
public final class Gae {
    private Gae() {
    }

    /** Advantages and returns (value targets), (B, R) each, 0 at masked positions. */
    public record Result(double[][] advantages, double[][] returns) {
    }

    /**
     * @param rewards (B, R) per-token rewards (KL-shaped, score at the last real token)
     * @param values  (B, R) value estimates of the state before each response token
     * @param lengths real response tokens per row
     */
    public static Result compute(double[][] rewards, double[][] values, int[] lengths, double gamma, double lambda) {
        int rows = rewards.length;
        double[][] advantages = new double[rows][];
        double[][] returns = new double[rows][];
        for (int r = 0; r < rows; r++) {
            int width = rewards[r].length;
            if (lengths[r] < 0 || lengths[r] > width || values[r].length != width) {
                throw new IllegalArgumentException("row " + r + ": length " + lengths[r] + " does not fit " + width
                        + " reward and " + values[r].length + " value columns");
            }
            advantages[r] = new double[width];
            returns[r] = new double[width];
            double next = 0;        // A_{t+1}
            double nextValue = 0;   // V_{t+1}
            for (int t = lengths[r] - 1; t >= 0; t--) {
                double delta = rewards[r][t] + gamma * nextValue - values[r][t];
                next = delta + gamma * lambda * next;
                advantages[r][t] = next;
                returns[r][t] = next + values[r][t];
                nextValue = values[r][t];
            }
        }
        return new Result(advantages, returns);
    }
}
