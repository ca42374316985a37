package org.jalign.lm;

/**
 * The model's side of one {@link Generator#generate} call: a batch of rows with its own cache,
 * prefilled once, then advanced one token per row per step. {@link Generator} owns everything
 * else (padding, sampling, EOS, which rows are live), so every engine shares those semantics.
 *
 * <p>Shapes: R rows at the start, {@code live} ≤ R after compaction; V the vocabulary. The logits
 * returned are row-major (rows × V); an engine may reuse the array between calls.
 */
public interface DecodeSession extends AutoCloseable {

    /** What a step gives the sampler: logits (rows × V), or, when the session was opened for greedy
     *  decoding without a repetition penalty, possibly just each row's argmax (one of the two is null). */
    record NextTokens(float[] logits, long[] argMax) {
    }

    /**
     * Runs the left-padded prompts and returns the next-token scores at their last slot.
     *
     * @param ids       (R, P) token ids, pads included
     * @param positions (R, P) position ids (cumsum(mask) − 1; 0 for pads)
     * @param mask      (R, P) 1 for real tokens, 0 for padding
     */
    NextTokens prefill(long[] ids, long[] positions, float[] mask, int promptLength);

    /** Keeps batch slots {@code slots[0, count)} (increasing), which become slots [0, count). */
    void keepRows(int[] slots, int count);

    /**
     * Feeds one token per live row at cache slot {@code slot} (every row's slot is real from the
     * prompt's end on) and returns the next-token scores.
     *
     * @param ids       [0, live): the tokens
     * @param positions [0, live): their position ids
     */
    NextTokens step(long[] ids, long[] positions, int live, int slot);

    @Override
    void close();
}
