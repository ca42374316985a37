package org.jalign.sft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Packs rows into as few rows of at most {@code length} tokens as best-fit decreasing finds,
 * never splitting a row: TRL's {@code packing_strategy="bfd"} (its default since TRL 0.20),
 * which keeps every example whole so every target survives and no example's first target loses
 * its context to a row boundary.
 *
 * <p>Packed examples share a row without a reset of attention or positions: an example can attend
 * to the ones before it in the row. TRL avoids this with position ids for flash attention; jalign's
 * trainer has no such mask, so packing trades that cross-talk for fewer padding tokens. It is off
 * by default ({@link SftDataOptions}).
 */
public final class SftPacking {

    private SftPacking() {
    }

    /**
     * Rows of at most {@code length} tokens, each the concatenation of whole input rows; the order
     * is deterministic (longest first, ties by input order; bins in the order they were opened).
     *
     * @throws IllegalArgumentException when a row is longer than {@code length} (truncate first)
     */
    public static List<SftRow> pack(List<SftRow> rows, int length) {
        if (length < 2) {
            throw new IllegalArgumentException("packing length must be at least 2, got " + length);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).length() > length) {
                throw new IllegalArgumentException("row " + i + " has " + rows.get(i).length()
                        + " tokens, more than the packing length " + length + "; truncate before packing");
            }
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> -rows.get(i).length()).thenComparingInt(i -> i));

        List<List<SftRow>> bins = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        TreeMap<Integer, ArrayDeque<Integer>> binsByRoomLeft = new TreeMap<>();
        for (int i : order) {
            SftRow row = rows.get(i);
            Map.Entry<Integer, ArrayDeque<Integer>> best = binsByRoomLeft.ceilingEntry(row.length());
            int bin;
            if (best == null) {
                bin = bins.size();
                bins.add(new ArrayList<>());
                used.add(0);
            } else {
                bin = best.getValue().pollFirst();
                if (best.getValue().isEmpty()) {
                    binsByRoomLeft.remove(best.getKey());
                }
            }
            bins.get(bin).add(row);
            used.set(bin, used.get(bin) + row.length());
            binsByRoomLeft.computeIfAbsent(length - used.get(bin), k -> new ArrayDeque<>()).addLast(bin);
        }

        List<SftRow> packed = new ArrayList<>();
        for (int b = 0; b < bins.size(); b++) {
            int[] tokens = new int[used.get(b)];
            boolean[] targets = new boolean[used.get(b)];
            int at = 0;
            for (SftRow row : bins.get(b)) {
                System.arraycopy(row.tokens(), 0, tokens, at, row.length());
                System.arraycopy(row.targets(), 0, targets, at, row.length());
                at += row.length();
            }
            packed.add(new SftRow(tokens, targets));
        }
        return packed;
    }
}
