package org.jalign.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * No NDArray outlives the call that made it: after warm-up, the arrays on a model's manager are
 * its weights and constants, and generating or scoring any number of times adds none.
 *
 * <p>Why this can break: DJL puts the result of {@code a.op(b)} on {@code a}'s manager, so an op
 * whose first operand is a weight (W·X projections, the LM head) lands on the model's long-lived
 * manager unless it is re-attached to the call's scope; likewise an array created on
 * {@code model.manager()} instead of a sub-manager. Neither shows in a result, only in memory
 * that grows with every call.
 *
 * <p>How it is counted: {@link NDManager#getManagedArrays()} of DJL 0.36's {@code BaseNDManager}
 * walks the manager's resources and recurses into every open sub-manager, so arrays held by a
 * forgotten {@code newSubManager()} are counted too ({@link #theCountIncludesArraysOfSubManagers}
 * pins that down). Not counted: an empty sub-manager left open, and arrays on a base manager of
 * their own ({@code NDManager.newBaseManager()} is not under the model's manager).
 *
 * <p>The workload: every kind of call ({@link #CALLS}) twice to warm up, then {@value #MEASURED_CALLS}
 * more cycling through the kinds, the count checked after each, on every {@link Architecture}.
 */
class LeakTest {
    private static final long SEED = 23;
    private static final int MAX_NEW_TOKENS = 12;
    private static final int WARM_UP_ROUNDS = 2;
    private static final int MEASURED_CALLS = 20;

    private static int[] tokens(int length, long seed) {
        return new SplittableRandom(seed).ints(length, 3, 61).toArray();
    }

    /** Three prompts of different lengths, so the batch is left-padded. */
    private static final List<int[]> PROMPTS = List.of(tokens(2, 1), tokens(7, 2), tokens(4, 3));

    /** Sequences to score, including a 2-token one (a single log-prob). */
    private static final List<int[]> SEQUENCES = List.of(tokens(3, 4), tokens(11, 5), tokens(6, 6), tokens(2, 7));

    @Test
    void theCountIncludesArraysOfSubManagers() {
        try (LanguageModel model = TinyModels.create(TinyModels.config(Architecture.LLAMA), SEED)) {
            NDManager manager = model.decoder().manager();
            int weights = manager.getManagedArrays().size();
            assertThat(weights).isPositive();
            try (NDManager scope = manager.newSubManager(); NDManager step = scope.newSubManager()) {
                scope.zeros(new Shape(2));
                step.zeros(new Shape(3));
                step.zeros(new Shape(4));
                assertThat(manager.getManagedArrays()).hasSize(weights + 3);
            }
            assertThat(manager.getManagedArrays()).hasSize(weights);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void generatingAndScoringLeaveNoArraysOnTheModelsManager(Architecture architecture) {
        int eos = eosThatStopsSomeRowsEarly(architecture);
        ModelConfig config = TinyModels.config(architecture).withSpecialTokens(1, List.of(eos), 0);
        try (LanguageModel model = TinyModels.create(config, SEED)) {
            NDManager manager = model.decoder().manager();
            int atLoad = manager.getManagedArrays().size();
            boolean someFinishedEarly = false;
            boolean someRanToTheBudget = false;
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                for (Call call : CALLS) {
                    for (GeneratedSequence g : call.run().apply(model, round)) {
                        someFinishedEarly |= g.finishedByEos() && g.completionIds().length < MAX_NEW_TOKENS;
                        someRanToTheBudget |= !g.finishedByEos();
                    }
                }
            }
            // the workload must reach compaction (rows leaving the batch), else it tests less than it says
            assertThat(someFinishedEarly).as("some row stops at EOS before the budget").isTrue();
            assertThat(someRanToTheBudget).as("some row runs to the token budget").isTrue();

            int baseline = manager.getManagedArrays().size();
            List<String> grew = new ArrayList<>();
            for (int i = 0; i < MEASURED_CALLS; i++) {
                Call call = CALLS.get(i % CALLS.size());
                call.run().apply(model, WARM_UP_ROUNDS + i);
                int count = manager.getManagedArrays().size();
                if (count != baseline) {
                    grew.add("after call " + (i + 1) + " (" + call.name() + "): " + count);
                }
            }
            assertThat(grew)
                    .as("arrays on the model's manager: %d after load, %d after warm-up, then", atLoad, baseline)
                    .isEmpty();
        }
    }

    /** One call to the model; {@code round} varies the sampling seed. */
    private record Call(String name, BiFunction<LanguageModel, Integer, List<GeneratedSequence>> run) {
    }

    /**
     * Every path through generate and score: greedy with the on-device argmax, greedy through the
     * host sampler (repetition penalty), sampling with top-k/top-p, each with two samples per
     * prompt; scoring at two temperatures; calls rejected on bad input.
     */
    private static final List<Call> CALLS = List.of(
            new Call("greedy", (model, round) -> generated(model.generate(PROMPTS,
                    GenerationConfig.greedy(MAX_NEW_TOKENS).withNumReturnSequences(2), 0))),
            new Call("greedy with repetition penalty", (model, round) -> generated(model.generate(PROMPTS,
                    GenerationConfig.greedy(MAX_NEW_TOKENS).withRepetitionPenalty(1.3).withNumReturnSequences(2), 0))),
            new Call("sampling", (model, round) -> generated(model.generate(PROMPTS,
                    GenerationConfig.sampling(MAX_NEW_TOKENS, 1.0, round).withTopK(20).withTopP(0.9)
                            .withNumReturnSequences(2), 0))),
            new Call("score", (model, round) -> {
                assertThat(model.score(SEQUENCES, 1.0).logProbs().length).isEqualTo(SEQUENCES.size());
                return List.of();
            }),
            new Call("score at temperature 0.7", (model, round) -> {
                assertThat(model.score(SEQUENCES, 0.7).entropies().length).isEqualTo(SEQUENCES.size());
                return List.of();
            }),
            new Call("rejected input", (model, round) -> {
                assertThatThrownBy(() -> model.generate(List.of(new int[] {1, 61}), GenerationConfig.greedy(2), 0))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> model.logProbs(List.of(tokens(3, 8), new int[] {1})))
                        .isInstanceOf(IllegalArgumentException.class);
                return List.of();
            }));

    private static List<GeneratedSequence> generated(List<GeneratedSequence> sequences) {
        assertThat(sequences).hasSize(PROMPTS.size() * 2);
        return sequences;
    }

    /**
     * A token that greedy decoding (without EOS) emits early for prompt 0 and never for the
     * others: as EOS it stops prompt 0's rows after a few steps while the others continue, so a
     * quarter of the batch finishes and the batch is compacted.
     */
    private static int eosThatStopsSomeRowsEarly(Architecture architecture) {
        ModelConfig noEos = TinyModels.config(architecture).withSpecialTokens(1, List.of(), 0);
        try (LanguageModel free = TinyModels.create(noEos, SEED)) {
            List<GeneratedSequence> greedy = free.generate(PROMPTS, GenerationConfig.greedy(MAX_NEW_TOKENS), 0);
            int[] first = greedy.get(0).completionIds();
            for (int i = 1; i < first.length - 2; i++) {
                int candidate = first[i];
                boolean elsewhere = false;
                for (int p = 1; p < PROMPTS.size(); p++) {
                    for (int id : greedy.get(p).completionIds()) {
                        elsewhere |= id == candidate;
                    }
                }
                if (!elsewhere) {
                    return candidate;
                }
            }
            throw new AssertionError(architecture + ": no token of prompt 0's greedy completion is absent from "
                    + "the others'; choose other prompts or another seed");
        }
    }
}
