package org.jalign.dpo;

import org.jalign.data.ChatMessage;
import org.jalign.data.ChatTemplate;
import org.jalign.lm.SpecialTokens;
import org.jalign.lm.TextTokenizer;
import org.jalign.sft.SftEncoder;
import org.jalign.sft.SftExample;
import org.jalign.sft.SftRow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * (prompt, completion) text to the ids the policy scores and which of them are scored, the way the
 * SFT and reward stages render it, so a DPO run continues from an SFT model on the same text:
 *
 * <ol>
 *   <li>With the model's own chat template, the prompt is the user turn and the completion the
 *       assistant turn (its closing tokens scored, as in SFT); else {@code [BOS] prompt completion
 *       EOS} with the completion and EOS scored. Only scored tokens enter log π(y|x): the loss is on
 *       completion tokens alone (TRL's DPOTrainer masks the prompt the same way).</li>
 *   <li>Truncation to the maximum length: first the prompt's oldest tokens (right after a leading
 *       BOS), since the end of the prompt is what the reply depends on; then, if the completion
 *       alone is still too long, the completion's end, so what is scored is the completion's true
 *       beginning (TRL's {@code max_prompt_length}/{@code max_completion_length} cut the prompt's
 *       start and the completion's end the same way). Chosen and rejected are cut independently;
 *       both keep the same prompt tokens unless one completion is too long by itself.</li>
 * </ol>
 */
public final class DpoEncoder {

    /** Ids, which of them are scored (index i: is token i part of the completion), and what was cut. */
    public record Encoded(int[] tokens, boolean[] scored, boolean promptCut, boolean completionCut) {
        public Encoded {
            tokens = tokens.clone();
            scored = scored.clone();
            if (tokens.length != scored.length) {
                throw new IllegalArgumentException(tokens.length + " tokens but " + scored.length + " scored flags");
            }
        }

        @Override
        public int[] tokens() {
            return tokens.clone();
        }

        @Override
        public boolean[] scored() {
            return scored.clone();
        }

        public int length() {
            return tokens.length;
        }

        /** Scored tokens: the completion's length n in the length-normalised losses. */
        public int scoredCount() {
            int n = 0;
            for (boolean s : scored) {
                n += s ? 1 : 0;
            }
            return n;
        }

        boolean scoredAt(int i) {
            return scored[i];
        }

        int tokenAt(int i) {
            return tokens[i];
        }
    }

    private final SftEncoder encoder;
    private final boolean chatTemplate;
    private final int bosId;
    private final int maxLength;

    private DpoEncoder(SftEncoder encoder, boolean chatTemplate, int bosId, int maxLength) {
        this.encoder = encoder;
        this.chatTemplate = chatTemplate;
        this.bosId = bosId;
        this.maxLength = maxLength;
    }

    /** The encoder of the model whose tokenizer and template files are in {@code modelDir}. */
    public static DpoEncoder forModel(TextTokenizer tokenizer, Path modelDir, SpecialTokens tokens, int maxLength)
            throws IOException {
        if (maxLength < 2) {
            throw new IllegalArgumentException("max length must be >= 2, got " + maxLength);
        }
        if (tokens.eosIds().isEmpty()) {
            throw new IOException(modelDir + " names no EOS token; DPO scores the token that ends a reply");
        }
        int bos = tokens.bosId();
        int eos = tokens.eosIds().get(0);
        String bosText = bos >= 0 ? tokenizer.decode(new int[] {bos}, false) : "";
        String eosText = tokenizer.decode(new int[] {eos}, false);
        ChatTemplate template = ChatTemplate.forModel(modelDir, bosText, eosText);
        boolean own = !template.source().equals(ChatTemplate.PLAIN_SOURCE);
        return new DpoEncoder(new SftEncoder(tokenizer, template, bos, eos), own, bos, maxLength);
    }

    public boolean usesChatTemplate() {
        return chatTemplate;
    }

    /** Steps 1–2; {@code source}/{@code lineNumber} name the line for a template's error. */
    public Encoded encode(String prompt, String completion, String source, int lineNumber) {
        SftExample example = chatTemplate
                ? new SftExample.Conversation(List.of(new ChatMessage(ChatMessage.Role.USER, prompt),
                        new ChatMessage(ChatMessage.Role.ASSISTANT, completion)), source, lineNumber)
                : new SftExample.PromptCompletion(prompt, completion, source, lineNumber);
        SftRow row = encoder.encode(example);
        return truncate(row.tokens(), row.targets(), maxLength, bosId);
    }

    /**
     * Step 2: at most {@code maxLength} tokens; the prompt's oldest tokens (after a leading
     * {@code bosId}, -1 = none) go first, then the sequence's end.
     */
    public static Encoded truncate(int[] tokens, boolean[] scored, int maxLength, int bosId) {
        int remove = tokens.length - maxLength;
        if (remove <= 0) {
            return new Encoded(tokens, scored, false, false);
        }
        int first = 0;
        while (first < scored.length && !scored[first]) {
            first++;
        }
        int keep = bosId >= 0 && tokens.length > 0 && tokens[0] == bosId ? 1 : 0;
        // keep one token before the completion so its first token is predicted from something
        int fromPrompt = Math.max(0, Math.min(remove, first - keep - 1));
        int length = tokens.length - fromPrompt;
        int kept = Math.min(length, maxLength);
        int[] t = new int[kept];
        boolean[] s = new boolean[kept];
        for (int i = 0; i < kept; i++) {
            int from = i < keep ? i : i + fromPrompt;
            t[i] = tokens[from];
            s[i] = scored[from];
        }
        return new Encoded(t, s, fromPrompt > 0, length > maxLength);
    }
}
