package org.jalign.spark;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.jalign.reward.ScoreLine;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * One partition of the {@code score} job, on an executor: 1 the JVM's cached scoring model,
 * 2 per batch (the CLI's batches, so padding and rounding match): parse and encode its lines,
 * 3 one batched forward, 4 each input line with its reward.
 */
final class ScorePartition implements FlatMapFunction<Iterator<Tuple2<Long, InputLine>>, String> {
    private final ScoreSettings settings;

    ScorePartition(ScoreSettings settings) {
        this.settings = settings;
    }

    @Override
    public Iterator<String> call(Iterator<Tuple2<Long, InputLine>> rows) {
        if (!rows.hasNext()) {
            return Collections.emptyIterator();
        }
        // 1. once per executor JVM (the key holds every option that changes what is loaded)
        ScoringModel model = ModelCache.get("score " + settings.model() + " " + settings.rewardModel() + " "
                + settings.label() + " " + settings.mode() + " " + settings.batchSize(), () -> ScoringModel.load(settings));
        return Batches.map(rows, settings.batchSize(), batch -> score(model, batch));
    }

    private static List<String> score(ScoringModel model, List<InputLine> batch) {
        synchronized (model) {   // one task at a time per model (see ModelCache)
            // 2. the sequences
            List<ScoreLine> items = new ArrayList<>(batch.size());
            List<int[]> sequences = new ArrayList<>(batch.size());
            for (InputLine line : batch) {
                ScoreLine item = ScoreLine.parse(line.parse());
                items.add(item);
                sequences.add(model.encode(item));
            }
            // 3. one forward
            float[] rewards = model.rewards(sequences);
            // 4. the lines
            List<String> lines = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                lines.add(Batches.toLine(items.get(i).withReward(rewards[i])));
            }
            return lines;
        }
    }
}
