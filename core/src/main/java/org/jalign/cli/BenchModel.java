package org.jalign.cli;

import org.jalign.bench.SyntheticModels;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.TensorSource;
import org.jalign.lm.WeightLayout;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Path;

/** The model a benchmark runs: a Hugging Face directory or random weights of a synthetic size. */
final class BenchModel {

    static final class Choice {
        @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face model directory.")
        Path model;

        @Option(names = "--synthetic", paramLabel = "SPEC",
                description = "Random Llama weights of this size, e.g. hidden=512,layers=8,heads=8,vocab=8000 "
                        + "(also kv-heads, intermediate, positions).")
        String synthetic;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    /** What the report calls the model. */
    String name() {
        return choice.model != null ? choice.model.toString() : "synthetic " + choice.synthetic;
    }

    /** Loads the directory, or builds the synthetic model with weights N(0, 0.02) from {@code seed}. */
    LanguageModel load(long seed, CommandLine commandLine) throws IOException {
        if (choice.model != null) {
            Inputs.requireModelDir(choice.model);
            return LanguageModel.load(choice.model);
        }
        ModelConfig config;
        try {
            config = SyntheticModels.parse(choice.synthetic);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, e.getMessage());
        }
        return LanguageModel.of(config, TensorSource.of(WeightLayout.initialise(config, 0.02, seed),
                WeightLayout.shapes(config)));
    }
}
