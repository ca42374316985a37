package org.jalign.lm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched decoding with a KV cache.
 *
 * <ol>
 *   <li>Expand: each prompt becomes N rows (prompt-major), left-padded to the longest.</li>
 *   <li>Prefill: one forward over all prompt tokens fills the cache; logits only at the last slot.</li>
 *   <li>Decode: per step, every live row draws a token ({@link TokenSampler}); a row that draws
 *       EOS is done (its EOS is kept, nothing follows it).</li>
 *   <li>Compact: when a quarter of the rows are done they leave the batch (cache rows are
 *       selected), so finished sequences stop costing compute.</li>
 *   <li>Feed the drawn tokens back: one slot per step, written in place into the cache, position
 *       = that row's count of real tokens (HF's cumsum(mask) − 1).</li>
 * </ol>
 *
 * <p>Steps 2, 4 and 5 go through a {@link DecodeSession} from the model: DJL ops for every
 * family, or the plain-Java Vector API path for Llama/Qwen2 ({@link DecodeEngine}). Sampling,
 * EOS and compaction stay here, so both engines share them exactly.
 */
public final class Generator {
    private final DecoderModel model;
    private final SpecialTokens specialTokens;
    private final DecodeEngine engine;

    /** A generator on the engine named by {@code jalign.decode.engine} (default {@code AUTO}). */
    public Generator(DecoderModel model, SpecialTokens specialTokens) {
        this(model, specialTokens, DecodeEngine.fromSystemProperty());
    }

    public Generator(DecoderModel model, SpecialTokens specialTokens, DecodeEngine engine) {
        this.model = model;
        this.specialTokens = specialTokens;
        this.engine = engine;
    }

    /** See {@link LanguageModel#generate(List, GenerationConfig, int)}. */
    public List<GeneratedSequence> generate(List<int[]> prompts, GenerationConfig config, int firstPromptIndex) {
        ModelConfig mc = model.config();
        int samples = config.numReturnSequences();
        int rows = prompts.size() * samples;
        if (rows == 0) {
            return List.of();
        }
        int promptLength = 0;
        for (int p = 0; p < prompts.size(); p++) {
            int[] prompt = prompts.get(p);
            if (prompt.length == 0) {
                throw new IllegalArgumentException("prompt " + (firstPromptIndex + p)
                        + " is empty: give at least one token (e.g. BOS)");
            }
            for (int id : prompt) {
                if (id < 0 || id >= mc.vocabSize()) {
                    throw new IllegalArgumentException("prompt " + (firstPromptIndex + p) + " has token id " + id
                            + " outside the vocabulary [0, " + mc.vocabSize() + ")");
                }
            }
            promptLength = Math.max(promptLength, prompt.length);
        }
        int maxNew = config.maxNewTokens();
        int capacity = promptLength + maxNew;
        if (capacity > mc.maxPositions()) {
            throw new IllegalArgumentException("a prompt of " + promptLength + " tokens + " + maxNew
                    + " new tokens exceeds the model's max_position_embeddings (" + mc.maxPositions() + ")");
        }
        // 1. expand and left-pad
        int pad = specialTokens.padId();
        long[] ids = new long[rows * promptLength];
        long[] positions = new long[rows * promptLength];
        float[] mask = new float[rows * promptLength];
        int[][] history = new int[rows][];
        int[] historyLength = new int[rows];
        SplittableRandom[] randoms = new SplittableRandom[rows];
        for (int r = 0; r < rows; r++) {
            int[] prompt = prompts.get(r / samples);
            int offset = promptLength - prompt.length;
            Arrays.fill(ids, r * promptLength, r * promptLength + offset, pad);
            for (int i = 0; i < prompt.length; i++) {
                ids[r * promptLength + offset + i] = prompt[i];
                positions[r * promptLength + offset + i] = i;
                mask[r * promptLength + offset + i] = 1f;
            }
            history[r] = Arrays.copyOf(prompt, prompt.length + maxNew);
            historyLength[r] = prompt.length;
            randoms[r] = TokenSampler.generatorFor(config.seed(), firstPromptIndex + r / samples, r % samples);
        }
        boolean[] finished = new boolean[rows];
        if (maxNew == 0) {
            return collect(prompts, samples, firstPromptIndex, history, historyLength, finished);
        }
        TokenSampler sampler = new TokenSampler(config, mc.vocabSize());
        boolean argMaxOnly = config.greedy() && config.repetitionPenalty() == 1.0;
        int[] rowOf = new int[rows];          // batch slot → original row
        int[] keep = new int[rows];
        for (int r = 0; r < rows; r++) {
            rowOf[r] = r;
        }
        int live = rows;
        try (DecodeSession session = model.newDecodeSession(rows, capacity, argMaxOnly, engine)) {
            // 2. prefill
            DecodeSession.NextTokens next = session.prefill(ids, positions, mask, promptLength);
            long[] nextIds = new long[rows];
            long[] nextPositions = new long[rows];
            for (int s = 0; ; s++) {
                // 3. draw one token per live row
                int stillLive = 0;
                for (int slot = 0; slot < live; slot++) {
                    int r = rowOf[slot];
                    if (finished[r]) {
                        continue;   // done, but still in the batch until the next compaction
                    }
                    int token = next.argMax() != null ? (int) next.argMax()[slot]
                            : sampler.next(next.logits(), slot, history[r], historyLength[r], randoms[r]);
                    history[r][historyLength[r]++] = token;
                    if (specialTokens.isEos(token)) {
                        finished[r] = true;
                    } else {
                        stillLive++;
                    }
                }
                if (stillLive == 0 || s == maxNew - 1) {
                    break;
                }
                // 4. compact once a quarter of the batch is done
                if (stillLive <= live * 3 / 4) {
                    int k = 0;
                    for (int slot = 0; slot < live; slot++) {
                        if (!finished[rowOf[slot]]) {
                            keep[k] = slot;
                            rowOf[k++] = rowOf[slot];
                        }
                    }
                    session.keepRows(keep, stillLive);
                    live = stillLive;
                }
                // 5. feed the drawn tokens back at the next slot
                for (int slot = 0; slot < live; slot++) {
                    int r = rowOf[slot];
                    nextIds[slot] = finished[r] ? pad : history[r][historyLength[r] - 1];
                    nextPositions[slot] = historyLength[r] - 1;
                }
                next = session.step(nextIds, nextPositions, live, promptLength + s);
            }
        }
        return collect(prompts, samples, firstPromptIndex, history, historyLength, finished);
    }

    private static List<GeneratedSequence> collect(List<int[]> prompts, int samples, int firstPromptIndex,
                                                   int[][] history, int[] historyLength, boolean[] finished) {
        List<GeneratedSequence> out = new ArrayList<>(history.length);
        for (int r = 0; r < history.length; r++) {
            int[] prompt = prompts.get(r / samples);
            int[] completion = Arrays.copyOfRange(history[r], prompt.length, historyLength[r]);
            out.add(new GeneratedSequence(firstPromptIndex + r / samples, r % samples, prompt, completion, finished[r]));
        }
        return out;
    }
}
