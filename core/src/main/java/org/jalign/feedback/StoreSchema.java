package org.jalign.feedback;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables, as forward-only migrations: migration i takes the schema from version i to
 * i + 1 and is never edited once released; a change is a new migration appended to
 * {@link #MIGRATIONS}. {@code schema_version} holds one row per applied version. The schema itself
 * is documented on {@link FeedbackStore}.
 */
final class StoreSchema {
    private StoreSchema() {
    }

    /** Version 1: the first schema. STRICT tables, so a wrong type is refused rather than stored. */
    private static final List<String> VERSION_1 = List.of("""
            CREATE TABLE feedback_set (
              id INTEGER PRIMARY KEY,
              name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
              criterion TEXT NOT NULL CHECK (criterion IN ('HELPFULNESS', 'HARMLESSNESS', 'HONESTY', 'CUSTOM')),
              criterion_text TEXT,
              overlap INTEGER NOT NULL CHECK (overlap >= 1),
              gold_rate REAL NOT NULL CHECK (gold_rate >= 0 AND gold_rate < 1),
              seed INTEGER NOT NULL,
              created_at INTEGER NOT NULL,
              CHECK (criterion <> 'CUSTOM' OR criterion_text IS NOT NULL)
            ) STRICT""", """
            CREATE TABLE instructions (
              set_id INTEGER NOT NULL REFERENCES feedback_set(id),
              version INTEGER NOT NULL CHECK (version >= 1),
              text TEXT NOT NULL,
              created_at INTEGER NOT NULL,
              PRIMARY KEY (set_id, version)
            ) STRICT""", """
            CREATE TABLE prompt (
              id INTEGER PRIMARY KEY,
              set_id INTEGER NOT NULL REFERENCES feedback_set(id),
              external_id TEXT NOT NULL,
              text TEXT NOT NULL,
              gold_ranking TEXT,
              shuffle_key INTEGER NOT NULL,
              created_at INTEGER NOT NULL,
              UNIQUE (set_id, external_id)
            ) STRICT""",
            "CREATE INDEX prompt_in_order ON prompt (set_id, shuffle_key)", """
            CREATE TABLE completion (
              id INTEGER PRIMARY KEY,
              prompt_id INTEGER NOT NULL REFERENCES prompt(id),
              position INTEGER NOT NULL CHECK (position >= 0),
              text TEXT NOT NULL,
              model_id TEXT,
              sampling_json TEXT,
              UNIQUE (prompt_id, position)
            ) STRICT""", """
            CREATE TABLE labeler (
              id INTEGER PRIMARY KEY,
              name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
              role TEXT NOT NULL CHECK (role IN ('ADMIN', 'LABELER')),
              invite_hash TEXT UNIQUE CHECK (length(invite_hash) = 64),
              invite_created_at INTEGER NOT NULL,
              invite_used_at INTEGER,
              disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
              created_at INTEGER NOT NULL
            ) STRICT""", """
            CREATE TABLE session (
              token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
              labeler_id INTEGER NOT NULL REFERENCES labeler(id),
              created_at INTEGER NOT NULL,
              expires_at INTEGER NOT NULL
            ) STRICT""",
            "CREATE INDEX session_of_labeler ON session (labeler_id)", """
            CREATE TABLE assignment (
              id INTEGER PRIMARY KEY,
              set_id INTEGER NOT NULL REFERENCES feedback_set(id),
              prompt_id INTEGER NOT NULL REFERENCES prompt(id),
              labeler_id INTEGER NOT NULL REFERENCES labeler(id),
              gold INTEGER NOT NULL CHECK (gold IN (0, 1)),
              display_order TEXT NOT NULL,
              assigned_at INTEGER NOT NULL,
              UNIQUE (prompt_id, labeler_id)
            ) STRICT""",
            "CREATE INDEX assignment_of_labeler ON assignment (set_id, labeler_id)", """
            CREATE TABLE label (
              id INTEGER PRIMARY KEY,
              set_id INTEGER NOT NULL,
              prompt_id INTEGER NOT NULL,
              labeler_id INTEGER NOT NULL,
              instructions_version INTEGER NOT NULL,
              ranking TEXT,
              skipped INTEGER NOT NULL CHECK (skipped IN (0, 1)),
              comment TEXT,
              labeled_at INTEGER NOT NULL,
              UNIQUE (prompt_id, labeler_id),
              CHECK ((skipped = 1) = (ranking IS NULL)),
              FOREIGN KEY (prompt_id, labeler_id) REFERENCES assignment (prompt_id, labeler_id),
              FOREIGN KEY (set_id, instructions_version) REFERENCES instructions (set_id, version)
            ) STRICT""",
            "CREATE INDEX label_of_set ON label (set_id)", """
            CREATE TABLE thumb (
              id INTEGER PRIMARY KEY,
              set_id INTEGER NOT NULL,
              completion_id INTEGER NOT NULL REFERENCES completion(id),
              labeler_id INTEGER NOT NULL REFERENCES labeler(id),
              up INTEGER NOT NULL CHECK (up IN (0, 1)),
              instructions_version INTEGER NOT NULL,
              comment TEXT,
              rated_at INTEGER NOT NULL,
              UNIQUE (completion_id, labeler_id),
              FOREIGN KEY (set_id, instructions_version) REFERENCES instructions (set_id, version)
            ) STRICT""",
            "CREATE INDEX thumb_of_set ON thumb (set_id)");

    /** MIGRATIONS.get(i) takes the schema from version i to version i + 1. */
    static final List<List<String>> MIGRATIONS = List.of(VERSION_1);

    /** The version this code reads and writes. */
    static final int CURRENT_VERSION = MIGRATIONS.size();

    /**
     * Brings the database to {@link #CURRENT_VERSION}; run inside a write transaction, so two
     * processes opening a new file at once migrate it once. Refuses a newer database.
     *
     * @return the version the database had before
     */
    static int migrate(Connection connection, long now, String file) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS schema_version (
                      version INTEGER PRIMARY KEY,
                      applied_at INTEGER NOT NULL
                    ) STRICT""");
            int version;
            try (ResultSet rs = statement.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
                rs.next();
                version = rs.getInt(1);
            }
            if (version > CURRENT_VERSION) {
                throw new FeedbackStoreException(file + " has feedback schema version " + version
                        + " but this jalign knows versions up to " + CURRENT_VERSION
                        + "; open it with a newer jalign");
            }
            for (int v = version; v < CURRENT_VERSION; v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    statement.execute(sql);
                }
                statement.execute("INSERT INTO schema_version (version, applied_at) VALUES (" + (v + 1) + ", " + now + ")");
            }
            return version;
        }
    }
}
