package org.jalign.constitution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.jalign.lm.train.SequenceBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PreferenceJudge} that asks a language model: the judge prompt ({@link JudgePrompt},
 * rendered in the judge's {@link ConversationFormat}) ends right before the answer, and
 * P(first) = σ(logit_A − logit_B) from the next-token logits of the answer tokens "A" and "B"
 * (Bai et al. 2022 §4.1; Lee et al. 2023 §2.1), never a sampled answer.
 *
 * <p>Steps per call: 1 encode every comparison; 2 in batches of {@code batchSize}, one forward
 * over the left-padded prompts ({@link SequenceBatch}); 3 the final-norm hidden state at each
 * row's last real token, through the LM head, to logits (B, V); 4 pick the two answer columns.
 * Padding and batch composition do not change a result (the mask sets positions and attention).
 */
public final class LogProbJudge implements PreferenceJudge {
    private final LanguageModel model;
    private final ConversationFormat format;
    private final int firstAnswerId;
    private final int secondAnswerId;
    private final int batchSize;

    /**
     * @throws IllegalArgumentException when "A" or "B" is not one token after the answer prefix in the
     *                                  judge's tokenizer (then no next-token probability answers the question)
     */
    public LogProbJudge(LanguageModel model, ConversationFormat format, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("judge batch size must be >= 1, got " + batchSize);
        }
        TextTokenizer tokenizer = model.tokenizer().orElseThrow(() -> new IllegalArgumentException(
                "the judge model has no tokenizer.json; it reads text"));
        this.model = model;
        this.format = format;
        this.firstAnswerId = answerToken(tokenizer, JudgePrompt.FIRST);
        this.secondAnswerId = answerToken(tokenizer, JudgePrompt.SECOND);
        if (firstAnswerId == secondAnswerId) {
            throw new IllegalArgumentException("the judge's tokenizer gives \"A\" and \"B\" the same id " + firstAnswerId);
        }
        this.batchSize = batchSize;
    }

    /**
     * The id of {@code answer} as it follows the answer prefix in running text: the one token that
     * {@code encode(prefix + answer)} adds to {@code encode(prefix)}. Encoding the letter alone would
     * be wrong for SentencePiece tokenizers, which give a lone "A" a word-start marker ("▁A") that
     * "(A" does not have.
     */
    private static int answerToken(TextTokenizer tokenizer, String answer) {
        int[] prefix = tokenizer.encode(JudgePrompt.ANSWER_PREFIX);
        int[] with = tokenizer.encode(JudgePrompt.ANSWER_PREFIX + answer);
        boolean extendsByOne = with.length == prefix.length + 1
                && java.util.Arrays.equals(prefix, java.util.Arrays.copyOf(with, prefix.length));
        if (!extendsByOne) {
            throw new IllegalArgumentException("the judge's tokenizer does not write the answer \"" + answer
                    + "\" after \"" + JudgePrompt.ANSWER_PREFIX + "\" as one token of its own; a log-prob judge needs it to");
        }
        return with[with.length - 1];
    }

    /** The ids of the judge prompt for {@code comparison}: what the answer token follows. */
    public int[] promptIds(Comparison comparison) {
        return format.encode(JudgePrompt.messages(comparison), JudgePrompt.ANSWER_PREFIX);
    }

    public int firstAnswerId() {
        return firstAnswerId;
    }

    public int secondAnswerId() {
        return secondAnswerId;
    }

    @Override
    public double probabilityFirstPreferred(Comparison comparison) {
        return probabilitiesFirstPreferred(List.of(comparison))[0];
    }

    @Override
    public double[] probabilitiesFirstPreferred(List<Comparison> comparisons) {
        double[] out = new double[comparisons.size()];
        List<int[]> prompts = new ArrayList<>(comparisons.size());
        int maxPositions = model.config().maxPositions();
        for (Comparison c : comparisons) {           // 1
            int[] ids = promptIds(c);
            if (ids.length > maxPositions) {
                String start = c.prompt().length() > 40 ? c.prompt().substring(0, 37) + "..." : c.prompt();
                throw new IllegalArgumentException("the judge prompt for \"" + start + "\" has " + ids.length
                        + " tokens, more than the judge's max_position_embeddings (" + maxPositions
                        + "); shorten the completions or use a judge with a longer context");
            }
            prompts.add(ids);
        }
        int pad = model.specialTokens().padId();
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<int[]> chunk = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
            SequenceBatch batch = SequenceBatch.of(chunk, pad, SequenceBatch.Side.LEFT, model.config());
            try (NDManager scope = model.decoder().manager().newSubManager()) {
                NDArray hidden = batch.hiddenStates(model.decoder(), scope);                     // 2: (B, T, C)
                NDArray last = SequenceBatch.lastTokenStates(hidden, batch.mask(scope));          // 3: (B, C)
                NDArray logits = model.decoder().logits(last.expandDims(1)).squeeze(1);          // (B, V)
                float[] first = logits.get(":, " + firstAnswerId).toFloatArray();               // 4: (B)
                float[] second = logits.get(":, " + secondAnswerId).toFloatArray();
                for (int r = 0; r < chunk.size(); r++) {
                    out[from + r] = Judgements.firstAnswerProbability(first[r], second[r]);
                }
            }
        }
        return out;
    }
}
