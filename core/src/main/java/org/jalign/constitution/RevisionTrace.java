package org.jalign.constitution;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.List;

/**
 * What critique-revision did to one prompt: the initial response and, per round, the principle,
 * the critique and the revision. The last revision is the SFT target.
 */
public record RevisionTrace(RevisionPrompt prompt, String initialResponse, boolean initialGiven, List<Round> rounds) {

    /** One round: under {@code principleId}, {@code critique} of the previous response, then {@code revision}. */
    public record Round(String principleId, String critique, String revision) {
    }

    public RevisionTrace {
        rounds = List.copyOf(rounds);
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("a trace needs at least one round");
        }
    }

    /** The SFT target: the last round's revision. */
    public String finalRevision() {
        return rounds.get(rounds.size() - 1).revision();
    }

    /**
     * A {@code trace.jsonl} line: {@code {"prompt_index", "prompt_id", "prompt", "initial_response",
     * "initial_response_given", "rounds": [{"principle", "critique", "revision"}], "revision"}}.
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("prompt_index", prompt.index());
        o.addProperty("prompt_id", prompt.id());
        o.addProperty("prompt", prompt.prompt());
        o.addProperty("initial_response", initialResponse);
        o.addProperty("initial_response_given", initialGiven);
        JsonArray array = new JsonArray();
        for (Round r : rounds) {
            JsonObject round = new JsonObject();
            round.addProperty("principle", r.principleId());
            round.addProperty("critique", r.critique());
            round.addProperty("revision", r.revision());
            array.add(round);
        }
        o.add("rounds", array);
        o.addProperty("revision", finalRevision());
        return o;
    }

    /**
     * An {@code sft.jsonl} line in a format {@code jalign sft} reads: for a model with a chat
     * template, {@code {"messages": [user prompt, assistant revision], "prompt_id"}} (sft renders it
     * with the same template); otherwise {@code {"prompt": "Human: <prompt>\n\nAssistant:",
     * "completion": " <revision>", "prompt_id"}}, the text format the revision was generated in.
     */
    public JsonObject toSftJson(boolean chatTemplate) {
        JsonObject o = new JsonObject();
        if (chatTemplate) {
            JsonArray messages = new JsonArray();
            messages.add(message("user", prompt.prompt()));
            messages.add(message("assistant", finalRevision()));
            o.add("messages", messages);
        } else {
            o.addProperty("prompt", ConversationFormat.HumanAssistant.HUMAN + " " + prompt.prompt() + "\n\n"
                    + ConversationFormat.HumanAssistant.ASSISTANT);
            o.addProperty("completion", " " + finalRevision());
        }
        o.addProperty("prompt_id", prompt.id());
        return o;
    }

    private static JsonObject message(String role, String content) {
        JsonObject m = new JsonObject();
        m.addProperty("role", role);
        m.addProperty("content", content);
        return m;
    }
}
