package org.jalign.spark;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.jalign.lm.GeneratedSequence;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.PromptLine;
import org.jalign.lm.TextTokenizer;
import scala.Tuple2;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One partition of the {@code generate} job, on an executor: 1 the JVM's cached model,
 * 2 per batch: parse and tokenize its prompts, 3 decode them in one {@code Generator} call whose
 * first prompt index is the batch's global index (so each sample's generator is seeded exactly
 * as the CLI seeds it), 4 the completion lines, prompt-major, as the CLI writes them.
 */
final class GeneratePartition implements FlatMapFunction<Iterator<Tuple2<Long, InputLine>>, String> {
    private final GenerateSettings settings;

    GeneratePartition(GenerateSettings settings) {
        this.settings = settings;
    }

    @Override
    public Iterator<String> call(Iterator<Tuple2<Long, InputLine>> rows) {
        if (!rows.hasNext()) {
            return java.util.Collections.emptyIterator();   // no model load for an empty partition
        }
        // 1. once per executor JVM
        LanguageModel model = ModelCache.get("generate " + settings.model(), () -> LanguageModel.load(Path.of(settings.model())));
        GenerationConfig config = settings.config();
        return Batches.map(rows, settings.batchSize(), batch -> generate(model, config, batch));
    }

    private List<String> generate(LanguageModel model, GenerationConfig config, List<InputLine> batch) {
        // One task at a time per model: the tokenizer and the decoder are shared by the JVM's tasks.
        synchronized (model) {
            // 2. prompts of this batch
            List<PromptLine> prompts = new ArrayList<>(batch.size());
            List<int[]> promptIds = new ArrayList<>(batch.size());
            for (InputLine line : batch) {
                PromptLine prompt = PromptLine.parse(line.parse());
                prompts.add(prompt);
                promptIds.add(prompt.promptIds(model, settings.model(), settings.maxNewTokens()));
            }
            // 3. one decode; firstPromptIndex fits an int: the driver refuses inputs of more lines
            int first = Math.toIntExact(batch.get(0).index());
            List<GeneratedSequence> sequences = model.generate(promptIds, config, first);
            // 4. the lines
            Optional<TextTokenizer> tokenizer = model.tokenizer();
            List<String> lines = new ArrayList<>(sequences.size());
            for (GeneratedSequence sequence : sequences) {
                int local = sequence.promptIndex() - first;
                lines.add(Batches.toLine(prompts.get(local).completionLine(promptIds.get(local), sequence, tokenizer)));
            }
            return lines;
        }
    }
}
