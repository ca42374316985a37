package org.jalign.constitution;

import org.jalign.data.ChatMessage;
import org.jalign.data.ChatTemplate;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.jalign.sft.SftEncoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How a conversation becomes the ids a model continues: with the model's own chat template when it
 * has one (rendered and tokenized by SFT's encoder, so the policy sees at generation time exactly
 * what {@code jalign sft} trains it on), else the "Human:/Assistant:" text format of Bai et al.
 * 2022 that a base model can follow.
 */
public sealed interface ConversationFormat {

    /**
     * The conversation as text, opened for the assistant's next turn, followed by
     * {@code assistantPrefix} (text the assistant turn starts with, e.g. a judge's
     * "The answer is: ("; empty for none).
     */
    String render(List<ChatMessage> messages, String assistantPrefix);

    /** The ids of {@link #render}: what the model reads before writing the assistant's turn. */
    int[] encode(List<ChatMessage> messages, String assistantPrefix);

    /** The text of a generated turn: special tokens dropped, cut where the format's next turn would begin, trimmed. */
    String completionText(int[] completionIds);

    /** True for {@link ChatTemplated}. */
    default boolean usesChatTemplate() {
        return this instanceof ChatTemplated;
    }

    /**
     * The format of {@code model} (loaded from {@code modelDir}): its chat template when its files
     * name one ({@code chat_template.jinja} or tokenizer_config.json), else {@link HumanAssistant}.
     */
    static ConversationFormat forModel(LanguageModel model, Path modelDir) throws IOException {
        TextTokenizer tokenizer = model.tokenizer().orElseThrow(() -> new IOException(
                modelDir + " has no tokenizer.json; constitutional AI works on text"));
        int bos = model.specialTokens().bosId();
        if (model.specialTokens().eosIds().isEmpty()) {
            throw new IOException(modelDir + " names no EOS token; generated turns could not end");
        }
        int eos = model.specialTokens().eosIds().get(0);
        String bosText = bos >= 0 ? tokenizer.decode(new int[] {bos}, false) : "";
        String eosText = tokenizer.decode(new int[] {eos}, false);
        ChatTemplate template = ChatTemplate.forModel(modelDir, bosText, eosText);
        if (template.source().equals(ChatTemplate.PLAIN_SOURCE)) {
            return new HumanAssistant(tokenizer, bos);
        }
        return new ChatTemplated(tokenizer, template, bos, eos);
    }

    /** The model's chat template; the assistant prefix is appended after the generation prompt. */
    final class ChatTemplated implements ConversationFormat {
        private final TextTokenizer tokenizer;
        private final ChatTemplate template;
        private final SftEncoder encoder;

        public ChatTemplated(TextTokenizer tokenizer, ChatTemplate template, int bosId, int eosId) {
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
            this.template = Objects.requireNonNull(template, "template");
            this.encoder = new SftEncoder(tokenizer, template, bosId, eosId);
        }

        @Override
        public String render(List<ChatMessage> messages, String assistantPrefix) {
            return template.render(messages, true) + assistantPrefix;
        }

        @Override
        public int[] encode(List<ChatMessage> messages, String assistantPrefix) {
            int[] conversation = encoder.encodeForGeneration(messages);
            if (assistantPrefix.isEmpty()) {
                return conversation;
            }
            // tokenized apart from the conversation, as SFT tokenizes a completion apart from its prompt
            int[] prefix = tokenizer.encode(assistantPrefix);
            int[] all = Arrays.copyOf(conversation, conversation.length + prefix.length);
            System.arraycopy(prefix, 0, all, conversation.length, prefix.length);
            return all;
        }

        @Override
        public String completionText(int[] completionIds) {
            return tokenizer.decode(completionIds, true).strip();
        }
    }

    /**
     * {@code [BOS] Human: <user>\n\nAssistant: <assistant>\n\nHuman: ...\n\nAssistant:} — the
     * dialogue format of Bai et al. 2022 (a system message is written first, as a plain paragraph).
     * A base model does not stop at EOS, so a generated turn is cut where it starts the next
     * "Human:" turn.
     */
    final class HumanAssistant implements ConversationFormat {
        static final String HUMAN = "Human:";
        static final String ASSISTANT = "Assistant:";
        private static final String TURN_BREAK = "\n\n";

        private final TextTokenizer tokenizer;
        private final int bosId;

        /** @param bosId put in front of every conversation, or -1 for none */
        public HumanAssistant(TextTokenizer tokenizer, int bosId) {
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
            this.bosId = bosId;
        }

        @Override
        public String render(List<ChatMessage> messages, String assistantPrefix) {
            StringBuilder text = new StringBuilder();
            for (ChatMessage m : messages) {
                String label = switch (m.role()) {
                    case SYSTEM -> "";
                    case USER -> HUMAN + " ";
                    case ASSISTANT -> ASSISTANT + " ";
                };
                text.append(label).append(m.content()).append(TURN_BREAK);
            }
            text.append(ASSISTANT);
            if (!assistantPrefix.isEmpty()) {
                text.append(' ').append(assistantPrefix);
            }
            return text.toString();
        }

        @Override
        public int[] encode(List<ChatMessage> messages, String assistantPrefix) {
            int[] text = tokenizer.encode(render(messages, assistantPrefix));
            if (bosId < 0) {
                return text;
            }
            int[] all = new int[text.length + 1];
            all[0] = bosId;
            System.arraycopy(text, 0, all, 1, text.length);
            return all;
        }

        @Override
        public String completionText(int[] completionIds) {
            String text = tokenizer.decode(completionIds, true);
            int next = text.indexOf(HUMAN);
            return (next >= 0 ? text.substring(0, next) : text).strip();
        }
    }
}
