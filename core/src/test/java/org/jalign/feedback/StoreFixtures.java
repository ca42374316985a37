package org.jalign.feedback;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Small feedback sets for the store's tests. */
final class StoreFixtures {
    private StoreFixtures() {
    }

    static FeedbackStore.NewSet set(String name, int overlap, double goldRate, long seed) {
        return new FeedbackStore.NewSet(name, "helpfulness", null, "Rank by helpfulness.", overlap, goldRate, seed);
    }

    /** {@code count} prompts named {@code prefix0..}, each with {@code n} completions. */
    static List<FeedbackStore.NewPrompt> prompts(String prefix, int count, int n) {
        List<FeedbackStore.NewPrompt> prompts = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            List<FeedbackStore.NewCompletion> completions = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                completions.add(new FeedbackStore.NewCompletion("answer " + c + " to " + prefix + p, "tiny-model",
                        "{\"temperature\":0.7}"));
            }
            prompts.add(new FeedbackStore.NewPrompt(prefix + p, "question " + prefix + p, completions, null));
        }
        return prompts;
    }

    /** Gold prompts whose known ranking is position order (position 0 best). */
    static List<FeedbackStore.NewPrompt> goldPrompts(String prefix, int count, int n) {
        List<FeedbackStore.NewPrompt> gold = new ArrayList<>();
        for (FeedbackStore.NewPrompt p : prompts(prefix, count, n)) {
            Map<Long, Integer> ranks = new TreeMap<>();
            for (int c = 0; c < n; c++) {
                ranks.put((long) c, c + 1);
            }
            gold.add(new FeedbackStore.NewPrompt(p.externalId(), p.text(), p.completions(), StoredRanking.of(ranks, List.of())));
        }
        return gold;
    }

    /** Ranks the shown completions in the order shown (first shown = best). */
    static StoredRanking rankAsShown(StoredAssignment assignment) {
        Map<Long, Integer> ranks = new TreeMap<>();
        for (int i = 0; i < assignment.completions().size(); i++) {
            ranks.put(assignment.completions().get(i).completionId(), i + 1);
        }
        return StoredRanking.of(ranks, List.of());
    }

    static FeedbackStore.LabelSubmission submission(StoredAssignment assignment) {
        return new FeedbackStore.LabelSubmission(assignment.promptId(), assignment.instructionsVersion(),
                rankAsShown(assignment), null);
    }

    /** A raw JDBC connection, to look at the tables as an attacker with the file would. */
    static Connection raw(Path db) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
    }

    static long count(Path db, String sql) throws SQLException {
        try (Connection c = raw(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
