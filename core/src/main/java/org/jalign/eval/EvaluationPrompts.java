package org.jalign.eval;

import org.jalign.data.ChatMessage;
import org.jalign.data.ChatTemplate;
import org.jalign.data.DataFormatException;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.PromptLine;
import org.jalign.lm.TextTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The prompts file of {@code eval compare}: JSONL, one {@code {"prompt": "text"}} or
 * {@code {"prompt_ids": [1, 2]}} a line (other fields are ignored), every line checked before a
 * model loads; then encoded for the policies by {@link PromptFormat}.
 */
final class EvaluationPrompts {
    private EvaluationPrompts() {
    }

    /** The prompts file's lines, checked ({@link PromptLine#readAll}). */
    static List<PromptLine> read(Path file) throws IOException {
        return PromptLine.readAll(file);
    }

    /**
     * Each line as ids for {@code model}, whose tokenizer and template files are in {@code filesDir}.
     * Text prompts follow {@code format}; {@code prompt_ids} are used as given and shown as ids.
     */
    static List<PolicyEvaluation.EvaluationPrompt> encode(List<PromptLine> lines, LanguageModel model, Path filesDir,
                                                         PromptFormat format, int maxNewTokens) throws IOException {
        ChatTemplate template = null;
        Optional<TextTokenizer> tokenizer = model.tokenizer();
        int bos = model.specialTokens().bosId();
        if (tokenizer.isPresent() && format != PromptFormat.PLAIN) {
            String bosText = bos >= 0 ? tokenizer.get().decode(new int[] {bos}, false) : "";
            List<Integer> eos = model.specialTokens().eosIds();
            String eosText = eos.isEmpty() ? "" : tokenizer.get().decode(new int[] {eos.get(0)}, false);
            ChatTemplate found = ChatTemplate.forModel(filesDir, bosText, eosText);
            boolean own = !found.source().equals(ChatTemplate.PLAIN_SOURCE);
            template = format == PromptFormat.CHAT || own ? found : null;
        }
        int vocab = model.config().vocabSize();
        int room = model.config().maxPositions() - maxNewTokens;
        List<PolicyEvaluation.EvaluationPrompt> out = new ArrayList<>(lines.size());
        for (PromptLine l : lines) {
            int[] ids;
            String shown;
            if (l.text() != null) {
                TextTokenizer t = tokenizer.orElseThrow(() -> l.line().error(
                        "field \"prompt\" is text, but the policy has no tokenizer.json", "\"prompt_ids\" (token ids)"));
                ids = template != null ? renderChat(l, template, t, bos, model.specialTokens().eosIds())
                        : model.specialTokens().withBos(t.encode(l.text()));
                shown = l.text();
                if (ids.length == 0) {
                    throw l.line().error("field \"prompt\" encodes to no tokens and the policy has no BOS token",
                            "a non-empty prompt");
                }
            } else {
                ids = l.ids();
                for (int id : ids) {
                    if (id < 0 || id >= vocab) {
                        throw l.line().error("field \"prompt_ids\" holds " + id + ", outside the vocabulary [0, " + vocab + ")",
                                "token ids of the policy");
                    }
                }
                shown = tokenizer.map(t -> t.decode(l.ids(), false)).orElse(Arrays.toString(l.ids()));
            }
            if (ids.length > room) {
                throw l.line().error("the prompt has " + ids.length + " tokens; with --max-new-tokens " + maxNewTokens
                        + " at most " + room + " fit the model's " + model.config().maxPositions() + " positions",
                        "a shorter prompt or fewer new tokens");
            }
            out.add(new PolicyEvaluation.EvaluationPrompt(shown, ids));
        }
        return out;
    }

    /**
     * The user turn rendered with the generation prompt, tokenized piece by piece so the template's
     * BOS/EOS strings become their ids (as SFT's encoder does; apply_chat_template + tokenize
     * with add_special_tokens=False gives the same ids for special tokens the tokenizer knows).
     */
    private static int[] renderChat(PromptLine l, ChatTemplate template, TextTokenizer tokenizer, int bos, List<Integer> eos) {
        String text;
        try {
            text = template.render(List.of(new ChatMessage(ChatMessage.Role.USER, l.text())), true);
        } catch (RuntimeException e) {
            throw new DataFormatException(l.line().source(), l.line().lineNumber(), "the chat template rejects the prompt ("
                    + e.getMessage() + ")", "a prompt the model's chat template accepts");
        }
        String bosText = bos >= 0 ? template.bosToken() : "";
        String eosText = eos.isEmpty() ? "" : template.eosToken();
        List<Integer> ids = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int nextBos = bosText.isEmpty() ? -1 : text.indexOf(bosText, at);
            int nextEos = eosText.isEmpty() ? -1 : text.indexOf(eosText, at);
            int next = nextBos < 0 ? nextEos : nextEos < 0 ? nextBos : Math.min(nextBos, nextEos);
            int end = next < 0 ? text.length() : next;
            for (int id : tokenizer.encode(text.substring(at, end))) {
                ids.add(id);
            }
            if (next < 0) {
                break;
            }
            boolean isEos = next == nextEos;
            ids.add(isEos ? eos.get(0) : bos);
            at = next + (isEos ? eosText : bosText).length();
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
