package org.jalign.feedback;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jalign.data.JsonlReader;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Human feedback on disk: prompts, their completions, labelers, assignments and labels in one
 * SQLite file, read and written through plain JDBC. The labeling web app and the {@code feedback}
 * commands stand on it.
 *
 * <h2>Durability and concurrency</h2>
 * Every connection sets {@code journal_mode=WAL} (readers never block the writer),
 * {@code synchronous=FULL} (a commit is fsynced before it returns, so a label acknowledged to a
 * browser survives kill -9 and power loss), {@code foreign_keys=ON} and a busy timeout. Every
 * operation is one transaction; writes begin {@code IMMEDIATE}, so read-then-write steps (assign
 * the next prompt, check-then-insert a label) are serialized across connections and processes.
 * One instance is one connection and is thread-safe (its methods take turns); for parallel
 * writers open one store per thread, SQLite serializes the commits.
 *
 * <h2>Schema (version 1; see {@link StoreSchema} for the DDL)</h2>
 * <pre>
 * schema_version (version PK, applied_at)            one row per applied forward-only migration
 * feedback_set   (id, name UNIQUE, criterion HELPFULNESS|HARMLESSNESS|HONESTY|CUSTOM,
 *                 criterion_text (required for CUSTOM), overlap K ≥ 1, gold_rate in [0,1), seed)
 * instructions   (set_id, version ≥ 1, text)  PK (set_id, version): new text → new version
 * prompt         (id, set_id, external_id, text, gold_ranking JSON|NULL, shuffle_key)
 *                 UNIQUE (set_id, external_id); shuffle_key = mix(seed, hash(external_id))
 * completion     (id, prompt_id, position 0..N−1, text, model_id, sampling_json)
 *                 UNIQUE (prompt_id, position); position, model and sampling never reach a labeler
 * labeler        (id, name UNIQUE, role ADMIN|LABELER, invite_hash UNIQUE (SHA-256 hex),
 *                 invite_created_at, invite_used_at (NULL = unused), disabled 0|1, created_at)
 * session        (token_hash PK (SHA-256 hex), labeler_id, created_at, expires_at)
 * assignment     (id, set_id, prompt_id, labeler_id, gold 0|1, display_order JSON [completion id],
 *                 assigned_at)  UNIQUE (prompt_id, labeler_id): never the same labeler twice
 * label          (id, set_id, prompt_id, labeler_id, instructions_version, ranking JSON|NULL,
 *                 skipped 0|1, comment, labeled_at)
 *                 UNIQUE (prompt_id, labeler_id): one label per item and labeler, by the database;
 *                 FK (prompt_id, labeler_id) → assignment; FK (set_id, instructions_version) →
 *                 instructions; CHECK skipped = (ranking IS NULL)
 * thumb          (id, set_id, completion_id, labeler_id, up 0|1, instructions_version, comment,
 *                 rated_at)  UNIQUE (completion_id, labeler_id)
 * </pre>
 * Rankings are {@link StoredRanking} JSON {@code {"<completion id>": rank | "flag"}} (ties are equal
 * ranks). Times are Unix epoch milliseconds (UTC). Secrets (invite and session tokens) are stored
 * only as SHA-256 hashes.
 *
 * <p>Criteria are stored by the names of the feedback criteria ({@link #CRITERIA}); inputs are
 * accepted in any case ("helpfulness").
 */
public final class FeedbackStore implements AutoCloseable {

    /** The criterion names, as the feedback criteria enum spells them. */
    public static final List<String> CRITERIA = List.of("HELPFULNESS", "HARMLESSNESS", "HONESTY", "CUSTOM");

    /** How long a session lasts after sign-in unless told otherwise: a working week. */
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofDays(7);

    /** How long a write waits for another writer's lock before failing: well above any one transaction. */
    public static final Duration BUSY_TIMEOUT = Duration.ofSeconds(30);

    /** The longest comment a label or thumb takes, in characters. */
    public static final int MAX_COMMENT_CHARS = 10_000;

    /** A new feedback set; see {@link StoredSet} for the fields. Criterion is case-insensitive. */
    public record NewSet(String name, String criterion, String criterionText, String instructions, int overlap,
                         double goldRate, long seed) {
        public NewSet {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("feedback set name must not be blank");
            }
            criterion = criterionName(criterion);
            if (criterion.equals("CUSTOM") && (criterionText == null || criterionText.isBlank())) {
                throw new IllegalArgumentException("criterion custom needs criterionText saying what labelers judge");
            }
            if (instructions == null || instructions.isBlank()) {
                throw new IllegalArgumentException("instructions must not be blank: labelers need a guide");
            }
            if (overlap < 1) {
                throw new IllegalArgumentException("overlap (labelers per prompt) must be 1 or more, got " + overlap);
            }
            if (!(goldRate >= 0 && goldRate < 1)) {
                throw new IllegalArgumentException("goldRate must be in [0, 1), got " + goldRate);
            }
        }
    }

    /** A completion to store: its text, and the model and sampling settings (JSON object) if known. */
    public record NewCompletion(String text, String modelId, String samplingJson) {
        public NewCompletion {
            if (text == null) {
                throw new IllegalArgumentException("completion text must not be null (an empty completion is \"\")");
            }
            if (samplingJson != null) {
                JsonElement parsed;
                try {
                    parsed = JsonParser.parseString(samplingJson);
                } catch (JsonParseException e) {
                    parsed = null;
                }
                if (parsed == null || !parsed.isJsonObject()) {
                    throw new IllegalArgumentException("samplingJson must be a JSON object, got " + samplingJson);
                }
            }
        }
    }

    /**
     * A prompt to store with its completions (stored at positions 0..N−1 in this order).
     *
     * @param externalId     unique within the set; {@link #derivedPromptId} gives one from the text
     * @param goldByPosition a gold item's known ranking keyed by position (0..N−1, since completion
     *                       ids do not exist yet), or null
     */
    public record NewPrompt(String externalId, String text, List<NewCompletion> completions,
                            StoredRanking goldByPosition) {
        public NewPrompt {
            if (externalId == null || externalId.isBlank()) {
                throw new IllegalArgumentException("prompt id must not be blank");
            }
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("prompt " + externalId + ": text must not be blank");
            }
            completions = List.copyOf(completions);
            if (completions.isEmpty()) {
                throw new IllegalArgumentException("prompt " + externalId + " has no completions; give 1 (a "
                        + "thumbs-up/down item) or 2 or more (ranked)");
            }
            if (goldByPosition != null && completions.size() < 2) {
                throw new IllegalArgumentException("prompt " + externalId + " has a gold ranking but only 1 "
                        + "completion; gold items need 2 or more to rank");
            }
            if (goldByPosition != null) {
                List<Long> positions = new ArrayList<>();
                for (long i = 0; i < completions.size(); i++) {
                    positions.add(i);
                }
                goldByPosition.requireCovers(positions, "prompt " + externalId + ": gold ranking");
            }
        }
    }

    /**
     * A labeler's verdict on an assigned prompt.
     *
     * @param instructionsVersion the instructions version the page showed
     * @param ranking             null to skip the prompt
     * @param comment             optional free text, null or blank for none
     */
    public record LabelSubmission(long promptId, int instructionsVersion, StoredRanking ranking, String comment) {
        public LabelSubmission {
            comment = normalizeComment(comment);
        }

        public static LabelSubmission skip(long promptId, int instructionsVersion, String comment) {
            return new LabelSubmission(promptId, instructionsVersion, null, comment);
        }

        public boolean skipped() {
            return ranking == null;
        }
    }

    private final StoreConnection db;
    private final StoreRows rows;
    private final Clock clock;
    private final String file;

    private FeedbackStore(Connection connection, Clock clock, String file) {
        this.db = new StoreConnection(connection, file);
        this.rows = new StoreRows(db, file);
        this.clock = clock;
        this.file = file;
    }

    /** Opens {@code file}, creating it and its tables when new and migrating an older schema. */
    public static FeedbackStore open(Path file) {
        return open(file, Clock.systemUTC());
    }

    /** As {@link #open(Path)}, reading time from {@code clock} (session expiry, timestamps). */
    public static FeedbackStore open(Path file, Clock clock) {
        String name = file.toString();
        Connection connection;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        } catch (SQLException e) {
            throw new FeedbackStoreException("cannot open feedback database " + name + ": " + e.getMessage(), e);
        }
        FeedbackStore store = new FeedbackStore(connection, clock, name);
        try {
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT.toMillis()); // first: the next ones may wait
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                    String mode = rs.next() ? rs.getString(1) : "?";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new FeedbackStoreException(name + ": SQLite refused WAL mode (got " + mode
                                + "); is the file on a network file system?");
                    }
                }
                s.execute("PRAGMA synchronous = FULL");
                s.execute("PRAGMA foreign_keys = ON");
            }
            store.db.write("create or migrate the schema", () -> StoreSchema.migrate(connection, store.now(), name));
            return store;
        } catch (SQLException | RuntimeException e) {
            store.close();
            throw e instanceof RuntimeException r ? r : store.db.failure("open", (SQLException) e);
        }
    }

    /** The schema version of the open database. */
    public int schemaVersion() {
        return db.read("read the schema version", () ->
                (int) db.firstLong("SELECT max(version) FROM schema_version"));
    }

    /** A PRAGMA's value on this store's own connection (tests check the durability settings). */
    String pragma(String name) {
        return db.read("read pragma " + name, () -> {
            try (ResultSet rs = db.query("PRAGMA " + name)) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    /** An id for a prompt that has none: {@code sha256:} and 16 hex digits of its text's SHA-256. */
    public static String derivedPromptId(String promptText) {
        return "sha256:" + StoreTokens.sha256Hex(promptText).substring(0, 16);
    }

    // ---- sets and instructions --------------------------------------------------------------

    /** Creates a set with version 1 of its instructions; names are unique. */
    public StoredSet createSet(NewSet set) {
        return db.write("create set " + set.name(), () -> {
            if (db.firstLong("SELECT id FROM feedback_set WHERE name = ?", set.name()) >= 0) {
                throw new IllegalArgumentException("a feedback set named \"" + set.name() + "\" already exists in " + file);
            }
            long now = now();
            long id = db.insert("""
                    INSERT INTO feedback_set (name, criterion, criterion_text, overlap, gold_rate, seed, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""", set.name(), set.criterion(), blankToNull(set.criterionText()),
                    set.overlap(), set.goldRate(), set.seed(), now);
            db.insert("INSERT INTO instructions (set_id, version, text, created_at) VALUES (?, 1, ?, ?)",
                    id, set.instructions(), now);
            return rows.requireSet(id);
        });
    }

    /** The set's instructions become {@code text}: a new version, unless it is the latest one already. */
    public int updateInstructions(long setId, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("instructions must not be blank: labelers need a guide");
        }
        return db.write("update instructions of set " + setId, () -> {
            StoredInstructions latest = rows.instructions(setId, rows.requireSet(setId).instructionsVersion());
            if (latest.text().equals(text)) {
                return latest.version();
            }
            db.insert("INSERT INTO instructions (set_id, version, text, created_at) VALUES (?, ?, ?, ?)",
                    setId, latest.version() + 1, text, now());
            return latest.version() + 1;
        });
    }

    public Optional<StoredSet> findSet(String name) {
        return db.read("find set " + name, () -> {
            long id = db.firstLong("SELECT id FROM feedback_set WHERE name = ?", name);
            return id < 0 ? Optional.<StoredSet>empty() : Optional.of(rows.requireSet(id));
        });
    }

    public StoredSet set(long setId) {
        return db.read("read set " + setId, () -> rows.requireSet(setId));
    }

    public List<StoredSet> sets() {
        return db.read("list sets", () -> {
            List<StoredSet> sets = new ArrayList<>();
            for (long id : db.longs("SELECT id FROM feedback_set ORDER BY id")) {
                sets.add(rows.requireSet(id));
            }
            return sets;
        });
    }

    /** One version of a set's instructions. */
    public StoredInstructions instructions(long setId, int version) {
        return db.read("read instructions", () -> rows.instructions(setId, version));
    }

    // ---- prompts and completions --------------------------------------------------------------

    /** Adds prompts with their completions (e.g. freshly sampled); all or none. Returns their ids. */
    public List<Long> addPrompts(long setId, List<NewPrompt> prompts) {
        return db.write("add prompts to set " + setId, () -> {
            StoredSet set = rows.requireSet(setId);
            List<Long> ids = new ArrayList<>();
            for (NewPrompt prompt : prompts) {
                if (promptExists(setId, prompt.externalId())) {
                    throw new IllegalArgumentException("prompt id \"" + prompt.externalId()
                            + "\" is already in set \"" + set.name() + "\"; prompt ids are unique within a set");
                }
                ids.add(insertPrompt(set, prompt));
            }
            return ids;
        });
    }

    /**
     * Imports {@code feedback import} JSONL (format on {@link StoreImport}); every line is checked
     * before anything is stored, and errors name the file, line and field. Returns the count.
     */
    public int importJsonl(long setId, JsonlReader reader) {
        StoredSet set = set(setId);
        List<StoreImport.Row> rows = StoreImport.read(reader, set.name(), set.criterion()); // outside the lock
        return db.write("import " + reader.source(), () -> {
            for (StoreImport.Row row : rows) {
                if (promptExists(setId, row.prompt().externalId())) {
                    throw row.line().error("prompt id \"" + row.prompt().externalId() + "\" is already in set \""
                            + set.name() + "\"", "a prompt id (field \"prompt_id\", or the prompt text) new to the set");
                }
                insertPrompt(set, row.prompt());
            }
            return rows.size();
        });
    }

    /** Every prompt of the set with its completions, in insertion order (for export and reports). */
    public List<StoredPrompt> prompts(long setId) {
        return db.read("list prompts", () -> {
            Map<Long, List<StoredCompletion>> completions = new HashMap<>();
            try (ResultSet rs = db.query("""
                    SELECT c.id, c.prompt_id, c.position, c.text, c.model_id, c.sampling_json
                    FROM completion c JOIN prompt p ON p.id = c.prompt_id
                    WHERE p.set_id = ? ORDER BY c.prompt_id, c.position""", setId)) {
                while (rs.next()) {
                    completions.computeIfAbsent(rs.getLong(2), k -> new ArrayList<>()).add(new StoredCompletion(
                            rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getString(4), rs.getString(5), rs.getString(6)));
                }
            }
            List<StoredPrompt> prompts = new ArrayList<>();
            try (ResultSet rs = db.query("SELECT id, external_id, text, gold_ranking FROM prompt WHERE set_id = ? ORDER BY id",
                    setId)) {
                while (rs.next()) {
                    String gold = rs.getString(4);
                    prompts.add(new StoredPrompt(rs.getLong(1), setId, rs.getString(2), rs.getString(3),
                            completions.getOrDefault(rs.getLong(1), List.of()),
                            gold == null ? null : StoredRanking.fromJson(gold)));
                }
            }
            return prompts;
        });
    }

    private boolean promptExists(long setId, String externalId) throws SQLException {
        return db.firstLong("SELECT id FROM prompt WHERE set_id = ? AND external_id = ?",
                setId, externalId) >= 0;
    }

    private long insertPrompt(StoredSet set, NewPrompt prompt) throws SQLException {
        long now = now();
        long shuffleKey = StoreTokens.mix(set.seed(), StoreTokens.hashToLong(prompt.externalId()));
        long promptId = db.insert("""
                INSERT INTO prompt (set_id, external_id, text, gold_ranking, shuffle_key, created_at)
                VALUES (?, ?, ?, NULL, ?, ?)""", set.id(), prompt.externalId(), prompt.text(), shuffleKey, now);
        List<Long> completionIds = new ArrayList<>();
        for (int position = 0; position < prompt.completions().size(); position++) {
            NewCompletion c = prompt.completions().get(position);
            completionIds.add(db.insert("""
                    INSERT INTO completion (prompt_id, position, text, model_id, sampling_json) VALUES (?, ?, ?, ?, ?)""",
                    promptId, position, c.text(), c.modelId(), c.samplingJson()));
        }
        if (prompt.goldByPosition() != null) {
            TreeMap<Long, Integer> ranks = new TreeMap<>();
            prompt.goldByPosition().ranks().forEach((position, rank) -> ranks.put(completionIds.get(position.intValue()), rank));
            TreeSet<Long> flagged = new TreeSet<>();
            prompt.goldByPosition().flagged().forEach(position -> flagged.add(completionIds.get(position.intValue())));
            db.update("UPDATE prompt SET gold_ranking = ? WHERE id = ?", new StoredRanking(ranks, flagged).toJson(), promptId);
        }
        return promptId;
    }

    // ---- labelers, invites and sessions ------------------------------------------------------------

    /** Creates a labeler and returns their one-time invite token; only its hash is stored. */
    public StoredInvitation createLabeler(String name, StoredLabeler.Role role) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("labeler name must not be blank");
        }
        if (role == null) {
            throw new IllegalArgumentException("labeler role must be ADMIN or LABELER, got null");
        }
        return db.write("create labeler " + name, () -> {
            if (db.firstLong("SELECT id FROM labeler WHERE name = ?", name) >= 0) {
                throw new IllegalArgumentException("a labeler named \"" + name + "\" already exists");
            }
            String token = StoreTokens.newToken();
            long now = now();
            long id = db.insert("""
                    INSERT INTO labeler (name, role, invite_hash, invite_created_at, created_at) VALUES (?, ?, ?, ?, ?)""",
                    name, role.name(), StoreTokens.sha256Hex(token), now, now);
            return new StoredInvitation(rows.requireLabeler(id), token);
        });
    }

    /**
     * A fresh invite for a labeler who lost theirs (or whose link leaked): the old invite and every
     * session signed in so far stop working, as a password reset would.
     */
    public StoredInvitation reissueInvite(long labelerId) {
        return db.write("reissue invite", () -> {
            rows.requireLabeler(labelerId);
            String token = StoreTokens.newToken();
            db.update("UPDATE labeler SET invite_hash = ?, invite_created_at = ?, invite_used_at = NULL WHERE id = ?",
                    StoreTokens.sha256Hex(token), now(), labelerId);
            db.update("DELETE FROM session WHERE labeler_id = ?", labelerId);
            return new StoredInvitation(rows.requireLabeler(labelerId), token);
        });
    }

    /** Disables (ending their sessions) or re-enables a labeler. */
    public void setDisabled(long labelerId, boolean disabled) {
        db.write("disable labeler", () -> {
            rows.requireLabeler(labelerId);
            db.update("UPDATE labeler SET disabled = ? WHERE id = ?", disabled ? 1 : 0, labelerId);
            if (disabled) {
                db.update("DELETE FROM session WHERE labeler_id = ?", labelerId);
            }
            return null;
        });
    }

    public StoredLabeler labeler(long labelerId) {
        return db.read("read labeler", () -> rows.requireLabeler(labelerId));
    }

    public List<StoredLabeler> labelers() {
        return db.read("list labelers", () -> {
            List<StoredLabeler> labelers = new ArrayList<>();
            for (long id : db.longs("SELECT id FROM labeler ORDER BY id")) {
                labelers.add(rows.requireLabeler(id));
            }
            return labelers;
        });
    }

    /** {@link #redeemInvite(String, Duration)} with {@link #DEFAULT_SESSION_LIFETIME}. */
    public Optional<StoredSession> redeemInvite(String inviteToken) {
        return redeemInvite(inviteToken, DEFAULT_SESSION_LIFETIME);
    }

    /**
     * Signs in with an invite token, once: returns a new session, or empty when the token is
     * unknown, already used, or its labeler disabled (one answer for all, so a guesser learns nothing).
     */
    public Optional<StoredSession> redeemInvite(String inviteToken, Duration sessionLifetime) {
        if (inviteToken == null || inviteToken.isBlank()) {
            return Optional.empty();
        }
        return db.write("redeem invite", () -> {
            long id = db.firstLong(
                    "SELECT id FROM labeler WHERE invite_hash = ? AND invite_used_at IS NULL AND disabled = 0",
                    StoreTokens.sha256Hex(inviteToken));
            if (id < 0) {
                return Optional.<StoredSession>empty();
            }
            long now = now();
            db.update("UPDATE labeler SET invite_used_at = ? WHERE id = ?", now, id);
            db.update("DELETE FROM session WHERE expires_at <= ?", now); // housekeeping
            String token = StoreTokens.newToken();
            long expires = now + sessionLifetime.toMillis();
            db.insert("INSERT INTO session (token_hash, labeler_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                    StoreTokens.sha256Hex(token), id, now, expires);
            return Optional.of(new StoredSession(token, rows.requireLabeler(id), Instant.ofEpochMilli(expires)));
        });
    }

    /** The labeler a session token belongs to, if it is known, unexpired and the labeler enabled. */
    public Optional<StoredLabeler> authenticate(String sessionToken) {
        if (sessionToken == null || sessionToken.isBlank()) {
            return Optional.empty();
        }
        return db.read("authenticate", () -> {
            long id = db.firstLong("""
                    SELECT s.labeler_id FROM session s JOIN labeler l ON l.id = s.labeler_id
                    WHERE s.token_hash = ? AND s.expires_at > ? AND l.disabled = 0""",
                    StoreTokens.sha256Hex(sessionToken), now());
            return id < 0 ? Optional.<StoredLabeler>empty() : Optional.of(rows.requireLabeler(id));
        });
    }

    /** Signs out: the session token stops working. */
    public void endSession(String sessionToken) {
        if (sessionToken != null) {
            db.write("end session", () -> db.update("DELETE FROM session WHERE token_hash = ?", StoreTokens.sha256Hex(sessionToken)));
        }
    }

    // ---- assignment, labels, thumbs, progress -------------------------------------------------

    /**
     * The labeler's next item in the set (see {@link StoreAssigner} for the rules), or empty when
     * there is nothing left for them. An item assigned but not yet labeled is returned again.
     */
    public Optional<StoredAssignment> nextAssignment(long setId, long labelerId) {
        return db.write("assign next prompt", () -> {
            StoredSet set = rows.requireSet(setId);
            rows.requireActive(labelerId);
            long open = StoreAssigner.openAssignment(db.connection(), setId, labelerId);
            if (open >= 0) {
                return Optional.of(rows.assignmentView(set, open, labelerId));
            }
            StoreAssigner.Pick pick = StoreAssigner.pick(db.connection(), set, labelerId);
            if (pick == null) {
                return Optional.<StoredAssignment>empty();
            }
            db.insert("""
                    INSERT INTO assignment (set_id, prompt_id, labeler_id, gold, display_order, assigned_at)
                    VALUES (?, ?, ?, ?, ?, ?)""", setId, pick.promptId(), labelerId, pick.gold() ? 1 : 0,
                    StoreAssigner.displayOrder(db.connection(), set.seed(), pick.promptId(), labelerId), now());
            return Optional.of(rows.assignmentView(set, pick.promptId(), labelerId));
        });
    }

    /**
     * The labeler's view of one prompt assigned to them (the same completions in the same order as
     * {@link #nextAssignment} gave), or empty when it is not assigned to them. The web app maps a
     * submitted position back to a completion id through this view.
     */
    public Optional<StoredAssignment> assignment(long setId, long promptId, long labelerId) {
        return db.read("read assignment", () -> {
            StoredSet set = rows.requireSet(setId);
            long assigned = db.firstLong("SELECT prompt_id FROM assignment WHERE set_id = ? AND prompt_id = ? AND labeler_id = ?",
                    setId, promptId, labelerId);
            return assigned < 0 ? Optional.<StoredAssignment>empty()
                    : Optional.of(rows.assignmentView(set, promptId, labelerId));
        });
    }

    /**
     * Thumbs up or down on the single completion of an assigned one-completion prompt (a thumbs
     * item): stores the rating and so completes the assignment. Idempotent like {@link #submitLabel}.
     */
    public StoredThumb rateAssigned(long labelerId, long promptId, boolean up, int instructionsVersion, String comment) {
        return db.write("rate assigned completion", () -> {
            rows.requireActive(labelerId);
            if (db.firstLong("SELECT set_id FROM assignment WHERE prompt_id = ? AND labeler_id = ?", promptId, labelerId) < 0) {
                throw new IllegalArgumentException("prompt " + promptId + " is not assigned to labeler " + labelerId
                        + "; ratings are taken only for assigned prompts");
            }
            List<Long> completions = db.longs("SELECT id FROM completion WHERE prompt_id = ?", promptId);
            if (completions.size() != 1) {
                throw new IllegalArgumentException("prompt " + promptId + " has " + completions.size()
                        + " completions; thumbs up/down rates a prompt with exactly 1 (rank the others)");
            }
            return recordThumb(labelerId, completions.get(0), up, instructionsVersion, comment);
        });
    }

    /**
     * Stores a label for an assigned prompt. Retrying the identical submission returns the stored
     * label; a different one for the same (prompt, labeler) throws {@link StoreConflictException}.
     */
    public StoredLabel submitLabel(long labelerId, LabelSubmission submission) {
        return db.write("submit label", () -> {
            rows.requireActive(labelerId);
            long setId = db.firstLong(
                    "SELECT set_id FROM assignment WHERE prompt_id = ? AND labeler_id = ?", submission.promptId(), labelerId);
            if (setId < 0) {
                throw new IllegalArgumentException("prompt " + submission.promptId() + " is not assigned to labeler "
                        + labelerId + "; labels are taken only for assigned prompts");
            }
            rows.requireInstructionsVersion(setId, submission.instructionsVersion());
            if (!submission.skipped()) {
                submission.ranking().requireCovers(db.longs("SELECT id FROM completion WHERE prompt_id = ?",
                        submission.promptId()), "the ranking of prompt " + submission.promptId());
            }
            String ranking = submission.skipped() ? null : submission.ranking().toJson();
            long existing = db.firstLong(
                    "SELECT id FROM label WHERE prompt_id = ? AND labeler_id = ?", submission.promptId(), labelerId);
            if (existing >= 0) {
                StoredLabel stored = rows.labelsWhere("l.id = ?", existing).get(0);
                boolean same = stored.instructionsVersion() == submission.instructionsVersion()
                        && stored.skipped() == submission.skipped()
                        && Objects.equals(stored.ranking() == null ? null : stored.ranking().toJson(), ranking)
                        && Objects.equals(stored.comment(), submission.comment());
                if (!same) {
                    throw new StoreConflictException("labeler " + labelerId + " already labeled prompt \""
                            + stored.externalPromptId() + "\" (label " + existing + " at " + stored.labeledAt()
                            + ") differently; a label is final, the first one stands");
                }
                return stored;
            }
            long id = db.insert("""
                    INSERT INTO label (set_id, prompt_id, labeler_id, instructions_version, ranking, skipped, comment,
                                       labeled_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", setId, submission.promptId(), labelerId,
                    submission.instructionsVersion(), ranking, submission.skipped() ? 1 : 0, submission.comment(), now());
            return rows.labelsWhere("l.id = ?", id).get(0);
        });
    }

    /** Every label of the set, oldest first, for export and reports. */
    public List<StoredLabel> labels(long setId) {
        return db.read("list labels", () -> rows.labelsWhere("l.set_id = ?", setId));
    }

    /**
     * Thumbs up or down on one completion (the single-completion mode). Idempotent like
     * {@link #submitLabel}: the same verdict again is fine, a different one is a conflict.
     */
    public StoredThumb recordThumb(long labelerId, long completionId, boolean up, int instructionsVersion,
                                   String comment) {
        String note = normalizeComment(comment);
        return db.write("record thumb", () -> {
            rows.requireActive(labelerId);
            long setId = db.firstLong(
                    "SELECT p.set_id FROM completion c JOIN prompt p ON p.id = c.prompt_id WHERE c.id = ?", completionId);
            if (setId < 0) {
                throw new IllegalArgumentException("there is no completion " + completionId);
            }
            rows.requireInstructionsVersion(setId, instructionsVersion);
            List<StoredThumb> existing = rows.thumbsWhere("t.completion_id = ? AND t.labeler_id = ?", completionId, labelerId);
            if (!existing.isEmpty()) {
                StoredThumb stored = existing.get(0);
                if (stored.up() != up || stored.instructionsVersion() != instructionsVersion
                        || !Objects.equals(stored.comment(), note)) {
                    throw new StoreConflictException("labeler " + labelerId + " already rated completion "
                            + completionId + " " + (stored.up() ? "up" : "down") + "; a rating is final");
                }
                return stored;
            }
            long id = db.insert("""
                    INSERT INTO thumb (set_id, completion_id, labeler_id, up, instructions_version, comment, rated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""", setId, completionId, labelerId, up ? 1 : 0, instructionsVersion,
                    note, now());
            return rows.thumbsWhere("t.id = ?", id).get(0);
        });
    }

    public List<StoredThumb> thumbs(long setId) {
        return db.read("list thumbs", () -> rows.thumbsWhere("t.set_id = ?", setId));
    }

    /** One labeler's done / assigned in the set. */
    public StoredProgress progress(long setId, long labelerId) {
        return progressWhere(setId, "l.id = ?", labelerId).stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("there is no labeler " + labelerId));
    }

    /** Every labeler's done / assigned in the set, by labeler id. */
    public List<StoredProgress> progress(long setId) {
        return progressWhere(setId, "1 = 1");
    }

    private List<StoredProgress> progressWhere(long setId, String condition, Object... parameters) {
        return db.read("read progress", () -> {
            Object[] all = new Object[parameters.length + 2];
            all[0] = setId;
            all[1] = setId;
            System.arraycopy(parameters, 0, all, 2, parameters.length);
            List<StoredProgress> progress = new ArrayList<>();
            try (ResultSet rs = db.query("SELECT l.id, l.name, "
                    + "(SELECT count(*) FROM assignment a WHERE a.set_id = ? AND a.labeler_id = l.id AND "
                    + StoreAssigner.DONE + "), "
                    + "(SELECT count(*) FROM assignment a WHERE a.set_id = ? AND a.labeler_id = l.id) "
                    + "FROM labeler l WHERE " + condition + " ORDER BY l.id", all)) {
                while (rs.next()) {
                    progress.add(new StoredProgress(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4)));
                }
            }
            return progress;
        });
    }

    private long now() {
        return clock.millis();
    }

    static String criterionName(String criterion) {
        String upper = criterion == null ? "" : criterion.trim().toUpperCase(Locale.ROOT);
        if (!CRITERIA.contains(upper)) {
            throw new IllegalArgumentException("unknown criterion \"" + criterion + "\"; expected one of "
                    + criteriaForMessages());
        }
        return upper;
    }

    static String criteriaForMessages() {
        return CRITERIA.stream().map(c -> c.toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }

    private static String normalizeComment(String comment) {
        if (comment == null || comment.isBlank()) {
            return null;
        }
        if (comment.length() > MAX_COMMENT_CHARS) {
            throw new IllegalArgumentException("comment has " + comment.length() + " characters; at most "
                    + MAX_COMMENT_CHARS + " are kept");
        }
        return comment;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    @Override
    public void close() {
        db.close();
    }
}
