package org.jalign.eval;

import org.jalign.lm.GeneratedSequence;
import org.jalign.lm.LanguageModel;
import org.jalign.run.ProgressBar;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Before vs after: every policy samples completions for the same prompts with the same seeded
 * settings, and is measured on them.
 *
 * <ol>
 *   <li>Roll out ({@link #rollOut}), one policy at a time: generate {@code samplesPerPrompt}
 *       completions per prompt in batches of prompts (each (prompt, sample) has its own seeded
 *       stream, so batching never changes a completion).</li>
 *   <li>KL: a fresh forward of prompt + completion through the policy and the reference, both at
 *       the sampling temperature; per completion k1 and k3 of {@link KlEstimate} over its tokens
 *       (EOS included, nothing after it).</li>
 *   <li>Score every completion with every {@link Scorer}, in batches.</li>
 *   <li>Compare ({@link #compare}): per policy each score's mean ± s.e. and flagged share (Wilson
 *       interval), length, EOS share, distinct-1/2, KL mean ± s.e.; per non-baseline policy its
 *       win rate against the baseline by every scorer and every {@link PairwiseJudge}.</li>
 * </ol>
 * {@link #run} does all of it from directories and writes a run directory (see
 * {@link EvaluationRun}).
 */
public final class PolicyEvaluation {

    /** A loaded policy under its name. */
    public record Candidate(String name, LanguageModel model) {
        public Candidate {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(model, "model");
        }
    }

    /** A prompt as shown to people ({@code text}) and as the policies read it ({@code ids}). */
    public record EvaluationPrompt(String text, int[] ids) {
        public EvaluationPrompt {
            if (ids == null || ids.length == 0) {
                throw new IllegalArgumentException("a prompt needs at least one token id");
            }
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }
    }

    /** A named {@link PairwiseJudge}. */
    public record Judge(String name, PairwiseJudge judge) {
        public Judge {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(judge, "judge");
        }
    }

    /**
     * One policy's completions, prompt-major (prompt 0's samples, then prompt 1's, ...), with
     * their text, scores {@code [scorer][row]} and per-completion KL estimates (NaN without a
     * reference).
     */
    public record Rollout(String name, List<GeneratedSequence> sequences, List<String> texts, double[][] scores,
                          double[] klK1, double[] klK3) {
        public Rollout {
            sequences = List.copyOf(sequences);
            texts = List.copyOf(texts);
            if (texts.size() != sequences.size() || klK1.length != sequences.size() || klK3.length != sequences.size()) {
                throw new IllegalArgumentException("rollout " + name + ": texts, KL and sequences differ in length");
            }
            for (double[] s : scores) {
                if (s.length != sequences.size()) {
                    throw new IllegalArgumentException("rollout " + name + ": a scorer gave " + s.length + " scores for "
                            + sequences.size() + " completions");
                }
            }
        }
    }

    private PolicyEvaluation() {
    }

    /**
     * The whole evaluation from directories, written to the run directory {@code out}
     * (manifest.json, summary.json, samples.jsonl, rollouts/); see {@link EvaluationRun}.
     *
     * @param resume continue a run in {@code out}: policies whose rollout was saved are not sampled again
     */
    public static EvaluationResult run(EvaluationConfig config, Path out, boolean resume, boolean quiet, PrintWriter err)
            throws IOException {
        return EvaluationRun.run(config, List.of(), List.of(), out, resume, quiet, err);
    }

    /**
     * As {@link #run(EvaluationConfig, Path, boolean, boolean, PrintWriter)}, with more scorers
     * after the reward model's and the classifier's: rules of the caller's own (the demo's toxicity
     * word list, say). Their names go into the manifest; a resumed run must be given the same ones.
     */
    public static EvaluationResult run(EvaluationConfig config, List<Scorer> extraScorers, Path out, boolean resume,
                                       boolean quiet, PrintWriter err) throws IOException {
        return EvaluationRun.run(config, extraScorers, List.of(), out, resume, quiet, err);
    }

    /** As {@link #run(EvaluationConfig, List, Path, boolean, boolean, PrintWriter)}, with win rates by {@code judges} too. */
    public static EvaluationResult run(EvaluationConfig config, List<Scorer> extraScorers, List<Judge> judges, Path out,
                                       boolean resume, boolean quiet, PrintWriter err) throws IOException {
        return EvaluationRun.run(config, extraScorers, judges, out, resume, quiet, err);
    }

    /** Steps 1–4 on models already loaded. {@code reference} may be null (no KL). */
    public static EvaluationResult evaluate(List<Candidate> policies, String baseline, LanguageModel reference,
                                            List<EvaluationPrompt> prompts, List<Scorer> scorers, List<Judge> judges,
                                            SamplingSettings sampling, PrintWriter err, boolean quiet) {
        List<Rollout> rollouts = new ArrayList<>();
        for (Candidate c : policies) {
            rollouts.add(rollOut(c, reference, prompts, scorers, sampling, err, quiet));
        }
        return compare(baseline, rollouts, prompts, scorers, judges, sampling);
    }

    /** Steps 1–3 for one policy. */
    public static Rollout rollOut(Candidate policy, LanguageModel reference, List<EvaluationPrompt> prompts,
                                  List<Scorer> scorers, SamplingSettings sampling, PrintWriter err, boolean quiet) {
        LanguageModel model = policy.model();
        if (reference != null && reference.config().vocabSize() != model.config().vocabSize()) {
            throw new IllegalArgumentException("policy " + policy.name() + " has " + model.config().vocabSize()
                    + " tokens in its vocabulary but the reference has " + reference.config().vocabSize()
                    + "; the KL compares log-probs of the same token ids, so they must share one tokenizer");
        }
        int perPrompt = sampling.samplesPerPrompt();
        int rows = prompts.size() * perPrompt;
        List<GeneratedSequence> sequences = new ArrayList<>(rows);
        double[] k1 = new double[rows];
        double[] k3 = new double[rows];
        double[][] scores = new double[scorers.size()][rows];
        try (ProgressBar bar = new ProgressBar("eval " + policy.name(), prompts.size(), err, quiet)) {
            for (int from = 0; from < prompts.size(); from += sampling.batchSize()) {
                int to = Math.min(prompts.size(), from + sampling.batchSize());
                List<int[]> promptIds = new ArrayList<>(to - from);
                for (EvaluationPrompt p : prompts.subList(from, to)) {
                    promptIds.add(p.ids());
                }
                // 1. generate
                List<GeneratedSequence> batch = model.generate(promptIds, sampling.generationConfig(), from);
                int first = sequences.size();
                sequences.addAll(batch);
                // 2. KL at the sampling temperature
                if (reference != null) {
                    double[][] kl = klEstimates(model, reference, batch, sampling.temperature());
                    System.arraycopy(kl[0], 0, k1, first, batch.size());
                    System.arraycopy(kl[1], 0, k3, first, batch.size());
                } else {
                    Arrays.fill(k1, first, first + batch.size(), Double.NaN);
                    Arrays.fill(k3, first, first + batch.size(), Double.NaN);
                }
                // 3. scores
                List<int[]> batchPrompts = new ArrayList<>(batch.size());
                List<int[]> batchCompletions = new ArrayList<>(batch.size());
                for (GeneratedSequence s : batch) {
                    batchPrompts.add(s.promptIds());
                    batchCompletions.add(s.completionIds());
                }
                for (int k = 0; k < scorers.size(); k++) {
                    float[] values = scorers.get(k).function().score(batchPrompts, batchCompletions);
                    if (values.length != batch.size()) {
                        throw new IllegalStateException("scorer " + scorers.get(k).name() + " returned " + values.length
                                + " scores for " + batch.size() + " completions");
                    }
                    for (int i = 0; i < values.length; i++) {
                        scores[k][first + i] = values[i];
                    }
                }
                bar.advance(to - from);
            }
        }
        List<String> texts = new ArrayList<>(rows);
        for (GeneratedSequence s : sequences) {
            texts.add(decode(model, s.completionIds()));
        }
        return new Rollout(policy.name(), sequences, texts, scores, k1, k3);
    }

    /** {k1[], k3[]} of each completion in {@code batch}: log-probs of its tokens under both models. */
    static double[][] klEstimates(LanguageModel policy, LanguageModel reference, List<GeneratedSequence> batch,
                                  double temperature) {
        List<int[]> whole = new ArrayList<>(batch.size());
        for (GeneratedSequence s : batch) {
            int[] prompt = s.promptIds();
            int[] completion = s.completionIds();
            int[] all = Arrays.copyOf(prompt, prompt.length + completion.length);
            System.arraycopy(completion, 0, all, prompt.length, completion.length);
            whole.add(all);
        }
        float[][] policyLogProbs = policy.score(whole, temperature).logProbs();
        float[][] referenceLogProbs = reference.score(whole, temperature).logProbs();
        double[][] out = new double[2][batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            int length = batch.get(i).completionIds().length;
            float[] p = tail(policyLogProbs[i], length);
            float[] r = tail(referenceLogProbs[i], length);
            out[0][i] = KlEstimate.k1(p, r);
            out[1][i] = KlEstimate.k3(p, r);
        }
        return out;
    }

    /** The log-probs of the last {@code length} tokens: logProbs[i] scores token i + 1. */
    private static float[] tail(float[] logProbs, int length) {
        return Arrays.copyOfRange(logProbs, logProbs.length - length, logProbs.length);
    }

    /** The completion's text with special tokens skipped, or its ids when the model has no tokenizer. */
    static String decode(LanguageModel model, int[] ids) {
        return model.tokenizer().map(t -> t.decode(ids, true)).orElse(Arrays.toString(ids));
    }

    /** Step 4 (see {@link Comparison}). */
    public static EvaluationResult compare(String baseline, List<Rollout> rollouts, List<EvaluationPrompt> prompts,
                                           List<Scorer> scorers, List<Judge> judges, SamplingSettings sampling) {
        return Comparison.compare(baseline, rollouts, prompts, scorers, judges, sampling);
    }
}
