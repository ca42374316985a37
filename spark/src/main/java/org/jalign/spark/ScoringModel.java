package org.jalign.spark;

import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.reward.ClassifierReward;
import org.jalign.reward.RewardModel;
import org.jalign.reward.ScoreLine;
import org.jalign.reward.ScoreLineEncoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A reward model or a classifier, loaded as {@code jalign reward score} loads it (steps 2 and 3
 * of {@code RewardScoreCommand}): which body, which tokenizer directory, which length limit, and
 * which function turns a batch of sequences into rewards. One per executor JVM ({@link ModelCache}).
 */
final class ScoringModel {
    private final ScoreSettings settings;
    private final RewardModel rewardModel;       // null for a classifier
    private final ClassifierReward classifier;   // null for a reward model
    private final ScoreLineEncoder encoder;

    private ScoringModel(ScoreSettings settings, RewardModel rewardModel, ClassifierReward classifier) {
        this.settings = settings;
        this.rewardModel = rewardModel;
        this.classifier = classifier;
        LanguageModel body;
        Path tokenizerDir;
        int maxLength;
        if (rewardModel != null) {
            body = rewardModel.languageModel();
            tokenizerDir = rewardModel.tokenizerDir();
            maxLength = rewardModel.maxLength();
        } else {
            body = classifier.languageModel();
            tokenizerDir = Path.of(settings.model());
            // GPT-2's learned positions end at n_positions; RoPE models have no hard limit.
            maxLength = body.config().architecture() == Architecture.GPT2 ? body.config().maxPositions() : 0;
        }
        encoder = new ScoreLineEncoder(body, tokenizerDir, maxLength, settings.model());
    }

    static ScoringModel load(ScoreSettings settings) throws IOException {
        Path dir = Path.of(settings.model());
        if (settings.rewardModel()) {
            RewardModel model = RewardModel.load(dir);
            model.setBatchSize(settings.batchSize());
            return new ScoringModel(settings, model, null);
        }
        ClassifierReward model = ClassifierReward.load(dir, settings.label(), settings.mode());
        model.setBatchSize(settings.batchSize());
        return new ScoringModel(settings, null, model);
    }

    /** The sequence to score: ids concatenated as given, text encoded as {@code reward train} encodes it. */
    int[] encode(ScoreLine item) {
        try {
            return encoder.encode(item);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One batch's rewards, in order. */
    float[] rewards(List<int[]> sequences) {
        if (rewardModel != null) {
            return settings.raw() ? rewardModel.rawRewards(sequences) : rewardModel.rewards(sequences);
        }
        return classifier.rewards(sequences);
    }
}
