package org.jalign.cli;

import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredAssignment;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredRanking;
import org.jalign.feedback.StoredSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code feedback labeler add|list|invite|disable} and {@code feedback serve}'s bind check, end to end through Main. */
class FeedbackLabelerCommandTest {
    private static final String TOKEN = "[A-Za-z0-9_-]{43}";

    @TempDir
    Path dir;

    private Path db;
    private long alpha;
    private long beta;
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @BeforeEach
    void database() {
        db = dir.resolve("feedback.db");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            alpha = store.createSet(new FeedbackStore.NewSet("alpha", "helpfulness", null, "Rank them.", 1, 0, 1)).id();
            store.addPrompts(alpha, prompts("a", 3, 2));
            beta = store.createSet(new FeedbackStore.NewSet("beta", "honesty", null, "Thumbs.", 1, 0, 2)).id();
            store.addPrompts(beta, prompts("b", 2, 1));
        }
    }

    private static List<FeedbackStore.NewPrompt> prompts(String prefix, int count, int n) {
        List<FeedbackStore.NewPrompt> prompts = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            List<FeedbackStore.NewCompletion> completions = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                completions.add(new FeedbackStore.NewCompletion("answer " + c + " to " + prefix + p, null, null));
            }
            prompts.add(new FeedbackStore.NewPrompt(prefix + p, "question " + prefix + p, completions, null));
        }
        return prompts;
    }

    /** Runs {@code labeler add} and returns the token it printed. */
    private String add(String name, String... more) {
        List<String> args = new ArrayList<>(List.of("feedback", "labeler", "add", "--db", db.toString(), "--name", name));
        args.addAll(List.of(more));
        assertThat(run(args.toArray(String[]::new))).as(err.toString()).isZero();
        return out.toString().strip();
    }

    @Test
    void addPrintsAOneTimeTokenThatSignsIn() {
        String token = add("ada");
        assertThat(token).matches(TOKEN);
        assertThat(err.toString()).contains("labeler \"ada\"", "one-time invite token", "/signin#invite=TOKEN");
        assertThat(add("root", "--admin")).matches(TOKEN);
        assertThat(err.toString()).contains("admin \"root\"");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            Optional<StoredSession> session = store.redeemInvite(token);
            assertThat(session).map(s -> s.labeler().name()).hasValue("ada");
            assertThat(session.get().labeler().role()).isEqualTo(StoredLabeler.Role.LABELER);
            assertThat(store.labelers()).filteredOn(l -> l.name().equals("root"))
                    .singleElement().extracting(StoredLabeler::role).isEqualTo(StoredLabeler.Role.ADMIN);
        }
        assertThat(run("feedback", "labeler", "add", "--db", db.toString(), "--name", "ada")).isEqualTo(1);
        assertThat(err.toString()).contains("\"ada\" already exists");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void withPublicUrlTheWholeLinkIsPrinted() {
        String link = add("ada", "--public-url", "https://label.example.org/");
        assertThat(link).matches("https://label\\.example\\.org/signin#invite=" + TOKEN);
        assertThat(err.toString()).contains("one-time invite link");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            assertThat(store.redeemInvite(link.substring(link.indexOf('=') + 1))).isPresent();
        }
    }

    @Test
    void listPrintsAHeaderAndOneTabSeparatedLinePerLabeler() {
        String ada = add("ada");
        add("root", "--admin");
        String carol = add("carol");
        long adaId;
        long rootId;
        long carolId;
        try (FeedbackStore store = FeedbackStore.open(db)) {
            adaId = store.redeemInvite(ada).orElseThrow().labeler().id();
            carolId = store.redeemInvite(carol).orElseThrow().labeler().id();
            rootId = store.labelers().stream().filter(l -> l.name().equals("root")).findFirst().orElseThrow().id();
            // ada: one alpha item labeled, a second one open
            StoredAssignment first = store.nextAssignment(alpha, adaId).orElseThrow();
            store.submitLabel(adaId, new FeedbackStore.LabelSubmission(first.promptId(), 1,
                    StoredRanking.of(Map.of(first.completions().get(0).completionId(), 1,
                            first.completions().get(1).completionId(), 2), List.of()), null));
            store.nextAssignment(alpha, adaId).orElseThrow();
            // carol: one beta thumbs item rated, then disabled
            StoredAssignment thumbs = store.nextAssignment(beta, carolId).orElseThrow();
            store.rateAssigned(carolId, thumbs.promptId(), true, 1, null);
        }
        assertThat(run("feedback", "labeler", "disable", "--db", db.toString(), "--name", "carol")).as(err.toString()).isZero();

        assertThat(run("feedback", "labeler", "list", "--db", db.toString())).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "id\tname\trole\tstate\talpha done/assigned\tbeta done/assigned",
                adaId + "\tada\tlabeler\tsigned-in\t1/2\t0/0",
                rootId + "\troot\tadmin\tinvited\t0/0\t0/0",
                carolId + "\tcarol\tlabeler\tdisabled\t0/0\t1/1");
    }

    @Test
    void inviteIssuesANewTokenAndTheOldOneNoLongerRedeems() {
        String old = add("ada");
        assertThat(run("feedback", "labeler", "invite", "--db", db.toString(), "--name", "ada")).as(err.toString()).isZero();
        String fresh = out.toString().strip();
        assertThat(fresh).matches(TOKEN).isNotEqualTo(old);
        assertThat(err.toString()).contains("feedback labeler invite", "\"ada\"");
        assertThat(run("feedback", "labeler", "invite", "--db", db.toString(), "--name", "ada",
                "--public-url", "http://127.0.0.1:8080")).isZero();
        String link = out.toString().strip();
        assertThat(link).matches("http://127\\.0\\.0\\.1:8080/signin#invite=" + TOKEN);
        try (FeedbackStore store = FeedbackStore.open(db)) {
            assertThat(store.redeemInvite(old)).as("the first token").isEmpty();
            assertThat(store.redeemInvite(fresh)).as("replaced by the link's token").isEmpty();
            assertThat(store.redeemInvite(link.substring(link.indexOf('=') + 1))).isPresent();
        }
    }

    @Test
    void disableEndsSessionsAndEnableLetsThemBackIn() {
        String token = add("ada");
        String session;
        try (FeedbackStore store = FeedbackStore.open(db)) {
            session = store.redeemInvite(token).orElseThrow().sessionToken();
        }
        assertThat(run("feedback", "labeler", "disable", "--db", db.toString(), "--name", "ada")).as(err.toString()).isZero();
        assertThat(err.toString()).contains("\"ada\" is disabled");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            assertThat(store.authenticate(session)).isEmpty();
            assertThat(store.labelers()).singleElement().extracting(StoredLabeler::disabled).isEqualTo(true);
        }
        assertThat(run("feedback", "labeler", "disable", "--db", db.toString(), "--name", "ada", "--enable")).isZero();
        assertThat(err.toString()).contains("\"ada\" is enabled");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            assertThat(store.labelers()).singleElement().extracting(StoredLabeler::disabled).isEqualTo(false);
        }
    }

    @Test
    void anUnknownNameFailsNamingTheDatabaseAndTheName() {
        add("ada");
        for (String command : List.of("invite", "disable")) {
            assertThat(run("feedback", "labeler", command, "--db", db.toString(), "--name", "nobody")).isEqualTo(1);
            assertThat(err.toString()).as(command).contains(db.toString(), "no labeler named \"nobody\"", "feedback labeler list");
            assertThat(out.toString()).isEmpty();
        }
    }

    @Test
    void aMissingDatabaseIsNotCreated() {
        Path missing = dir.resolve("typo.db");
        assertThat(run("feedback", "labeler", "list", "--db", missing.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("feedback database not found", missing.toString());
        assertThat(missing).doesNotExist();
    }

    @Test
    void serveOnANonLoopbackHostWithoutPublicUrlIsAUsageError() {
        assertThat(run("feedback", "serve", "--db", db.toString(), "--host", "0.0.0.0", "--port", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("0.0.0.0", "--public-url").doesNotContain("labeling.");
        assertThat(out.toString()).isEmpty();
        try (FeedbackStore store = FeedbackStore.open(db)) {
            assertThat(store.labelers()).as("no admin was created").isEmpty();
        }
    }
}
