package org.jalign.spark;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import scala.Tuple2;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A partition's lines (sorted by index, whole batches only: {@link BatchPartitioner}) cut back
 * into the CLI's batches {@code [b·B, (b+1)·B)}, and turned into output lines one batch at a time,
 * so a partition's output is never all in memory.
 */
final class Batches {

    // As org.jalign.data.JsonlWriter writes: nulls kept, "<" not escaped; so lines match byte for byte.
    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private Batches() {
    }

    /** One output line's text, exactly as {@code JsonlWriter} writes it (without the newline). */
    static String toLine(JsonObject object) {
        return GSON.toJson(object);
    }

    /**
     * Lazily maps each batch of {@code rows} to its output lines.
     *
     * @param rows      (index, line), ascending index
     * @param batchSize the CLI's batch size
     * @param perBatch  a batch's lines (ascending, contiguous indices) → its output lines, in order
     */
    static Iterator<String> map(Iterator<Tuple2<Long, InputLine>> rows, int batchSize,
                                Function<List<InputLine>, List<String>> perBatch) {
        return new Iterator<>() {
            private final Deque<String> ready = new ArrayDeque<>();
            private Tuple2<Long, InputLine> pending;   // the first row of the next batch, read ahead

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && (pending != null || rows.hasNext())) {
                    ready.addAll(perBatch.apply(nextBatch()));
                }
                return !ready.isEmpty();
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.removeFirst();
            }

            private List<InputLine> nextBatch() {
                List<InputLine> batch = new ArrayList<>(batchSize);
                Tuple2<Long, InputLine> first = pending != null ? pending : rows.next();
                pending = null;
                long number = first._1() / batchSize;
                batch.add(first._2());
                while (rows.hasNext()) {
                    Tuple2<Long, InputLine> row = rows.next();
                    if (row._1() / batchSize != number) {
                        pending = row;
                        break;
                    }
                    batch.add(row._2());
                }
                long expected = first._1();
                for (InputLine line : batch) {
                    // The partitioner's promise; a gap would shift every later prompt's seed.
                    if (line.index() != expected++) {
                        throw new IllegalStateException("batch " + number + " is not contiguous at index " + line.index()
                                + " (expected " + (expected - 1) + "): lines were not partitioned by BatchPartitioner");
                    }
                }
                return batch;
            }
        };
    }
}
