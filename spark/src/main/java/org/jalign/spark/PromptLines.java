package org.jalign.spark;

import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.lm.GeneratedSequence;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;

import java.util.Optional;
import java.util.Set;

/**
 * {@code jalign generate}'s line formats: a prompt line in ({@code {"prompt": "text"}} or
 * {@code {"prompt_ids": [...]}}, other fields copied), a completion line out. Same checks, same
 * messages and same field order as {@code org.jalign.cli.GenerateCommand}.
 */
final class PromptLines {

    /** Fields the output line defines; an input field of the same name is not copied. */
    private static final Set<String> OUTPUT_FIELDS =
            Set.of("prompt_ids", "completion_ids", "completion", "sample_index", "finish_reason");

    private PromptLines() {
    }

    /** A checked prompt line: its text or its ids (exactly one is set). */
    record Prompt(JsonlReader.Line line, String text, int[] ids) {
    }

    /** Parses and checks one line without the model (the driver's fast pass runs this on every line). */
    static Prompt parse(InputLine input) {
        JsonlReader.Line line = input.parse();
        Optional<String> text = JsonlFields.optionalString(line, "prompt");
        Optional<int[]> ids = JsonlFields.optionalIntArray(line, "prompt_ids");
        if (text.isPresent() == ids.isPresent()) {
            throw line.error(text.isPresent() ? "both \"prompt\" and \"prompt_ids\" are set"
                            : "neither \"prompt\" nor \"prompt_ids\" is set",
                    "exactly one of {\"prompt\": \"text\"} or {\"prompt_ids\": [1, 2]}");
        }
        ids.ifPresent(x -> LineChecks.checkIds(line, "prompt_ids", x, 1, "generation continues a prompt"));
        return new Prompt(line, text.orElse(null), ids.orElse(null));
    }

    /** The prompt as ids: text is encoded with BOS prepended when the model has one; ids as given. */
    static int[] ids(Prompt prompt, LanguageModel model, String modelName, int maxNewTokens) {
        int[] ids = prompt.ids();
        String field = "prompt_ids";
        if (ids == null) {
            field = "prompt";
            TextTokenizer tokenizer = model.tokenizer().orElseThrow(() -> prompt.line().error(
                    "field \"prompt\" is text, but " + modelName + " has no tokenizer.json",
                    "\"prompt_ids\" (token ids) for this model"));
            ids = withBos(tokenizer.encode(prompt.text()), model.specialTokens().bosId());
            if (ids.length == 0) {
                throw prompt.line().error("field \"prompt\" encodes to no tokens and the model has no BOS token",
                        "a non-empty prompt");
            }
        }
        LineChecks.checkFitsModel(prompt.line(), field, ids, maxNewTokens, model.config());
        return ids;
    }

    /** BOS + ids when the model has a BOS id and ids do not already start with it (HF Llama's default). */
    static int[] withBos(int[] ids, int bos) {
        if (bos < 0 || (ids.length > 0 && ids[0] == bos)) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** One completion line, fields in the CLI's order, then the input's other fields. */
    static JsonObject outputLine(Prompt prompt, int[] promptIds, GeneratedSequence sequence,
                                 Optional<TextTokenizer> tokenizer) {
        JsonObject o = new JsonObject();
        o.add("prompt_ids", LineChecks.toJson(promptIds));
        o.add("completion_ids", LineChecks.toJson(sequence.completionIds()));
        tokenizer.ifPresent(t -> o.addProperty("completion", t.decode(sequence.completionIds(), true)));
        o.addProperty("sample_index", sequence.sampleIndex());
        o.addProperty("finish_reason", sequence.finishedByEos() ? "eos" : "length");
        prompt.line().object().entrySet().stream()
                .filter(e -> !OUTPUT_FIELDS.contains(e.getKey()))
                .forEach(e -> o.add(e.getKey(), e.getValue().deepCopy()));
        return o;
    }
}
