package org.jalign.feedback;

import com.google.gson.JsonArray;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks a labeler's next prompt. Runs inside the store's write transaction, so two labelers asking
 * at once are served one after the other and a prompt never goes to more than K of them.
 *
 * <ol>
 *   <li>An assignment the labeler has not labeled yet is handed out again (a reload or a second
 *       tab does not take more work).</li>
 *   <li>Gold or not: the labeler's n-th assignment is gold when
 *       {@code unit(mix(seed, labeler, n)) < goldRate}, a seeded coin, so gold items are mixed in at
 *       the configured rate without a pattern a labeler could learn.</li>
 *   <li>Gold: a gold prompt this labeler has not had, in a per-labeler seeded order; gold prompts
 *       do not count towards K (every labeler may get each one once). With none left, go on to 4.</li>
 *   <li>Ordinary: among prompts this labeler has not had and that fewer than K labelers hold, the
 *       one held by the most (so prompts reach K labels, and can be aggregated, before new ones
 *       are opened), then by the seeded {@code shuffle_key}. A skip gives the slot back: it is
 *       not one of the K rankings.</li>
 *   <li>The completions' display order: a seeded shuffle per (prompt, labeler), fixed in the
 *       assignment so the page looks the same on reload.</li>
 * </ol>
 */
final class StoreAssigner {
    private static final long GOLD_TAG = 0x601d;

    private StoreAssigner() {
    }

    /** Step 1: the prompt of an open (unlabeled) assignment, or -1. */
    static long openAssignment(Connection c, long setId, long labelerId) throws SQLException {
        return firstLong(c, "SELECT a.prompt_id FROM assignment a WHERE a.set_id = ? AND a.labeler_id = ? AND NOT "
                + DONE + " ORDER BY a.id LIMIT 1", setId, labelerId);
    }

    /**
     * SQL condition on an assignment row {@code a}: its labeler has answered it, with a label (ranked
     * or skipped) or, for a one-completion prompt, a thumbs rating.
     */
    static final String DONE = """
            (EXISTS (SELECT 1 FROM label l WHERE l.prompt_id = a.prompt_id AND l.labeler_id = a.labeler_id)
             OR EXISTS (SELECT 1 FROM thumb t JOIN completion c ON c.id = t.completion_id
                        WHERE c.prompt_id = a.prompt_id AND t.labeler_id = a.labeler_id))""";

    /** Steps 2-4: the prompt to assign next, or -1 when the labeler has nothing left to do. */
    static Pick pick(Connection c, StoredSet set, long labelerId) throws SQLException {
        long n = firstLong(c, "SELECT count(*) FROM assignment WHERE set_id = ? AND labeler_id = ?", set.id(), labelerId);
        boolean goldTurn = set.goldRate() > 0
                && StoreTokens.unit(StoreTokens.mix(set.seed(), labelerId, n, GOLD_TAG)) < set.goldRate();
        if (goldTurn) {
            long gold = pickGold(c, set, labelerId);
            if (gold >= 0) {
                return new Pick(gold, true);
            }
        }
        long prompt = firstLong(c, """
                SELECT id FROM (
                  SELECT p.id, p.shuffle_key,
                    (SELECT count(*) FROM assignment a WHERE a.prompt_id = p.id
                       AND NOT EXISTS (SELECT 1 FROM label l
                                       WHERE l.prompt_id = a.prompt_id AND l.labeler_id = a.labeler_id
                                         AND l.skipped = 1)) AS held
                  FROM prompt p
                  WHERE p.set_id = ? AND p.gold_ranking IS NULL
                    AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.prompt_id = p.id AND a.labeler_id = ?))
                WHERE held < ?
                ORDER BY held DESC, shuffle_key, id LIMIT 1""", set.id(), labelerId, set.overlap());
        return prompt >= 0 ? new Pick(prompt, false) : null;
    }

    record Pick(long promptId, boolean gold) {
    }

    private static long pickGold(Connection c, StoredSet set, long labelerId) throws SQLException {
        long best = -1;
        long bestKey = 0;
        try (PreparedStatement s = c.prepareStatement("""
                SELECT p.id, p.shuffle_key FROM prompt p
                WHERE p.set_id = ? AND p.gold_ranking IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.prompt_id = p.id AND a.labeler_id = ?)""")) {
            s.setLong(1, set.id());
            s.setLong(2, labelerId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long key = StoreTokens.mix(rs.getLong(2), labelerId);
                    if (best < 0 || Long.compareUnsigned(key, bestKey) < 0) {
                        best = rs.getLong(1);
                        bestKey = key;
                    }
                }
            }
        }
        return best;
    }

    /** Step 5: the prompt's completion ids in this labeler's shuffled order, as a JSON array. */
    static String displayOrder(Connection c, long seed, long promptId, long labelerId) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM completion WHERE prompt_id = ? ORDER BY position")) {
            s.setLong(1, promptId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        SplittableRandom random = new SplittableRandom(StoreTokens.mix(seed, promptId, labelerId));
        for (int i = ids.size() - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            Long t = ids.get(i);
            ids.set(i, ids.get(j));
            ids.set(j, t);
        }
        JsonArray order = new JsonArray();
        ids.forEach(order::add);
        return order.toString();
    }

    static long firstLong(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
