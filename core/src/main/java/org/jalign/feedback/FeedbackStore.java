package org.jalign.feedback;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jalign.data.JsonlReader;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
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
            if (completions.size() < 2) {
                throw new IllegalArgumentException("prompt " + externalId + " has " + completions.size()
                        + " completions; ranking needs 2 or more");
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

    private final Connection connection;
    private final Clock clock;
    private final String file;

    private FeedbackStore(Connection connection, Clock clock, String file) {
        this.connection = connection;
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
            store.write("create or migrate the schema", () -> StoreSchema.migrate(connection, store.now(), name));
            return store;
        } catch (SQLException | RuntimeException e) {
            store.close();
            throw e instanceof RuntimeException r ? r : store.failure("open", (SQLException) e);
        }
    }

    /** The schema version of the open database. */
    public int schemaVersion() {
        return read("read the schema version", () ->
                (int) StoreAssigner.firstLong(connection, "SELECT max(version) FROM schema_version"));
    }

    /** A PRAGMA's value on this store's own connection (tests check the durability settings). */
    String pragma(String name) {
        return read("read pragma " + name, () -> {
            try (ResultSet rs = query("PRAGMA " + name)) {
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
        return write("create set " + set.name(), () -> {
            if (StoreAssigner.firstLong(connection, "SELECT id FROM feedback_set WHERE name = ?", set.name()) >= 0) {
                throw new IllegalArgumentException("a feedback set named \"" + set.name() + "\" already exists in " + file);
            }
            long now = now();
            long id = insert("""
                    INSERT INTO feedback_set (name, criterion, criterion_text, overlap, gold_rate, seed, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""", set.name(), set.criterion(), blankToNull(set.criterionText()),
                    set.overlap(), set.goldRate(), set.seed(), now);
            insert("INSERT INTO instructions (set_id, version, text, created_at) VALUES (?, 1, ?, ?)",
                    id, set.instructions(), now);
            return requireSet(id);
        });
    }

    /** The set's instructions become {@code text}: a new version, unless it is the latest one already. */
    public int updateInstructions(long setId, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("instructions must not be blank: labelers need a guide");
        }
        return write("update instructions of set " + setId, () -> {
            StoredInstructions latest = instructions(requireSet(setId).id(), requireSet(setId).instructionsVersion());
            if (latest.text().equals(text)) {
                return latest.version();
            }
            insert("INSERT INTO instructions (set_id, version, text, created_at) VALUES (?, ?, ?, ?)",
                    setId, latest.version() + 1, text, now());
            return latest.version() + 1;
        });
    }

    public Optional<StoredSet> findSet(String name) {
        return read("find set " + name, () -> {
            long id = StoreAssigner.firstLong(connection, "SELECT id FROM feedback_set WHERE name = ?", name);
            return id < 0 ? Optional.<StoredSet>empty() : Optional.of(requireSet(id));
        });
    }

    public StoredSet set(long setId) {
        return read("read set " + setId, () -> requireSet(setId));
    }

    public List<StoredSet> sets() {
        return read("list sets", () -> {
            List<StoredSet> sets = new ArrayList<>();
            for (long id : longs("SELECT id FROM feedback_set ORDER BY id")) {
                sets.add(requireSet(id));
            }
            return sets;
        });
    }

    /** One version of a set's instructions. */
    public StoredInstructions instructions(long setId, int version) {
        return read("read instructions", () -> {
            try (ResultSet rs = query("SELECT text, created_at FROM instructions WHERE set_id = ? AND version = ?",
                    setId, version)) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("set " + setId + " has no instructions version " + version);
                }
                return new StoredInstructions(setId, version, rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)));
            }
        });
    }

    // ---- prompts and completions --------------------------------------------------------------

    /** Adds prompts with their completions (e.g. freshly sampled); all or none. Returns their ids. */
    public List<Long> addPrompts(long setId, List<NewPrompt> prompts) {
        return write("add prompts to set " + setId, () -> {
            StoredSet set = requireSet(setId);
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
        return write("import " + reader.source(), () -> {
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
        return read("list prompts", () -> {
            Map<Long, List<StoredCompletion>> completions = new HashMap<>();
            try (ResultSet rs = query("""
                    SELECT c.id, c.prompt_id, c.position, c.text, c.model_id, c.sampling_json
                    FROM completion c JOIN prompt p ON p.id = c.prompt_id
                    WHERE p.set_id = ? ORDER BY c.prompt_id, c.position""", setId)) {
                while (rs.next()) {
                    completions.computeIfAbsent(rs.getLong(2), k -> new ArrayList<>()).add(new StoredCompletion(
                            rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getString(4), rs.getString(5), rs.getString(6)));
                }
            }
            List<StoredPrompt> prompts = new ArrayList<>();
            try (ResultSet rs = query("SELECT id, external_id, text, gold_ranking FROM prompt WHERE set_id = ? ORDER BY id",
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
        return StoreAssigner.firstLong(connection, "SELECT id FROM prompt WHERE set_id = ? AND external_id = ?",
                setId, externalId) >= 0;
    }

    private long insertPrompt(StoredSet set, NewPrompt prompt) throws SQLException {
        long now = now();
        long shuffleKey = StoreTokens.mix(set.seed(), StoreTokens.hashToLong(prompt.externalId()));
        long promptId = insert("""
                INSERT INTO prompt (set_id, external_id, text, gold_ranking, shuffle_key, created_at)
                VALUES (?, ?, ?, NULL, ?, ?)""", set.id(), prompt.externalId(), prompt.text(), shuffleKey, now);
        List<Long> completionIds = new ArrayList<>();
        for (int position = 0; position < prompt.completions().size(); position++) {
            NewCompletion c = prompt.completions().get(position);
            completionIds.add(insert("""
                    INSERT INTO completion (prompt_id, position, text, model_id, sampling_json) VALUES (?, ?, ?, ?, ?)""",
                    promptId, position, c.text(), c.modelId(), c.samplingJson()));
        }
        if (prompt.goldByPosition() != null) {
            TreeMap<Long, Integer> ranks = new TreeMap<>();
            prompt.goldByPosition().ranks().forEach((position, rank) -> ranks.put(completionIds.get(position.intValue()), rank));
            TreeSet<Long> flagged = new TreeSet<>();
            prompt.goldByPosition().flagged().forEach(position -> flagged.add(completionIds.get(position.intValue())));
            update("UPDATE prompt SET gold_ranking = ? WHERE id = ?", new StoredRanking(ranks, flagged).toJson(), promptId);
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
        return write("create labeler " + name, () -> {
            if (StoreAssigner.firstLong(connection, "SELECT id FROM labeler WHERE name = ?", name) >= 0) {
                throw new IllegalArgumentException("a labeler named \"" + name + "\" already exists");
            }
            String token = StoreTokens.newToken();
            long now = now();
            long id = insert("""
                    INSERT INTO labeler (name, role, invite_hash, invite_created_at, created_at) VALUES (?, ?, ?, ?, ?)""",
                    name, role.name(), StoreTokens.sha256Hex(token), now, now);
            return new StoredInvitation(requireLabeler(id), token);
        });
    }

    /** A fresh invite for a labeler who lost theirs; the old one stops working. */
    public StoredInvitation reissueInvite(long labelerId) {
        return write("reissue invite", () -> {
            requireLabeler(labelerId);
            String token = StoreTokens.newToken();
            update("UPDATE labeler SET invite_hash = ?, invite_created_at = ?, invite_used_at = NULL WHERE id = ?",
                    StoreTokens.sha256Hex(token), now(), labelerId);
            return new StoredInvitation(requireLabeler(labelerId), token);
        });
    }

    /** Disables (ending their sessions) or re-enables a labeler. */
    public void setDisabled(long labelerId, boolean disabled) {
        write("disable labeler", () -> {
            requireLabeler(labelerId);
            update("UPDATE labeler SET disabled = ? WHERE id = ?", disabled ? 1 : 0, labelerId);
            if (disabled) {
                update("DELETE FROM session WHERE labeler_id = ?", labelerId);
            }
            return null;
        });
    }

    public StoredLabeler labeler(long labelerId) {
        return read("read labeler", () -> requireLabeler(labelerId));
    }

    public List<StoredLabeler> labelers() {
        return read("list labelers", () -> {
            List<StoredLabeler> labelers = new ArrayList<>();
            for (long id : longs("SELECT id FROM labeler ORDER BY id")) {
                labelers.add(requireLabeler(id));
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
        return write("redeem invite", () -> {
            long id = StoreAssigner.firstLong(connection,
                    "SELECT id FROM labeler WHERE invite_hash = ? AND invite_used_at IS NULL AND disabled = 0",
                    StoreTokens.sha256Hex(inviteToken));
            if (id < 0) {
                return Optional.<StoredSession>empty();
            }
            long now = now();
            update("UPDATE labeler SET invite_used_at = ? WHERE id = ?", now, id);
            update("DELETE FROM session WHERE expires_at <= ?", now); // housekeeping
            String token = StoreTokens.newToken();
            long expires = now + sessionLifetime.toMillis();
            insert("INSERT INTO session (token_hash, labeler_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                    StoreTokens.sha256Hex(token), id, now, expires);
            return Optional.of(new StoredSession(token, requireLabeler(id), Instant.ofEpochMilli(expires)));
        });
    }

    /** The labeler a session token belongs to, if it is known, unexpired and the labeler enabled. */
    public Optional<StoredLabeler> authenticate(String sessionToken) {
        if (sessionToken == null || sessionToken.isBlank()) {
            return Optional.empty();
        }
        return read("authenticate", () -> {
            long id = StoreAssigner.firstLong(connection, """
                    SELECT s.labeler_id FROM session s JOIN labeler l ON l.id = s.labeler_id
                    WHERE s.token_hash = ? AND s.expires_at > ? AND l.disabled = 0""",
                    StoreTokens.sha256Hex(sessionToken), now());
            return id < 0 ? Optional.<StoredLabeler>empty() : Optional.of(requireLabeler(id));
        });
    }

    /** Signs out: the session token stops working. */
    public void endSession(String sessionToken) {
        if (sessionToken != null) {
            write("end session", () -> update("DELETE FROM session WHERE token_hash = ?", StoreTokens.sha256Hex(sessionToken)));
        }
    }

    // ---- assignment, labels, thumbs, progress -------------------------------------------------

    /**
     * The labeler's next item in the set (see {@link StoreAssigner} for the rules), or empty when
     * there is nothing left for them. An item assigned but not yet labeled is returned again.
     */
    public Optional<StoredAssignment> nextAssignment(long setId, long labelerId) {
        return write("assign next prompt", () -> {
            StoredSet set = requireSet(setId);
            requireActive(labelerId);
            long open = StoreAssigner.openAssignment(connection, setId, labelerId);
            if (open >= 0) {
                return Optional.of(assignmentView(set, open, labelerId));
            }
            StoreAssigner.Pick pick = StoreAssigner.pick(connection, set, labelerId);
            if (pick == null) {
                return Optional.<StoredAssignment>empty();
            }
            insert("""
                    INSERT INTO assignment (set_id, prompt_id, labeler_id, gold, display_order, assigned_at)
                    VALUES (?, ?, ?, ?, ?, ?)""", setId, pick.promptId(), labelerId, pick.gold() ? 1 : 0,
                    StoreAssigner.displayOrder(connection, set.seed(), pick.promptId(), labelerId), now());
            return Optional.of(assignmentView(set, pick.promptId(), labelerId));
        });
    }

    /**
     * Stores a label for an assigned prompt. Retrying the identical submission returns the stored
     * label; a different one for the same (prompt, labeler) throws {@link StoreConflictException}.
     */
    public StoredLabel submitLabel(long labelerId, LabelSubmission submission) {
        return write("submit label", () -> {
            requireActive(labelerId);
            long setId = StoreAssigner.firstLong(connection,
                    "SELECT set_id FROM assignment WHERE prompt_id = ? AND labeler_id = ?", submission.promptId(), labelerId);
            if (setId < 0) {
                throw new IllegalArgumentException("prompt " + submission.promptId() + " is not assigned to labeler "
                        + labelerId + "; labels are taken only for assigned prompts");
            }
            requireInstructionsVersion(setId, submission.instructionsVersion());
            if (!submission.skipped()) {
                submission.ranking().requireCovers(longs("SELECT id FROM completion WHERE prompt_id = ?",
                        submission.promptId()), "the ranking of prompt " + submission.promptId());
            }
            String ranking = submission.skipped() ? null : submission.ranking().toJson();
            long existing = StoreAssigner.firstLong(connection,
                    "SELECT id FROM label WHERE prompt_id = ? AND labeler_id = ?", submission.promptId(), labelerId);
            if (existing >= 0) {
                StoredLabel stored = labelsWhere("l.id = ?", existing).get(0);
                boolean same = stored.instructionsVersion() == submission.instructionsVersion()
                        && stored.skipped() == submission.skipped()
                        && java.util.Objects.equals(stored.ranking() == null ? null : stored.ranking().toJson(), ranking)
                        && java.util.Objects.equals(stored.comment(), submission.comment());
                if (!same) {
                    throw new StoreConflictException("labeler " + labelerId + " already labeled prompt \""
                            + stored.externalPromptId() + "\" (label " + existing + " at " + stored.labeledAt()
                            + ") differently; a label is final, the first one stands");
                }
                return stored;
            }
            long id = insert("""
                    INSERT INTO label (set_id, prompt_id, labeler_id, instructions_version, ranking, skipped, comment,
                                       labeled_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", setId, submission.promptId(), labelerId,
                    submission.instructionsVersion(), ranking, submission.skipped() ? 1 : 0, submission.comment(), now());
            return labelsWhere("l.id = ?", id).get(0);
        });
    }

    /** Every label of the set, oldest first, for export and reports. */
    public List<StoredLabel> labels(long setId) {
        return read("list labels", () -> labelsWhere("l.set_id = ?", setId));
    }

    /**
     * Thumbs up or down on one completion (the single-completion mode). Idempotent like
     * {@link #submitLabel}: the same verdict again is fine, a different one is a conflict.
     */
    public StoredThumb recordThumb(long labelerId, long completionId, boolean up, int instructionsVersion,
                                   String comment) {
        String note = normalizeComment(comment);
        return write("record thumb", () -> {
            requireActive(labelerId);
            long setId = StoreAssigner.firstLong(connection,
                    "SELECT p.set_id FROM completion c JOIN prompt p ON p.id = c.prompt_id WHERE c.id = ?", completionId);
            if (setId < 0) {
                throw new IllegalArgumentException("there is no completion " + completionId);
            }
            requireInstructionsVersion(setId, instructionsVersion);
            List<StoredThumb> existing = thumbsWhere("t.completion_id = ? AND t.labeler_id = ?", completionId, labelerId);
            if (!existing.isEmpty()) {
                StoredThumb stored = existing.get(0);
                if (stored.up() != up || stored.instructionsVersion() != instructionsVersion
                        || !java.util.Objects.equals(stored.comment(), note)) {
                    throw new StoreConflictException("labeler " + labelerId + " already rated completion "
                            + completionId + " " + (stored.up() ? "up" : "down") + "; a rating is final");
                }
                return stored;
            }
            long id = insert("""
                    INSERT INTO thumb (set_id, completion_id, labeler_id, up, instructions_version, comment, rated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""", setId, completionId, labelerId, up ? 1 : 0, instructionsVersion,
                    note, now());
            return thumbsWhere("t.id = ?", id).get(0);
        });
    }

    public List<StoredThumb> thumbs(long setId) {
        return read("list thumbs", () -> thumbsWhere("t.set_id = ?", setId));
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
        return read("read progress", () -> {
            Object[] all = new Object[parameters.length + 2];
            all[0] = setId;
            all[1] = setId;
            System.arraycopy(parameters, 0, all, 2, parameters.length);
            List<StoredProgress> progress = new ArrayList<>();
            try (ResultSet rs = query("SELECT l.id, l.name, "
                    + "(SELECT count(*) FROM label x WHERE x.set_id = ? AND x.labeler_id = l.id), "
                    + "(SELECT count(*) FROM assignment a WHERE a.set_id = ? AND a.labeler_id = l.id) "
                    + "FROM labeler l WHERE " + condition + " ORDER BY l.id", all)) {
                while (rs.next()) {
                    progress.add(new StoredProgress(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4)));
                }
            }
            return progress;
        });
    }

    // ---- row mapping ----------------------------------------------------------------------

    private StoredAssignment assignmentView(StoredSet set, long promptId, long labelerId) throws SQLException {
        String promptText;
        String order;
        long assignedAt;
        try (ResultSet rs = query("""
                SELECT p.text, a.display_order, a.assigned_at FROM assignment a JOIN prompt p ON p.id = a.prompt_id
                WHERE a.prompt_id = ? AND a.labeler_id = ?""", promptId, labelerId)) {
            rs.next();
            promptText = rs.getString(1);
            order = rs.getString(2);
            assignedAt = rs.getLong(3);
        }
        Map<Long, String> texts = new HashMap<>();
        try (ResultSet rs = query("SELECT id, text FROM completion WHERE prompt_id = ?", promptId)) {
            while (rs.next()) {
                texts.put(rs.getLong(1), rs.getString(2));
            }
        }
        List<StoredAssignment.ShownCompletion> shown = new ArrayList<>();
        for (JsonElement id : JsonParser.parseString(order).getAsJsonArray()) {
            shown.add(new StoredAssignment.ShownCompletion(id.getAsLong(), texts.get(id.getAsLong())));
        }
        StoredInstructions instructions = instructions(set.id(), set.instructionsVersion());
        return new StoredAssignment(set.id(), promptId, promptText, shown, set.criterion(), set.criterionText(),
                instructions.version(), instructions.text(), Instant.ofEpochMilli(assignedAt));
    }

    private List<StoredLabel> labelsWhere(String condition, Object... parameters) throws SQLException {
        List<StoredLabel> labels = new ArrayList<>();
        try (ResultSet rs = query("""
                SELECT l.id, l.set_id, l.prompt_id, p.external_id, l.labeler_id, who.name, l.instructions_version,
                       l.ranking, l.skipped, l.comment, a.gold, a.assigned_at, l.labeled_at
                FROM label l JOIN prompt p ON p.id = l.prompt_id JOIN labeler who ON who.id = l.labeler_id
                     JOIN assignment a ON a.prompt_id = l.prompt_id AND a.labeler_id = l.labeler_id
                WHERE """ + " " + condition + " ORDER BY l.id", parameters)) {
            while (rs.next()) {
                String ranking = rs.getString(8);
                labels.add(new StoredLabel(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getLong(5),
                        rs.getString(6), rs.getInt(7), ranking == null ? null : StoredRanking.fromJson(ranking),
                        rs.getInt(9) == 1, rs.getString(10), rs.getInt(11) == 1, Instant.ofEpochMilli(rs.getLong(12)),
                        Instant.ofEpochMilli(rs.getLong(13))));
            }
        }
        return labels;
    }

    private List<StoredThumb> thumbsWhere(String condition, Object... parameters) throws SQLException {
        List<StoredThumb> thumbs = new ArrayList<>();
        try (ResultSet rs = query("""
                SELECT t.id, t.set_id, c.prompt_id, t.completion_id, t.labeler_id, t.up, t.instructions_version,
                       t.comment, t.rated_at
                FROM thumb t JOIN completion c ON c.id = t.completion_id
                WHERE """ + " " + condition + " ORDER BY t.id", parameters)) {
            while (rs.next()) {
                thumbs.add(new StoredThumb(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getInt(6) == 1, rs.getInt(7), rs.getString(8), Instant.ofEpochMilli(rs.getLong(9))));
            }
        }
        return thumbs;
    }

    private StoredSet requireSet(long setId) throws SQLException {
        try (ResultSet rs = query("""
                SELECT s.id, s.name, s.criterion, s.criterion_text, s.overlap, s.gold_rate, s.seed,
                       (SELECT max(version) FROM instructions i WHERE i.set_id = s.id), s.created_at
                FROM feedback_set s WHERE s.id = ?""", setId)) {
            if (!rs.next()) {
                throw new IllegalArgumentException("there is no feedback set " + setId + " in " + file);
            }
            return new StoredSet(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                    rs.getDouble(6), rs.getLong(7), rs.getInt(8), Instant.ofEpochMilli(rs.getLong(9)));
        }
    }

    private StoredLabeler requireLabeler(long labelerId) throws SQLException {
        try (ResultSet rs = query("SELECT id, name, role, disabled, created_at, invite_used_at FROM labeler WHERE id = ?",
                labelerId)) {
            if (!rs.next()) {
                throw new IllegalArgumentException("there is no labeler " + labelerId + " in " + file);
            }
            long used = rs.getLong(6);
            return new StoredLabeler(rs.getLong(1), rs.getString(2), StoredLabeler.Role.valueOf(rs.getString(3)),
                    rs.getInt(4) == 1, Instant.ofEpochMilli(rs.getLong(5)), rs.wasNull() ? null : Instant.ofEpochMilli(used));
        }
    }

    private void requireActive(long labelerId) throws SQLException {
        if (requireLabeler(labelerId).disabled()) {
            throw new IllegalStateException("labeler " + labelerId + " is disabled");
        }
    }

    private void requireInstructionsVersion(long setId, int version) throws SQLException {
        if (StoreAssigner.firstLong(connection, "SELECT version FROM instructions WHERE set_id = ? AND version = ?",
                setId, version) < 0) {
            throw new IllegalArgumentException("set " + setId + " has no instructions version " + version
                    + "; submit the version the labeling page showed");
        }
    }

    // ---- JDBC plumbing ------------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} in a write transaction ({@code BEGIN IMMEDIATE}); commits, or rolls back on any failure. */
    private synchronized <T> T write(String what, Work<T> work) {
        return transaction("BEGIN IMMEDIATE", what, work);
    }

    /** Runs {@code work} in a read transaction: one consistent snapshot, never blocking writers (WAL). */
    private synchronized <T> T read(String what, Work<T> work) {
        return transaction("BEGIN DEFERRED", what, work);
    }

    private <T> T transaction(String begin, String what, Work<T> work) {
        boolean outermost;
        try {
            outermost = connection.getAutoCommit() && !inTransaction;
            if (outermost) {
                exec(begin);
                inTransaction = true;
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
        if (!outermost) {
            try {
                return work.run(); // a read inside a write: same transaction
            } catch (SQLException e) {
                throw failure(what, e);
            }
        }
        boolean committed = false;
        try {
            T result = work.run();
            exec("COMMIT");
            committed = true;
            return result;
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            inTransaction = false;
            if (!committed) {
                try {
                    exec("ROLLBACK");
                } catch (SQLException ignored) {
                    // Nothing was open (BEGIN or COMMIT itself failed); the original error matters.
                }
            }
        }
    }

    private boolean inTransaction;

    private void exec(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    private ResultSet query(String sql, Object... parameters) throws SQLException {
        PreparedStatement s = connection.prepareStatement(sql);
        bind(s, parameters);
        s.closeOnCompletion();
        return s.executeQuery();
    }

    private List<Long> longs(String sql, Object... parameters) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (ResultSet rs = query(sql, parameters)) {
            while (rs.next()) {
                values.add(rs.getLong(1));
            }
        }
        return values;
    }

    private long insert(String sql, Object... parameters) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            bind(s, parameters);
            s.executeUpdate();
        }
        return StoreAssigner.firstLong(connection, "SELECT last_insert_rowid()");
    }

    private int update(String sql, Object... parameters) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            bind(s, parameters);
            return s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            s.setObject(i + 1, parameters[i]);
        }
    }

    private long now() {
        return clock.millis();
    }

    private FeedbackStoreException failure(String what, SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        String why = primary == 5 || primary == 6 // SQLITE_BUSY, SQLITE_LOCKED
                ? "the database stayed locked for " + BUSY_TIMEOUT.toSeconds() + " s by another writer"
                : e.getMessage();
        return new FeedbackStoreException("feedback database " + file + ": " + what + " failed: " + why, e);
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
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new FeedbackStoreException("feedback database " + file + ": close failed: " + e.getMessage(), e);
        }
    }
}
