package org.jalign.feedback;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads the store's rows into its records; runs inside a transaction of {@link StoreConnection}. */
final class StoreRows {
    private final StoreConnection db;
    private final String file;

    StoreRows(StoreConnection db, String file) {
        this.db = db;
        this.file = file;
    }


    StoredAssignment assignmentView(StoredSet set, long promptId, long labelerId) throws SQLException {
        String promptText;
        String order;
        long assignedAt;
        try (ResultSet rs = db.query("""
                SELECT p.text, a.display_order, a.assigned_at FROM assignment a JOIN prompt p ON p.id = a.prompt_id
                WHERE a.prompt_id = ? AND a.labeler_id = ?""", promptId, labelerId)) {
            rs.next();
            promptText = rs.getString(1);
            order = rs.getString(2);
            assignedAt = rs.getLong(3);
        }
        Map<Long, String> texts = new HashMap<>();
        try (ResultSet rs = db.query("SELECT id, text FROM completion WHERE prompt_id = ?", promptId)) {
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

    List<StoredLabel> labelsWhere(String condition, Object... parameters) throws SQLException {
        List<StoredLabel> labels = new ArrayList<>();
        try (ResultSet rs = db.query("""
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

    List<StoredThumb> thumbsWhere(String condition, Object... parameters) throws SQLException {
        List<StoredThumb> thumbs = new ArrayList<>();
        try (ResultSet rs = db.query("""
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

    StoredSet requireSet(long setId) throws SQLException {
        try (ResultSet rs = db.query("""
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

    StoredLabeler requireLabeler(long labelerId) throws SQLException {
        try (ResultSet rs = db.query("SELECT id, name, role, disabled, created_at, invite_used_at FROM labeler WHERE id = ?",
                labelerId)) {
            if (!rs.next()) {
                throw new IllegalArgumentException("there is no labeler " + labelerId + " in " + file);
            }
            long used = rs.getLong(6);
            boolean unused = rs.wasNull(); // right after reading column 6: wasNull reports the last column read
            return new StoredLabeler(rs.getLong(1), rs.getString(2), StoredLabeler.Role.valueOf(rs.getString(3)),
                    rs.getInt(4) == 1, Instant.ofEpochMilli(rs.getLong(5)), unused ? null : Instant.ofEpochMilli(used));
        }
    }

    void requireActive(long labelerId) throws SQLException {
        if (requireLabeler(labelerId).disabled()) {
            throw new LabelerDisabledException("labeler " + labelerId + " is disabled");
        }
    }

    void requireInstructionsVersion(long setId, int version) throws SQLException {
        if (db.firstLong( "SELECT version FROM instructions WHERE set_id = ? AND version = ?",
                setId, version) < 0) {
            throw new IllegalArgumentException("set " + setId + " has no instructions version " + version
                    + "; submit the version the labeling page showed");
        }
    }

    StoredInstructions instructions(long setId, int version) throws SQLException {
        try (ResultSet rs = db.query("SELECT text, created_at FROM instructions WHERE set_id = ? AND version = ?",
                setId, version)) {
            if (!rs.next()) {
                throw new IllegalArgumentException("set " + setId + " has no instructions version " + version);
            }
            return new StoredInstructions(setId, version, rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)));
        }
    }
}
