package org.jalign.reward;

import org.jalign.data.JsonlReader;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.jalign.lm.TokenIdChecks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The sequence {@code jalign reward score} scores for a {@link ScoreLine}: ids checked against
 * the model and concatenated as given; text encoded as {@code reward train} encodes it
 * ({@link RewardEncoder}: chat template, else BOS prompt completion EOS), the encoder built on the
 * first text line so an ids-only input needs no tokenizer.
 */
public final class ScoreLineEncoder {
    private final LanguageModel body;
    private final Path tokenizerDir;
    private final int maxLength;
    private final String modelName;
    private RewardEncoder encoder;

    /**
     * @param body         the scoring model's language model
     * @param tokenizerDir where its tokenizer files (chat template) are
     * @param maxLength    sequences are cut to this many tokens keeping the completion's end; 0 is no limit
     * @param modelName    the model directory as the user named it, for the message when text meets a model without a tokenizer
     */
    public ScoreLineEncoder(LanguageModel body, Path tokenizerDir, int maxLength, String modelName) {
        this.body = body;
        this.tokenizerDir = tokenizerDir;
        this.maxLength = maxLength;
        this.modelName = modelName;
    }

    /** The line's sequence to score. */
    public int[] encode(ScoreLine item) throws IOException {
        JsonlReader.Line line = item.line();
        if (item.promptIds() != null) {
            TokenIdChecks.checkFitsModel(line, "prompt_ids", item.promptIds(), 0, body.config());
            TokenIdChecks.checkFitsModel(line, "completion_ids", item.completionIds(), 0, body.config());
            return RewardEncoder.concatenate(item.promptIds(), item.completionIds(), maxLength);
        }
        Optional<TextTokenizer> tokenizer = body.tokenizer();
        if (tokenizer.isEmpty()) {
            throw line.error("a text \"prompt\"", "\"prompt_ids\" and \"completion_ids\": " + modelName
                    + " has no tokenizer.json");
        }
        if (encoder == null) {
            encoder = RewardEncoder.forModel(tokenizer.get(), tokenizerDir, body.specialTokens(), maxLength);
        }
        return encoder.encode(item.prompt(), item.completion(), line.source(), line.lineNumber()).tokens();
    }
}
