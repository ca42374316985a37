package org.jalign.reward;

import org.jalign.data.ChatMessage;
import org.jalign.data.ChatTemplate;
import org.jalign.lm.SpecialTokens;
import org.jalign.lm.TextTokenizer;
import org.jalign.sft.SftEncoder;
import org.jalign.sft.SftExample;
import org.jalign.sft.SftRow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * (prompt, completion) text to the token ids a reward model reads, the same way for training and
 * for scoring, reusing SFT's encoder so a policy and its reward model see one rendering:
 *
 * <ol>
 *   <li>When the model has a chat template of its own, the prompt is the user turn and the
 *       completion the assistant turn, rendered by the template (with the tokens that close the
 *       turn); else plain concatenation {@code [BOS] prompt completion EOS}. Either way the
 *       sequence ends with the token that ends the reply, which is where the reward is read (TRL's
 *       RewardTrainer also appends EOS).</li>
 *   <li>Sequences longer than the maximum length lose tokens from the left, right after a leading
 *       BOS: first the prompt's oldest tokens, then, only if the completion alone does not fit,
 *       the completion's beginning. The end is always kept because the reward is read at the last
 *       token; TRL instead drops such examples, OpenRLHF cuts the end and overwrites the last
 *       token with EOS.</li>
 * </ol>
 */
public final class RewardEncoder {

    /** Encoded ids, and what truncation removed. */
    public record Encoded(int[] tokens, boolean promptCut, boolean completionCut) {
        public Encoded {
            tokens = tokens.clone();
        }

        @Override
        public int[] tokens() {
            return tokens.clone();
        }
    }

    private final TextTokenizer tokenizer;
    private final SftEncoder encoder;
    private final boolean chatTemplate;
    private final int bosId;
    private final int maxLength;

    private RewardEncoder(TextTokenizer tokenizer, SftEncoder encoder, boolean chatTemplate, int bosId, int maxLength) {
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.chatTemplate = chatTemplate;
        this.bosId = bosId;
        this.maxLength = maxLength;
    }

    /**
     * The encoder of the model whose tokenizer and template files are in {@code modelDir}.
     *
     * @param maxLength tokens kept at most per sequence, ≥ 2; 0 = no limit
     */
    public static RewardEncoder forModel(TextTokenizer tokenizer, Path modelDir, SpecialTokens tokens, int maxLength)
            throws IOException {
        if (maxLength != 0 && maxLength < 2) {
            throw new IllegalArgumentException("max length must be >= 2 (or 0 for no limit), got " + maxLength);
        }
        if (tokens.eosIds().isEmpty()) {
            throw new IOException(modelDir + " names no EOS token; the reward model reads the token that ends a reply");
        }
        int bos = tokens.bosId();
        int eos = tokens.eosIds().get(0);
        String bosText = bos >= 0 ? tokenizer.decode(new int[] {bos}, false) : "";
        String eosText = tokenizer.decode(new int[] {eos}, false);
        ChatTemplate template = ChatTemplate.forModel(modelDir, bosText, eosText);
        boolean own = !template.source().equals(ChatTemplate.PLAIN_SOURCE);
        return new RewardEncoder(tokenizer, new SftEncoder(tokenizer, template, bos, eos), own, bos, maxLength);
    }

    /** True when the model's own chat template renders the (user, assistant) turns. */
    public boolean usesChatTemplate() {
        return chatTemplate;
    }

    public int maxLength() {
        return maxLength;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Steps 1–2 for one completion.
     *
     * @param source,lineNumber where the text came from, for a template's error
     */
    public Encoded encode(String prompt, String completion, String source, int lineNumber) {
        SftExample example = chatTemplate
                ? new SftExample.Conversation(List.of(new ChatMessage(ChatMessage.Role.USER, prompt),
                        new ChatMessage(ChatMessage.Role.ASSISTANT, completion)), source, lineNumber)
                : new SftExample.PromptCompletion(prompt, completion, source, lineNumber);
        SftRow row = encoder.encode(example);
        int completionStart = row.firstTarget() < 0 ? row.length() : row.firstTarget();
        return truncateKeepingEnd(row.tokens(), completionStart, maxLength, bosId);
    }

    /**
     * Step 2: at most {@code maxLength} tokens (0 = no limit), removed from the left after a
     * leading {@code bosId} (-1 = none): the prompt's first, then the completion's.
     *
     * @param completionStart index of the completion's first token in {@code tokens}
     */
    public static Encoded truncateKeepingEnd(int[] tokens, int completionStart, int maxLength, int bosId) {
        int remove = tokens.length - maxLength;
        if (maxLength == 0 || remove <= 0) {
            return new Encoded(tokens, false, false);
        }
        int keep = bosId >= 0 && tokens.length > 0 && tokens[0] == bosId ? 1 : 0;
        int[] out = new int[maxLength];
        System.arraycopy(tokens, 0, out, 0, keep);
        System.arraycopy(tokens, keep + remove, out, keep, maxLength - keep);
        boolean promptCut = completionStart > keep;
        boolean completionCut = keep + remove > completionStart;
        return new Encoded(out, promptCut, completionCut);
    }

    /** prompt ++ completion, for ids given directly (no template, nothing added), then step 2. */
    public static int[] concatenate(int[] prompt, int[] completion, int maxLength) {
        int[] all = Arrays.copyOf(prompt, prompt.length + completion.length);
        System.arraycopy(completion, 0, all, prompt.length, completion.length);
        return truncateKeepingEnd(all, prompt.length, maxLength, -1).tokens();
    }
}
