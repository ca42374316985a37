package org.jalign.pretrain;

import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.SpecialTokens;
import org.jalign.lm.TensorSource;
import org.jalign.lm.TextTokenizer;
import org.jalign.lm.WeightLayout;
import org.jalign.lm.optim.AdamWConfig;
import org.jalign.lm.train.CausalLmTrainer;
import org.jalign.lm.train.TrainingConfig;
import org.jalign.run.RunDirectory;
import org.jalign.run.TrainingRun;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pretrains a fresh model. Steps: 1 config and tokenizer (their vocabularies must agree), 2 the
 * run directory and manifest (compared on resume), 3 a model initialised from the seed, 4 the
 * corpus as a token stream, 5 {@link TrainingRun}, 6 the model saved in HF layout with the
 * tokenizer files into final/.
 */
public final class Pretraining {
    private Pretraining() {
    }

    public static TrainingRun.Result run(PretrainingConfig c, Path out, boolean resume, boolean quiet, PrintWriter err)
            throws IOException {
        // 1. config and tokenizer
        ModelConfig shape = ModelConfig.loadFile(c.modelConfig());
        if (!Files.isRegularFile(c.tokenizer().resolve("tokenizer.json"))) {
            throw new IOException("--tokenizer " + c.tokenizer() + " holds no tokenizer.json (make one with "
                    + "`jalign tokenizer train`)");
        }
        // the tokenizer's special tokens are written into the model's config
        ModelConfig config;
        try (var tokenizerOnly = org.jalign.lm.HfTokenizer.load(c.tokenizer())) {
            if (tokenizerOnly.vocabularySize() > shape.vocabSize()) {
                throw new IOException(c.modelConfig() + ": vocab_size " + shape.vocabSize() + " is smaller than the "
                        + "tokenizer's " + tokenizerOnly.vocabularySize() + " ids (" + c.tokenizer() + ")");
            }
            SpecialTokens special = SpecialTokens.resolve(c.tokenizer(), shape, tokenizerOnly);
            config = shape.withSpecialTokens(special.bosId(), special.eosIds(), special.padId());
        }
        // 2. the run directory, only once the inputs are known to fit (a resumed run must have the
        // same settings and inputs)
        RunDirectory dir = RunDirectory.start(out, resume, RunDirectory.manifest("pretrain", c.toJson(), c.seed(),
                Map.of("data", c.data(), "model_config", c.modelConfig(), "tokenizer", c.tokenizer().resolve("tokenizer.json"))));
        // 3. a model initialised from the seed
        try (LanguageModel model = LanguageModel.create(config,
                TensorSource.of(WeightLayout.initialise(config, c.initStd(), c.seed()), WeightLayout.shapes(config)),
                c.tokenizer())) {
            // 4. the corpus
            TextTokenizer tokenizer = model.tokenizer().orElseThrow();
            int eos = config.eosTokenIds().isEmpty() ? -1 : config.eosTokenIds().get(0);
            PretrainingCorpus corpus = PretrainingCorpus.read(c.data(), tokenizer, config.bosTokenId(), eos,
                    c.evalFraction());
            if (!quiet) {
                err.printf("corpus: %d documents, %d tokens (%.0f%% held out); model: %.2fM parameters%n",
                        corpus.documents(), corpus.tokens(), 100 * c.evalFraction(), config.parameterCount() / 1e6);
            }
            // 5. train
            TrainingConfig training = new TrainingConfig(c.steps(), Math.min(c.warmupSteps(), c.steps()),
                    TrainingConfig.Schedule.COSINE, 0.1,
                    new AdamWConfig(c.learningRate(), c.beta1(), c.beta2(), 1e-8, c.weightDecay()), c.maxGradNorm(),
                    c.accumulation());
            TrainingRun.Result result;
            try (CausalLmTrainer trainer = new CausalLmTrainer(model, training)) {
                List<org.jalign.lm.train.TokenBatch> eval = corpus.evalBatches(c.batchSize(), c.seqLen(), 64);
                result = TrainingRun.run(dir, trainer, step -> {
                    List<org.jalign.lm.train.TokenBatch> micro = new java.util.ArrayList<>();
                    for (int k = 0; k < c.accumulation(); k++) {
                        micro.add(corpus.batch(step * c.accumulation() + k, c.seed(), c.batchSize(), c.seqLen()));
                    }
                    return micro;
                }, eval.isEmpty() ? Optional.empty() : Optional.of(eval),
                        new TrainingRun.Options(c.steps(), c.seed(), c.checkpointEvery(), 2, c.evalEvery(), quiet), err);
            }
            // 6. the model
            model.save(dir.finalDir());
            return result;
        }
    }

}
