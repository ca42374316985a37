package org.jalign.lm;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;

import java.util.Optional;
import java.util.Set;

/**
 * One line of {@code jalign generate}'s input, checked: {@code {"prompt": "text"}} or
 * {@code {"prompt_ids": [1, 2]}} (exactly one), other fields carried to the output; and the
 * completion line it becomes. The command and the Spark job both read and write through this
 * class, so their lines are the same to the byte.
 *
 * <p>Steps: 1 {@link #parse} without the model (so a bad line N fails before a model loads),
 * 2 {@link #promptIds} once the model is loaded (text encoded with BOS prepended, ids as given,
 * both checked against the model), 3 {@link #completionLine} per generated sequence.
 *
 * @param line the line read
 * @param text the prompt text, or null when the line gives ids
 * @param ids  the prompt ids as given, or null when the line gives text
 */
public record PromptLine(JsonlReader.Line line, String text, int[] ids) {

    /** Fields the output line defines; an input field of the same name is not copied. */
    private static final Set<String> OUTPUT_FIELDS =
            Set.of("prompt_ids", "completion_ids", "completion", "sample_index", "finish_reason");

    public PromptLine {
        if ((text == null) == (ids == null)) {
            throw new IllegalArgumentException("exactly one of text and ids must be set");
        }
    }

    /**
     * 1. Every line of a prompts file ({@code ppo}'s and {@code eval compare}'s input), checked;
     * errors name the file and line.
     */
    public static java.util.List<PromptLine> readAll(java.nio.file.Path file) throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new java.io.IOException("prompts file not found: " + file);
        }
        java.util.List<PromptLine> out = new java.util.ArrayList<>();
        try (org.jalign.data.JsonlReader reader = org.jalign.data.JsonlReader.open(file)) {
            for (JsonlReader.Line line : reader) {
                out.add(parse(line));
            }
        }
        if (out.isEmpty()) {
            throw new java.io.IOException(file + ": no prompts");
        }
        return out;
    }

    /** 1. Reads and checks one input line; needs no model. */
    public static PromptLine parse(JsonlReader.Line line) {
        Optional<String> text = JsonlFields.optionalString(line, "prompt");
        Optional<int[]> ids = JsonlFields.optionalIntArray(line, "prompt_ids");
        if (text.isPresent() == ids.isPresent()) {
            throw line.error(text.isPresent() ? "both \"prompt\" and \"prompt_ids\" are set"
                            : "neither \"prompt\" nor \"prompt_ids\" is set",
                    "exactly one of {\"prompt\": \"text\"} or {\"prompt_ids\": [1, 2]}");
        }
        ids.ifPresent(x -> TokenIdChecks.checkIds(line, "prompt_ids", x, 1, "generation continues a prompt"));
        return new PromptLine(line, text.orElse(null), ids.orElse(null));
    }

    /**
     * 2. The prompt as the model's ids: text is encoded with BOS prepended when the model has one
     * ({@link SpecialTokens#withBos}), ids are used as given; either must fit the model with
     * {@code maxNewTokens} more positions.
     *
     * @param modelName the model directory as the user named it, for the message when text meets a model without a tokenizer
     */
    public int[] promptIds(LanguageModel model, String modelName, int maxNewTokens) {
        int[] promptIds = ids;
        String field = "prompt_ids";
        if (promptIds == null) {
            field = "prompt";
            TextTokenizer tokenizer = model.tokenizer().orElseThrow(() -> line.error(
                    "field \"prompt\" is text, but " + modelName + " has no tokenizer.json",
                    "\"prompt_ids\" (token ids) for this model"));
            promptIds = model.specialTokens().withBos(tokenizer.encode(text));
            if (promptIds.length == 0) {
                throw line.error("field \"prompt\" encodes to no tokens and the model has no BOS token",
                        "a non-empty prompt");
            }
        }
        TokenIdChecks.checkFitsModel(line, field, promptIds, maxNewTokens, model.config());
        return promptIds;
    }

    /**
     * 3. One output line: {@code prompt_ids}, {@code completion_ids}, {@code completion} (with a
     * tokenizer), {@code sample_index}, {@code finish_reason}, then the input's other fields in order.
     */
    public JsonObject completionLine(int[] promptIds, GeneratedSequence sequence, Optional<TextTokenizer> tokenizer) {
        JsonObject o = new JsonObject();
        o.add("prompt_ids", toJson(promptIds));
        o.add("completion_ids", toJson(sequence.completionIds()));
        tokenizer.ifPresent(t -> o.addProperty("completion", t.decode(sequence.completionIds(), true)));
        o.addProperty("sample_index", sequence.sampleIndex());
        o.addProperty("finish_reason", sequence.finishedByEos() ? "eos" : "length");
        line.object().entrySet().stream()
                .filter(e -> !OUTPUT_FIELDS.contains(e.getKey()))
                .forEach(e -> o.add(e.getKey(), e.getValue().deepCopy()));
        return o;
    }

    private static JsonArray toJson(int[] ids) {
        JsonArray array = new JsonArray(ids.length);
        for (int id : ids) {
            array.add(id);
        }
        return array;
    }
}
