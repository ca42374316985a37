package org.jalign.constitution;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.data.DataFormatException;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.sft.SftDataset;
import org.jalign.sft.SftExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Critique-revision runs: rounds, seeds, batching, resume, both formats, and a greedy round redone by hand. */
class RevisionRunTest {
    @TempDir
    static Path shared;
    private static Path model;
    private static Path chatModel;
    private static Path constitution;
    private static Path prompts;

    @BeforeAll
    static void fixtures() throws Exception {
        model = ConstitutionFixtures.model(shared.resolve("plain"), 21);
        chatModel = ConstitutionFixtures.chatModel(shared.resolve("chat"), 22);
        constitution = shared.resolve("constitution.jsonl");
        StringBuilder text = new StringBuilder();
        for (Principle p : ConstitutionFixtures.constitution().principles()) {
            JsonObject o = new JsonObject();
            o.addProperty("id", p.id());
            o.addProperty("critique", p.critique());
            o.addProperty("revision", p.revision());
            o.addProperty("judge", p.judge());
            text.append(o).append('\n');
        }
        Files.writeString(constitution, text);
        prompts = shared.resolve("prompts.jsonl");
        Files.writeString(prompts, """
                {"prompt": "the cat sat"}
                {"prompt": "the dog ran to the park", "prompt_id": "dog"}
                {"prompt": "a cat", "response": "a rude dog"}
                {"prompt": "the mat"}
                {"prompt": "a kind dog and a bad cat"}
                """);
    }

    private static RevisionRun.Result run(Path modelDir, Path out, int batchSize, long seed, int rounds, boolean resume)
            throws Exception {
        RevisionConfig config = new RevisionConfig(rounds, 4, false, 1.0, 1.0, batchSize, seed);
        return RevisionRun.run(new RevisionRun.Config(modelDir, prompts, constitution.toString(), config), out, resume,
                true, new PrintWriter(new StringWriter()));
    }

    private static List<JsonObject> lines(Path file) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return out;
    }

    @Test
    void roundsAreTracedAndTheOutputDoesNotDependOnTheBatchSize(@TempDir Path dir) throws Exception {
        RevisionRun.Result r = run(model, dir.resolve("b2"), 2, 3, 2, false);
        run(model, dir.resolve("b5"), 5, 3, 2, false);
        assertThat(r.prompts()).isEqualTo(5);
        assertThat(r.chatTemplate()).isFalse();
        assertThat(Files.readString(dir.resolve("b2/sft.jsonl"))).isEqualTo(Files.readString(dir.resolve("b5/sft.jsonl")));
        assertThat(Files.readString(dir.resolve("b2/trace.jsonl"))).isEqualTo(Files.readString(dir.resolve("b5/trace.jsonl")));

        List<JsonObject> trace = lines(dir.resolve("b2/trace.jsonl"));
        assertThat(trace).hasSize(5);
        Constitution c = ConstitutionFixtures.constitution();
        for (int i = 0; i < 5; i++) {
            JsonObject t = trace.get(i);
            assertThat(t.get("prompt_index").getAsInt()).isEqualTo(i);
            JsonArray rounds = t.getAsJsonArray("rounds");
            assertThat(rounds).hasSize(2);
            int[] draws = PrincipleDraws.forRevision(3, i, 2, c.size());
            for (int k = 0; k < 2; k++) {
                assertThat(rounds.get(k).getAsJsonObject().get("principle").getAsString()).isEqualTo(c.get(draws[k]).id());
            }
            assertThat(t.get("revision").getAsString())
                    .isEqualTo(rounds.get(1).getAsJsonObject().get("revision").getAsString());
        }
        assertThat(trace.get(1).get("prompt_id").getAsString()).isEqualTo("dog");
        assertThat(trace.get(0).get("prompt_id").getAsString()).isEqualTo(RevisionPrompt.textId("the cat sat"));
        assertThat(trace.get(2).get("initial_response").getAsString()).isEqualTo("a rude dog");
        assertThat(trace.get(2).get("initial_response_given").getAsBoolean()).isTrue();
        assertThat(trace.get(0).get("initial_response_given").getAsBoolean()).isFalse();

        // sft.jsonl is what `jalign sft` reads: the prompt in the generation format, the last revision
        List<SftExample> sft = SftDataset.read(dir.resolve("b2/sft.jsonl"));
        assertThat(sft).hasSize(5);
        SftExample.PromptCompletion first = (SftExample.PromptCompletion) sft.get(0);
        assertThat(first.prompt()).isEqualTo("Human: the cat sat\n\nAssistant:");
        assertThat(first.completion()).isEqualTo(" " + trace.get(0).get("revision").getAsString());

        JsonObject manifest = JsonParser.parseString(Files.readString(dir.resolve("b2/manifest.json"))).getAsJsonObject();
        assertThat(manifest.get("command").getAsString()).isEqualTo("constitution revise");
        assertThat(manifest.get("seed").getAsLong()).isEqualTo(3);
        assertThat(manifest.getAsJsonObject("inputs").keySet()).containsExactly("prompts", "constitution", "model_weights");

        // another seed draws other principles (10 draws from 3: equal by chance with probability 3^-10)
        run(model, dir.resolve("other"), 5, 4, 2, false);
        assertThat(principles(dir.resolve("other/trace.jsonl"))).hasSize(10)
                .isNotEqualTo(principles(dir.resolve("b2/trace.jsonl")));
    }

    private static List<String> principles(Path trace) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonObject t : lines(trace)) {
            t.getAsJsonArray("rounds").forEach(r -> ids.add(r.getAsJsonObject().get("principle").getAsString()));
        }
        return ids;
    }

    @Test
    void aResumedRunWritesTheSameBytesAsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        run(model, dir.resolve("straight"), 2, 5, 1, false);
        Path cut = dir.resolve("cut");
        Files.createDirectories(cut);
        for (String name : List.of("manifest.json", "trace.jsonl", "sft.jsonl")) {
            Files.copy(dir.resolve("straight").resolve(name), cut.resolve(name));
        }
        // as a kill would leave it: trace.jsonl one batch ahead of sft.jsonl and a torn last line
        List<String> trace = Files.readAllLines(cut.resolve("trace.jsonl"));
        List<String> sft = Files.readAllLines(cut.resolve("sft.jsonl"));
        Files.writeString(cut.resolve("trace.jsonl"), String.join("\n", trace.subList(0, 4)) + "\n" + trace.get(4).substring(0, 9));
        Files.writeString(cut.resolve("sft.jsonl"), String.join("\n", sft.subList(0, 2)) + "\n");
        RevisionRun.Result resumed = run(model, cut, 2, 5, 1, true);
        assertThat(resumed.resumedFrom()).isEqualTo(2);
        assertThat(Files.readString(cut.resolve("trace.jsonl"))).isEqualTo(Files.readString(dir.resolve("straight/trace.jsonl")));
        assertThat(Files.readString(cut.resolve("sft.jsonl"))).isEqualTo(Files.readString(dir.resolve("straight/sft.jsonl")));
        // resuming with another seed is refused: it would mix two runs
        assertThatThrownBy(() -> run(model, cut, 2, 6, 1, true)).hasMessageContaining("was started with other config");
        assertThatThrownBy(() -> run(model, cut, 2, 5, 1, false)).hasMessageContaining("exists and is not empty");
    }

    @Test
    void aGreedyRoundEqualsTheConversationRenderedAndGeneratedByHand(@TempDir Path dir) throws Exception {
        Path one = dir.resolve("one.jsonl");
        Files.writeString(one, "{\"prompt\": \"the cat sat\", \"response\": \"a dog ran\"}\n");
        RevisionConfig greedy = new RevisionConfig(1, 6, true, 1.0, 1.0, 1, 9);
        RevisionRun.run(new RevisionRun.Config(model, one, constitution.toString(), greedy), dir.resolve("run"), false, true,
                new PrintWriter(new StringWriter()));
        JsonObject round = lines(dir.resolve("run/trace.jsonl")).get(0).getAsJsonArray("rounds").get(0).getAsJsonObject();
        Principle p = ConstitutionFixtures.constitution().principles().stream()
                .filter(x -> x.id().equals(round.get("principle").getAsString())).findFirst().orElseThrow();
        try (LanguageModel m = LanguageModel.load(model)) {
            String critiqueAsk = "Human: the cat sat\n\nAssistant: a dog ran\n\nHuman: " + p.critique() + "\n\nAssistant:";
            String critique = greedyTurn(m, critiqueAsk);
            assertThat(round.get("critique").getAsString()).isEqualTo(critique);
            String revisionAsk = "Human: the cat sat\n\nAssistant: a dog ran\n\nHuman: " + p.critique() + "\n\nAssistant: "
                    + critique + "\n\nHuman: " + p.revision() + "\n\nAssistant:";
            assertThat(round.get("revision").getAsString()).isEqualTo(greedyTurn(m, revisionAsk));
            assertThat(critique).isNotEmpty();
        }
    }

    /** [BOS] + the text's ids, 6 greedy tokens, decoded without special tokens and trimmed. */
    private static String greedyTurn(LanguageModel m, String text) {
        int[] body = m.tokenizer().orElseThrow().encode(text);
        int[] ids = new int[body.length + 1];
        ids[0] = ConstitutionFixtures.id("<bos>");
        System.arraycopy(body, 0, ids, 1, body.length);
        int[] completion = m.generate(List.of(ids), GenerationConfig.greedy(6), 0).get(0).completionIds();
        return m.tokenizer().orElseThrow().decode(completion, true).strip();
    }

    @Test
    void withAChatTemplateTheSftLinesAreConversations(@TempDir Path dir) throws Exception {
        RevisionRun.Result r = run(chatModel, dir.resolve("chat"), 4, 3, 1, false);
        assertThat(r.chatTemplate()).isTrue();
        List<SftExample> sft = SftDataset.read(dir.resolve("chat/sft.jsonl"));
        SftExample.Conversation c = (SftExample.Conversation) sft.get(3);
        assertThat(c.messages()).hasSize(2);
        assertThat(c.messages().get(0).content()).isEqualTo("the mat");
        assertThat(c.messages().get(1).content())
                .isEqualTo(lines(dir.resolve("chat/trace.jsonl")).get(3).get("revision").getAsString());
    }

    @Test
    void badPromptFilesAreNamedByLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": \"the cat\"}\n{\"prompt\": 3}\n");
        assertThatThrownBy(() -> RevisionPrompt.read(bad)).isInstanceOf(DataFormatException.class)
                .hasMessage(bad + " line 2: field \"prompt\" is the number 3; expected a string");
        Files.writeString(bad, "{\"prompt\": \"the cat\"}\n{\"prompt\": \"the cat\"}\n");
        assertThatThrownBy(() -> RevisionPrompt.read(bad)).hasMessageContaining(bad + " line 2: prompt id \"sha256:");
        Files.writeString(bad, "{\"prompt\": \"the cat\", \"response\": false}\n");
        assertThatThrownBy(() -> RevisionPrompt.read(bad)).hasMessage(bad + " line 1: field \"response\" is false; expected a string");
    }
}
