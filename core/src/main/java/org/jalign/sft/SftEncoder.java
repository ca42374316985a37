package org.jalign.sft;

import org.jalign.data.ChatMessage;
import org.jalign.data.ChatTemplate;
import org.jalign.data.ChatTemplateException;
import org.jalign.data.DataFormatException;
import org.jalign.lm.TextTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tokenizes an {@link SftExample} into an {@link SftRow} whose targets are the reply alone
 * ("completion-only loss" in TRL's SFTTrainer; its default since TRL 0.20).
 *
 * <p>Prompt/completion: {@code [BOS] prompt completion EOS}, targets on the completion and EOS.
 * Prompt and completion are tokenized separately, so the boundary is exact (TRL tokenizes
 * prompt+completion together and warns when the prompt's tokens are not a prefix).
 *
 * <p>Conversation: 1 render with the chat template; 2 find each assistant turn's characters by
 * rendering the prefix before it (with the generation prompt) and through it
 * ({@link ChatTemplate#renderForTraining}), as TRL's assistant-only loss does; 3 tokenize the text
 * piece by piece between those boundaries, each piece's tokens being targets when it is an
 * assistant span; 4 within each piece, the template's {@code bos_token}/{@code eos_token} strings
 * become the BOS/EOS ids directly, whatever the tokenizer would make of them. No BOS is added:
 * the template decides, as {@code apply_chat_template} does (Llama's templates write it, ChatML's
 * do not; {@link ChatTemplate#plain} does). The assistant's closing tokens ({@code <|im_end|>},
 * {@code </s>}) are inside its span, so the model learns to stop.
 */
public final class SftEncoder {

    private final TextTokenizer tokenizer;
    private final ChatTemplate template;
    private final int bosId;
    private final int eosId;

    /**
     * @param bosId the id put in front of a prompt/completion example and written for the
     *              template's {@code bos_token}, or -1 when the model has none
     * @param eosId the id that ends a completion and is written for the template's {@code eos_token}
     */
    public SftEncoder(TextTokenizer tokenizer, ChatTemplate template, int bosId, int eosId) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = Objects.requireNonNull(template, "template");
        if (eosId < 0) {
            throw new IllegalArgumentException("SFT needs an EOS id so completions end, got " + eosId);
        }
        this.bosId = bosId;
        this.eosId = eosId;
    }

    /** The BOS id, or -1: what {@link SftRow#truncateLeft} keeps in front. */
    public int bosId() {
        return bosId;
    }

    /**
     * The example's tokens and targets, not yet truncated.
     *
     * @throws DataFormatException naming the example's file and line when the chat template rejects it
     */
    public SftRow encode(SftExample example) {
        Builder row = new Builder();
        if (example instanceof SftExample.PromptCompletion pc) {
            if (bosId >= 0) {
                row.add(bosId, false);
            }
            row.addAll(tokenizer.encode(pc.prompt()), false);
            row.addAll(tokenizer.encode(pc.completion()), true);
            row.add(eosId, true);
        } else {
            SftExample.Conversation c = (SftExample.Conversation) example;
            ChatTemplate.Rendered rendered;
            try {
                rendered = template.renderForTraining(c.messages());
            } catch (ChatTemplateException e) {
                throw new DataFormatException(c.source(), c.lineNumber(), e.getMessage(),
                        "a conversation the model's chat template accepts");
            }
            String text = rendered.text();
            int at = 0;
            for (ChatTemplate.Span span : rendered.assistantSpans()) {
                addText(row, text.substring(at, span.start()), false);
                addText(row, text.substring(span.start(), span.end()), true);
                at = span.end();
            }
            addText(row, text.substring(at), false);
        }
        return row.build();
    }

    /**
     * The ids of {@code messages} rendered with the template's generation prompt (what
     * {@code apply_chat_template(..., add_generation_prompt=True)} gives), ready for the model to
     * write the next assistant turn; the template's BOS/EOS strings become their ids as in
     * {@link #encode}.
     *
     * @throws org.jalign.data.ChatTemplateException when the template rejects the conversation
     */
    public int[] encodeForGeneration(List<ChatMessage> messages) {
        Builder row = new Builder();
        addText(row, template.render(messages, true), false);
        return row.build().tokens();
    }

    /** Tokenizes {@code text}, writing the template's BOS/EOS strings as their ids. */
    private void addText(Builder row, String text, boolean target) {
        String bos = bosId >= 0 ? template.bosToken() : "";
        String eos = template.eosToken();
        int at = 0;
        while (at < text.length()) {
            int nextBos = bos.isEmpty() ? -1 : text.indexOf(bos, at);
            int nextEos = eos.isEmpty() ? -1 : text.indexOf(eos, at);
            int next = nextBos < 0 ? nextEos : nextEos < 0 ? nextBos : Math.min(nextBos, nextEos);
            if (next < 0) {
                row.addAll(tokenizer.encode(text.substring(at)), target);
                return;
            }
            if (next > at) {
                row.addAll(tokenizer.encode(text.substring(at, next)), target);
            }
            boolean isEos = next == nextEos; // at equal offsets, EOS wins: some models use one token for both
            row.add(isEos ? eosId : bosId, target);
            at = next + (isEos ? eos : bos).length();
        }
    }

    private static final class Builder {
        private final List<Integer> tokens = new ArrayList<>();
        private final List<Boolean> targets = new ArrayList<>();

        void add(int token, boolean target) {
            tokens.add(token);
            targets.add(target && tokens.size() > 1); // token 0 is never predicted
        }

        void addAll(int[] ids, boolean target) {
            for (int id : ids) {
                add(id, target);
            }
        }

        SftRow build() {
            int[] t = new int[tokens.size()];
            boolean[] m = new boolean[tokens.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = tokens.get(i);
                m[i] = targets.get(i);
            }
            return new SftRow(t, m);
        }
    }
}
