package org.jalign.feedback;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A label acknowledged to a browser survives kill -9 of the server (issue 5): a child JVM writes
 * labels and prints an acknowledgement after each commit returns; the test SIGKILLs it mid-stream,
 * reopens the database and finds every acknowledged label, exactly as acknowledged.
 */
class FeedbackStoreCrashTest {
    private static final int PROMPTS = 5_000;
    private static final int ACKS_BEFORE_KILL = 50;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedLabelSurvivesSigkill() throws Exception {
        Path db = dir.resolve("feedback.db");
        long setId;
        long labeler;
        try (FeedbackStore store = FeedbackStore.open(db)) {
            setId = store.createSet(StoreFixtures.set("s", 1, 0, 11)).id();
            store.addPrompts(setId, StoreFixtures.prompts("p", PROMPTS, 3));
            labeler = store.createLabeler("a", StoredLabeler.Role.LABELER).labeler().id();
        }

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                db.toString(), Long.toString(setId), Long.toString(labeler))
                .redirectError(dir.resolve("child.err").toFile()).start();
        Map<Long, String> acknowledged = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (!line.startsWith("ACK ") || !line.endsWith(" END")) {
                    continue; // not an acknowledgement (e.g. a log line)
                }
                String[] parts = line.split(" ");
                acknowledged.put(Long.parseLong(parts[1]), parts[2]);
                if (acknowledged.size() == ACKS_BEFORE_KILL) {
                    assertThat(child.isAlive()).isTrue();
                    // SIGKILL right after a commit returned, with the next ones in flight; it also
                    // closes the pipe, so lines the child printed after this one count as unseen
                    child.destroyForcibly();
                    break;
                }
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(acknowledged).as("the child wrote no labels; see " + dir.resolve("child.err"))
                .hasSize(ACKS_BEFORE_KILL);

        try (FeedbackStore store = FeedbackStore.open(db)) {
            Map<Long, String> stored = new HashMap<>();
            for (StoredLabel label : store.labels(setId)) {
                stored.put(label.promptId(), label.ranking().toJson());
            }
            assertThat(stored).containsAllEntriesOf(acknowledged);
            assertThat(stored.size()).as("killed long before the end").isLessThan(PROMPTS);
        }
        try (Connection c = StoreFixtures.raw(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
    }

    /** The child: label everything as fast as possible, acknowledging each commit on stdout. */
    static final class Child {
        public static void main(String[] args) {
            long setId = Long.parseLong(args[1]);
            long labeler = Long.parseLong(args[2]);
            try (FeedbackStore store = FeedbackStore.open(Path.of(args[0]))) {
                Optional<StoredAssignment> next;
                while ((next = store.nextAssignment(setId, labeler)).isPresent()) {
                    StoredLabel label = store.submitLabel(labeler, StoreFixtures.submission(next.get()));
                    // only now, with the commit returned, is the label acknowledged
                    System.out.println("ACK " + label.promptId() + " " + label.ranking().toJson() + " END");
                    System.out.flush();
                }
            }
        }
    }

    @Test
    void childRankingsPrintWithoutSpaces() {
        // the acknowledgement line is split on spaces, so the ranking JSON must have none
        assertThat(StoredRanking.of(Map.of(1L, 1, 2L, 2), List.of(3L)).toJson()).doesNotContain(" ");
    }
}
