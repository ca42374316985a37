package org.jalign.cli;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code feedback export} and {@code report} on a small hand-built set whose every output line is
 * worked out by hand: q1 has three completions, both labelers rank a1 over b1 and flag c1; q2 has
 * two completions, both tied; alice gives a1 a thumbs-up, bob gives c1 a thumbs-down.
 */
class FeedbackCommandExportTest {

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();
    private Path db;

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @BeforeEach
    void smallSet() throws IOException {
        db = dir.resolve("feedback.db");
        Files.writeString(dir.resolve("guide.md"), "# Rank by helpfulness\n");
        Files.writeString(dir.resolve("small.jsonl"), """
                {"prompt": "Q1", "prompt_id": "q1", "completions": ["a1", "b1", "c1"]}
                {"prompt": "Q2", "prompt_id": "q2", "completions": ["a2", "b2"]}
                """);
        assertThat(run("feedback", "import", "--db", db.toString(), "--input", dir.resolve("small.jsonl").toString(),
                "--criterion", "helpfulness", "--instructions", dir.resolve("guide.md").toString(), "--overlap", "2"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("set \"small\"", "2 prompts");

        try (FeedbackStore store = FeedbackStore.open(db)) {
            StoredSet set = store.sets().get(0);
            Map<String, StoredPrompt> prompts = new HashMap<>();
            store.prompts(set.id()).forEach(p -> prompts.put(p.externalId(), p));
            for (String name : List.of("alice", "bob")) {
                long labeler = store.createLabeler(name, StoredLabeler.Role.LABELER).labeler().id();
                for (int i = 0; i < 2; i++) {
                    StoredAssignment assignment = store.nextAssignment(set.id(), labeler).orElseThrow();
                    StoredPrompt prompt = prompts.get(assignment.promptId() == prompts.get("q1").id() ? "q1" : "q2");
                    long c0 = prompt.completions().get(0).id();
                    long c1 = prompt.completions().get(1).id();
                    StoredRanking ranking = prompt.externalId().equals("q1")
                            ? StoredRanking.of(Map.of(c0, 1, c1, 2), Set.of(prompt.completions().get(2).id()))
                            : StoredRanking.of(Map.of(c0, 1, c1, 1), Set.of());
                    store.submitLabel(labeler, new FeedbackStore.LabelSubmission(prompt.id(),
                            assignment.instructionsVersion(), ranking, null));
                }
                StoredPrompt q1 = prompts.get("q1");
                if (name.equals("alice")) {
                    store.recordThumb(labeler, q1.completions().get(0).id(), true, 1, null);
                } else {
                    store.recordThumb(labeler, q1.completions().get(2).id(), false, 1, "nonsense");
                }
            }
        }
    }

    private List<String> export(String... extra) throws IOException {
        Path file = dir.resolve("out.jsonl");
        String[] args = new String[6 + extra.length];
        System.arraycopy(new String[] {"feedback", "export", "--db", db.toString(), "--out", file.toString()}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        assertThat(run(args)).as(err.toString()).isZero();
        return Files.readAllLines(file);
    }

    @Test
    void pairsPutTheFlaggedCompletionLastAndTiesGiveNoPair() throws IOException {
        assertThat(export("--format", "pairs")).containsExactly(
                "{\"prompt\":\"Q1\",\"chosen\":\"a1\",\"rejected\":\"b1\",\"prompt_id\":\"q1\",\"margin\":1,\"labeler_count\":2}",
                // c1 is flagged: rank R + 1 = 3, so a margin of 2 from a1
                "{\"prompt\":\"Q1\",\"chosen\":\"a1\",\"rejected\":\"c1\",\"prompt_id\":\"q1\",\"margin\":2,\"labeler_count\":2}",
                "{\"prompt\":\"Q1\",\"chosen\":\"b1\",\"rejected\":\"c1\",\"prompt_id\":\"q1\",\"margin\":1,\"labeler_count\":2}");
        assertThat(err.toString()).contains("3 pairs lines");
    }

    @Test
    void pairsCanDropTheFlaggedCompletion() throws IOException {
        assertThat(export("--format", "pairs", "--drop-flagged-completions")).containsExactly(
                "{\"prompt\":\"Q1\",\"chosen\":\"a1\",\"rejected\":\"b1\",\"prompt_id\":\"q1\",\"margin\":1,\"labeler_count\":2}");
    }

    @Test
    void rankedGivesConsensusRanksWithNullForFlagged() throws IOException {
        assertThat(export("--format", "ranked")).containsExactly(
                "{\"prompt\":\"Q1\",\"completions\":[\"a1\",\"b1\",\"c1\"],\"ranks\":[1,2,null],\"prompt_id\":\"q1\",\"labeler_count\":2}",
                "{\"prompt\":\"Q2\",\"completions\":[\"a2\",\"b2\"],\"ranks\":[1,1],\"prompt_id\":\"q2\",\"labeler_count\":2}");
    }

    @Test
    void rankedCanDropTheFlaggedCompletion() throws IOException {
        assertThat(export("--format", "ranked", "--drop-flagged-completions")).containsExactly(
                "{\"prompt\":\"Q1\",\"completions\":[\"a1\",\"b1\"],\"ranks\":[1,2],\"prompt_id\":\"q1\",\"labeler_count\":2}",
                "{\"prompt\":\"Q2\",\"completions\":[\"a2\",\"b2\"],\"ranks\":[1,1],\"prompt_id\":\"q2\",\"labeler_count\":2}");
    }

    @Test
    void unpairedHasOneLinePerThumb() throws IOException {
        assertThat(export("--format", "unpaired")).containsExactly(
                "{\"prompt\":\"Q1\",\"completion\":\"a1\",\"label\":true,\"prompt_id\":\"q1\"}",
                "{\"prompt\":\"Q1\",\"completion\":\"c1\",\"label\":false,\"prompt_id\":\"q1\"}");
    }

    @Test
    void unpairedRefusesDropFlaggedCompletions() {
        assertThat(run("feedback", "export", "--db", db.toString(), "--out", dir.resolve("x.jsonl").toString(),
                "--format", "unpaired", "--drop-flagged-completions")).isEqualTo(2);
        assertThat(err.toString()).contains("--drop-flagged-completions applies to --format pairs and ranked");
        assertThat(dir.resolve("x.jsonl")).doesNotExist();
    }

    @Test
    void exportToStdout() {
        assertThat(run("feedback", "export", "--db", db.toString(), "--out", "-", "--format", "ranked",
                "--method", "kemeny")).isZero();
        assertThat(out.toString().lines()).hasSize(2);
    }

    @Test
    void unknownFormatOrMethodIsAUsageError() {
        assertThat(run("feedback", "export", "--db", db.toString(), "--out", "o.jsonl", "--format", "triples"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("unknown format 'triples'; expected pairs, unpaired or ranked");
        assertThat(run("feedback", "report", "--db", db.toString(), "--method", "condorcet")).isEqualTo(2);
        assertThat(err.toString()).contains("expected borda, bradley-terry or kemeny");
    }

    @Test
    void reportJsonHasAgreementConsensusAndNoFlagsForTwoCarefulLabelers() throws IOException {
        Path file = dir.resolve("report.json");
        assertThat(run("feedback", "report", "--db", db.toString(), "--json", "--output", file.toString()))
                .as(err.toString()).isZero();
        JsonObject json = JsonParser.parseString(out.toString()).getAsJsonObject();
        assertThat(JsonParser.parseString(Files.readString(file))).isEqualTo(json);
        assertThat(json.get("set").getAsString()).isEqualTo("small");
        assertThat(json.get("labels").getAsInt()).isEqualTo(4);
        // both labelers agree on every pair: q1's 3 and q2's 1
        JsonObject pairwise = json.getAsJsonObject("agreement").getAsJsonObject("pairwise");
        assertThat(pairwise.get("agreeing").getAsInt()).isEqualTo(4);
        assertThat(pairwise.get("compared").getAsInt()).isEqualTo(4);
        assertThat(json.getAsJsonArray("flagged_labelers")).isEmpty();
        assertThat(json.getAsJsonArray("consensus").get(0).getAsJsonObject().get("ranks").toString())
                .isEqualTo("[1,2,null]");
    }

    @Test
    void reportTextNamesTheMeasures() {
        assertThat(run("feedback", "report", "--db", db.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("feedback set \"small\" (helpfulness): 2 prompts, 4 rankings, 0 skipped",
                "pairwise agreement          100.0% of 4", "Kendall tau_b", "Krippendorff alpha, ranks",
                "flagged labelers: none", "q1  1 2 F  (2 labelers)", "q2  1 1  (2 labelers)");
    }

    @Test
    void labelerAddPrintsAOneTimeTokenThatSignsInOnce() {
        assertThat(run("feedback", "labeler", "add", "--db", db.toString(), "--name", "carol")).isZero();
        String token = out.toString().trim();
        assertThat(token).isNotBlank().doesNotContain(" ");
        assertThat(err.toString()).contains("labeler \"carol\"");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            assertThat(store.redeemInvite(token)).get().extracting(s -> s.labeler().name()).isEqualTo("carol");
            assertThat(store.redeemInvite(token)).isEmpty();
        }
        assertThat(run("feedback", "labeler", "add", "--db", db.toString(), "--name", "carol")).isEqualTo(1);
        assertThat(err.toString()).contains("a labeler named \"carol\" already exists");
    }

    @Test
    void everyFeedbackCommandHasHelp() {
        for (String[] command : new String[][] {{"create"}, {"import"}, {"labeler", "add"}, {"serve"}, {"report"}, {"export"}}) {
            String[] args = new String[command.length + 2];
            args[0] = "feedback";
            System.arraycopy(command, 0, args, 1, command.length);
            args[args.length - 1] = "--help";
            assertThat(run(args)).as(String.join(" ", command)).isZero();
        }
        assertThat(run("feedback")).isEqualTo(2);
        assertThat(err.toString()).contains("choose a subcommand: create, import, labeler, serve, report, export");
    }

    @Test
    void missingDatabaseIsNotCreated() {
        Path typo = dir.resolve("feedbak.db");
        assertThat(run("feedback", "report", "--db", typo.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("feedback database not found: " + typo);
        assertThat(typo).doesNotExist();
    }

    @Test
    void aSecondSetMakesSetRequired() throws IOException {
        Files.writeString(dir.resolve("more.jsonl"), "{\"prompt\": \"Q3\", \"completions\": [\"x\", \"y\"]}\n");
        assertThat(run("feedback", "import", "--db", db.toString(), "--input", dir.resolve("more.jsonl").toString(),
                "--criterion", "honesty", "--instructions", dir.resolve("guide.md").toString())).isZero();
        assertThat(run("feedback", "report", "--db", db.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("has 2 feedback sets (\"small\", \"more\"); choose one with --set");
        assertThat(run("feedback", "report", "--db", db.toString(), "--set", "more")).isZero();
        assertThat(out.toString()).contains("nobody has ranked anything yet");
        assertThat(run("feedback", "report", "--db", db.toString(), "--set", "nope")).isEqualTo(1);
        assertThat(err.toString()).contains("no feedback set \"nope\"");
    }
}
