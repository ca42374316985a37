package org.jalign.feedback;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A ranking as the store keeps it: each completion (by its database id) either has a rank, 1 =
 * best, equal ranks being ties, or is flagged as nonsensical / unrankable.
 *
 * <p>Stored as canonical JSON, keys in ascending id order: {@code {"17":1,"18":1,"19":"flag"}}.
 * Canonical so that a retried submission compares equal byte for byte.
 *
 * @param ranks   completion id → rank (1 = best)
 * @param flagged completion ids flagged instead of ranked
 */
public record StoredRanking(SortedMap<Long, Integer> ranks, Set<Long> flagged) {

    /** The JSON value that marks a flagged completion. */
    public static final String FLAG = "flag";

    public StoredRanking {
        if (ranks == null || flagged == null) {
            throw new IllegalArgumentException("ranking.ranks and ranking.flagged must not be null");
        }
        ranks.forEach((id, rank) -> {
            if (id == null || rank == null) {
                throw new IllegalArgumentException("ranking has a null completion id or rank");
            }
            if (rank < 1) {
                throw new IllegalArgumentException("completion " + id + " has rank " + rank + "; ranks start at 1 (best)");
            }
        });
        for (Long id : flagged) {
            if (ranks.containsKey(id)) {
                throw new IllegalArgumentException("completion " + id + " is both ranked (rank " + ranks.get(id)
                        + ") and flagged; a flagged completion carries no rank");
            }
        }
        ranks = Collections.unmodifiableSortedMap(new TreeMap<>(ranks));
        flagged = Collections.unmodifiableSortedSet(new TreeSet<>(flagged));
    }

    /** A ranking from ranks and flags given as plain maps and sets. */
    public static StoredRanking of(Map<Long, Integer> ranks, Collection<Long> flagged) {
        return new StoredRanking(new TreeMap<>(ranks), new TreeSet<>(flagged));
    }

    /** Every completion the ranking mentions, ranked or flagged, in ascending id order. */
    public Set<Long> completionIds() {
        TreeSet<Long> ids = new TreeSet<>(ranks.keySet());
        ids.addAll(flagged);
        return Collections.unmodifiableSet(ids);
    }

    /**
     * Checks that this ranks or flags exactly {@code completionIds} (a prompt's completions) and
     * that every rank is at most their number.
     */
    void requireCovers(Collection<Long> completionIds, String what) {
        Set<Long> expected = new TreeSet<>(completionIds);
        Set<Long> given = completionIds();
        if (!given.equals(expected)) {
            Set<Long> missing = new TreeSet<>(expected);
            missing.removeAll(given);
            Set<Long> unknown = new TreeSet<>(given);
            unknown.removeAll(expected);
            throw new IllegalArgumentException(what + " must rank or flag each of completions " + expected
                    + (missing.isEmpty() ? "" : "; missing " + missing)
                    + (unknown.isEmpty() ? "" : "; not completions of this prompt: " + unknown));
        }
        int n = expected.size();
        ranks.forEach((id, rank) -> {
            if (rank > n) {
                throw new IllegalArgumentException(what + ": completion " + id + " has rank " + rank
                        + " but " + n + " completions have ranks 1 (best) to " + n);
            }
        });
    }

    /** Canonical JSON, keys in ascending completion id. */
    public String toJson() {
        JsonObject json = new JsonObject();
        for (Long id : completionIds()) {
            Integer rank = ranks.get(id);
            json.add(Long.toString(id), rank != null ? new JsonPrimitive(rank) : new JsonPrimitive(FLAG));
        }
        return json.toString();
    }

    /** Reads {@link #toJson()}'s format; fails with a message naming the bad entry. */
    public static StoredRanking fromJson(String text) {
        JsonObject json;
        try {
            json = JsonParser.parseString(text).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("a stored ranking is not a JSON object: " + text);
        }
        TreeMap<Long, Integer> ranks = new TreeMap<>();
        TreeSet<Long> flagged = new TreeSet<>();
        for (Map.Entry<String, JsonElement> entry : json.entrySet()) {
            long id;
            try {
                id = Long.parseLong(entry.getKey());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("stored ranking key \"" + entry.getKey() + "\" is not a completion id");
            }
            JsonElement value = entry.getValue();
            if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString() && FLAG.equals(value.getAsString())) {
                flagged.add(id);
            } else if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
                ranks.put(id, value.getAsInt());
            } else {
                throw new IllegalArgumentException("stored ranking value for completion " + id + " is " + value
                        + "; expected a rank or \"" + FLAG + "\"");
            }
        }
        return new StoredRanking(ranks, flagged);
    }
}
