package org.jalign.feedback;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeedbackStoreSchemaTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileGetsEveryTableAndTheDurabilitySettings() throws Exception {
        Path db = dir.resolve("feedback.db");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            assertThat(store.schemaVersion()).isEqualTo(1);
            assertThat(store.pragma("journal_mode")).isEqualTo("wal");
            assertThat(store.pragma("synchronous")).isEqualTo("2"); // FULL
            assertThat(store.pragma("foreign_keys")).isEqualTo("1");
            assertThat(Long.parseLong(store.pragma("busy_timeout"))).isGreaterThanOrEqualTo(1000);
        }
        List<String> tables = new ArrayList<>();
        try (Connection c = StoreFixtures.raw(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables).containsExactly("assignment", "completion", "feedback_set", "instructions", "label",
                "labeler", "prompt", "schema_version", "session", "thumb");
    }

    @Test
    void reopeningMigratesNothingAndKeepsTheData() throws Exception {
        Path db = dir.resolve("feedback.db");
        long setId;
        try (FeedbackStore store = FeedbackStore.open(db)) {
            setId = store.createSet(StoreFixtures.set("s", 2, 0, 1)).id();
            store.addPrompts(setId, StoreFixtures.prompts("p", 3, 2));
        }
        for (int i = 0; i < 3; i++) {
            try (FeedbackStore store = FeedbackStore.open(db)) {
                assertThat(store.schemaVersion()).isEqualTo(1);
                assertThat(store.prompts(setId)).hasSize(3);
            }
        }
        assertThat(StoreFixtures.count(db, "SELECT count(*) FROM schema_version")).isEqualTo(1);
    }

    @Test
    void aDatabaseFromANewerJalignIsRefusedNotDamaged() throws Exception {
        Path db = dir.resolve("feedback.db");
        FeedbackStore.open(db).close();
        try (Connection c = StoreFixtures.raw(db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version (version, applied_at) VALUES (7, 0)");
        }
        assertThatThrownBy(() -> FeedbackStore.open(db))
                .isInstanceOf(FeedbackStoreException.class)
                .hasMessageContaining("schema version 7")
                .hasMessageContaining("newer jalign");
    }

    @Test
    void migrationsAreForwardOnlyAndCountTheVersion() {
        assertThat(StoreSchema.CURRENT_VERSION).isEqualTo(StoreSchema.MIGRATIONS.size()).isEqualTo(1);
    }

    @Test
    void theDatabaseItselfRefusesBadRows() throws Exception {
        // constraints hold even for writers that bypass FeedbackStore's checks
        Path db = dir.resolve("feedback.db");
        FeedbackStore.open(db).close();
        try (Connection c = StoreFixtures.raw(db); Statement s = c.createStatement()) {
            s.execute("PRAGMA foreign_keys = ON");
            assertThatThrownBy(() -> s.execute("INSERT INTO feedback_set (name, criterion, overlap, gold_rate, seed, "
                    + "created_at) VALUES ('x', 'KINDNESS', 1, 0, 0, 0)")).hasMessageContaining("CHECK");
            assertThatThrownBy(() -> s.execute("INSERT INTO label (set_id, prompt_id, labeler_id, instructions_version, "
                    + "ranking, skipped, labeled_at) VALUES (1, 1, 1, 1, '{}', 0, 0)")).hasMessageContaining("FOREIGN KEY");
            assertThatThrownBy(() -> s.execute("INSERT INTO feedback_set (name, criterion, overlap, gold_rate, seed, "
                    + "created_at) VALUES ('y', 'HONESTY', 'two', 0, 0, 0)")).hasMessageContaining("INTEGER");
        }
    }
}
