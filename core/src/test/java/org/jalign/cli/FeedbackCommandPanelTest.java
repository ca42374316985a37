package org.jalign.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredAssignment;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredPrompt;
import org.jalign.feedback.StoredRanking;
import org.jalign.feedback.StoredSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import static org.jalign.feedback.SimulatedPanel.noisyRanks;
import static org.jalign.feedback.SimulatedPanel.shuffledRanks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulated panel, through the store and the CLI: 30 prompts of 4 completions, each
 * with a hidden true order; five careful labelers rank by it with Mallows noise (each pair flipped
 * with probability 0.15, redrawn until transitive) and one ranks at random. Labels go in through
 * {@link FeedbackStore#nextAssignment} and {@link FeedbackStore#submitLabel}, as the web app will
 * send them; {@code report} must flag exactly the random labeler and {@code export --format pairs}
 * must give each prompt's N-choose-2 pairs minus ties, preferred first, in the true order on most
 * prompts.
 */
class FeedbackCommandPanelTest {

    private static final int PROMPTS = 30;
    private static final int COMPLETIONS = 4;
    private static final double FLIP = 0.15;
    private static final List<String> CAREFUL = List.of("careful-1", "careful-2", "careful-3", "careful-4", "careful-5");
    private static final String RANDOM = "random";

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();
    private Path db;
    /** truth.get("p07")[i]: completion i's true rank (1 = best). */
    private final Map<String, int[]> truth = new HashMap<>();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @BeforeEach
    void labelThePanel() throws IOException {
        db = dir.resolve("feedback.db");
        Random rng = new Random(2024);
        StringBuilder input = new StringBuilder();
        for (int p = 0; p < PROMPTS; p++) {
            String id = String.format("p%02d", p);
            truth.put(id, shuffledRanks(COMPLETIONS, rng));
            input.append("{\"prompt\": \"question ").append(id).append("\", \"prompt_id\": \"").append(id)
                    .append("\", \"completions\": [");
            for (int c = 0; c < COMPLETIONS; c++) {
                input.append(c == 0 ? "" : ", ").append("\"").append(id).append(" answer ").append(c).append("\"");
            }
            input.append("]}\n");
        }
        Files.writeString(dir.resolve("panel.jsonl"), input);
        Files.writeString(dir.resolve("guide.md"), "Rank by helpfulness.");
        assertThat(run("feedback", "import", "--db", db.toString(), "--input", dir.resolve("panel.jsonl").toString(),
                "--criterion", "helpfulness", "--instructions", dir.resolve("guide.md").toString(),
                "--overlap", "6")).as(err.toString()).isZero();
        List<String> everyone = new ArrayList<>(CAREFUL);
        everyone.add(RANDOM);
        for (String name : everyone) {
            assertThat(run("feedback", "labeler", "add", "--db", db.toString(), "--name", name)).isZero();
        }

        try (FeedbackStore store = FeedbackStore.open(db)) {
            StoredSet set = store.sets().get(0);
            Map<Long, StoredPrompt> prompts = new HashMap<>();
            store.prompts(set.id()).forEach(prompt -> prompts.put(prompt.id(), prompt));
            for (StoredLabeler labeler : store.labelers()) {
                Optional<StoredAssignment> next;
                while ((next = store.nextAssignment(set.id(), labeler.id())).isPresent()) {
                    StoredPrompt prompt = prompts.get(next.get().promptId());
                    int[] ranks = labeler.name().equals(RANDOM) ? shuffledRanks(COMPLETIONS, rng)
                            : noisyRanks(truth.get(prompt.externalId()), FLIP, rng);
                    Map<Long, Integer> byId = new TreeMap<>();
                    for (int c = 0; c < COMPLETIONS; c++) {
                        byId.put(prompt.completions().get(c).id(), ranks[c]);
                    }
                    store.submitLabel(labeler.id(), new FeedbackStore.LabelSubmission(prompt.id(),
                            next.get().instructionsVersion(), StoredRanking.of(byId, List.of()), null));
                }
            }
            assertThat(store.labels(set.id())).hasSize(PROMPTS * 6);
        }
    }

    private JsonObject reportJson(String... extra) {
        List<String> args = new ArrayList<>(List.of("feedback", "report", "--db", db.toString(), "--json"));
        args.addAll(List.of(extra));
        assertThat(run(args.toArray(String[]::new))).as(err.toString()).isZero();
        return JsonParser.parseString(out.toString()).getAsJsonObject();
    }

    @Test
    void reportFlagsExactlyTheRandomLabeler() {
        JsonObject report = reportJson();
        assertThat(report.getAsJsonArray("flagged_labelers").toString()).isEqualTo("[\"random\"]");
        for (JsonElement element : report.getAsJsonArray("labelers")) {
            JsonObject labeler = element.getAsJsonObject();
            assertThat(labeler.get("labels").getAsInt()).isEqualTo(PROMPTS);
            assertThat(labeler.get("flagged").getAsBoolean()).as(labeler.toString())
                    .isEqualTo(labeler.get("name").getAsString().equals(RANDOM));
        }
        JsonObject random = report.getAsJsonArray("labelers").asList().stream().map(JsonElement::getAsJsonObject)
                .filter(l -> l.get("name").getAsString().equals(RANDOM)).findFirst().orElseThrow();
        assertThat(random.getAsJsonArray("reasons").toString()).isEqualTo("[\"low_consensus_agreement\"]");
        // careful labelers agree well above chance; the random one pulls α below a careful-only panel's
        JsonObject agreement = report.getAsJsonObject("agreement");
        assertThat(agreement.getAsJsonObject("pairwise").get("rate").getAsDouble()).isBetween(0.5, 0.95);
        assertThat(agreement.get("mean_kendall_tau_b").getAsDouble()).isPositive();
        assertThat(agreement.get("krippendorff_alpha_pairwise").getAsDouble()).isPositive();
        assertThat(agreement.get("krippendorff_alpha_ranks").getAsDouble()).isPositive();

        assertThat(run("feedback", "report", "--db", db.toString(), "--exclude-flagged")).isZero();
        assertThat(out.toString()).contains("flagged labelers: random (left out of the consensus)",
                "FLAGGED: low_consensus_agreement", "(5 labelers)");
    }

    @Test
    void pairsAreNChoose2MinusTiesInTheConsensusOrderAndMostlyTheTrueOrder() throws IOException {
        for (String method : List.of("borda", "bradley-terry", "kemeny")) {
            Map<String, JsonArray> consensus = new HashMap<>();
            for (JsonElement e : reportJson("--exclude-flagged", "--method", method).getAsJsonArray("consensus")) {
                consensus.put(e.getAsJsonObject().get("prompt_id").getAsString(), e.getAsJsonObject().getAsJsonArray("ranks"));
            }
            Path file = dir.resolve(method + ".jsonl");
            assertThat(run("feedback", "export", "--db", db.toString(), "--format", "pairs", "--out", file.toString(),
                    "--exclude-flagged", "--method", method)).as(err.toString()).isZero();
            assertThat(err.toString()).contains("without flagged labelers random");

            Map<String, List<int[]>> pairsByPrompt = new TreeMap<>();
            for (String line : Files.readAllLines(file)) {
                JsonObject pair = JsonParser.parseString(line).getAsJsonObject();
                String promptId = pair.get("prompt_id").getAsString();
                assertThat(pair.get("prompt").getAsString()).isEqualTo("question " + promptId);
                assertThat(pair.get("labeler_count").getAsInt()).isEqualTo(CAREFUL.size());
                int chosen = completionIndex(pair.get("chosen").getAsString(), promptId);
                int rejected = completionIndex(pair.get("rejected").getAsString(), promptId);
                JsonArray ranks = consensus.get(promptId);
                // preferred first, by the consensus, with the margin of its ranks
                assertThat(ranks.get(chosen).getAsInt()).isLessThan(ranks.get(rejected).getAsInt());
                assertThat(pair.get("margin").getAsInt())
                        .isEqualTo(ranks.get(rejected).getAsInt() - ranks.get(chosen).getAsInt());
                pairsByPrompt.computeIfAbsent(promptId, k -> new ArrayList<>()).add(new int[] {chosen, rejected});
            }
            int fullyTrue = 0;
            for (String promptId : truth.keySet()) {
                JsonArray ranks = consensus.get(promptId);
                int untied = 0;
                for (int i = 0; i < COMPLETIONS; i++) {
                    for (int j = i + 1; j < COMPLETIONS; j++) {
                        untied += ranks.get(i).getAsInt() != ranks.get(j).getAsInt() ? 1 : 0;
                    }
                }
                List<int[]> pairs = pairsByPrompt.getOrDefault(promptId, List.of());
                assertThat(pairs).as(method + " " + promptId + ": N-choose-2 minus ties").hasSize(untied);
                int[] hidden = truth.get(promptId);
                if (untied == COMPLETIONS * (COMPLETIONS - 1) / 2
                        && pairs.stream().allMatch(p -> hidden[p[0]] < hidden[p[1]])) {
                    fullyTrue++;
                }
            }
            assertThat(fullyTrue).as(method + ": prompts whose pairs all follow the hidden true order")
                    .isGreaterThanOrEqualTo(PROMPTS * 7 / 10);
        }
    }

    @Test
    void keepingTheRandomLabelerCountsThemInTheConsensus() throws IOException {
        Path file = dir.resolve("all.jsonl");
        assertThat(run("feedback", "export", "--db", db.toString(), "--format", "pairs", "--out", file.toString()))
                .isZero();
        assertThat(Files.readAllLines(file)).isNotEmpty().allSatisfy(line ->
                assertThat(JsonParser.parseString(line).getAsJsonObject().get("labeler_count").getAsInt()).isEqualTo(6));
    }

    /** "p07 answer 2" → 2. */
    private static int completionIndex(String text, String promptId) {
        assertThat(text).startsWith(promptId + " answer ");
        return Integer.parseInt(text.substring((promptId + " answer ").length()));
    }
}
