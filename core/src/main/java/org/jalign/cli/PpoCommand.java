package org.jalign.cli;

import org.jalign.lm.lora.LoraConfig;
import org.jalign.ppo.PpoConfig;
import org.jalign.ppo.PpoTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jalign ppo}: RLHF with PPO against a reward model or a classifier's label. */
@Command(name = "ppo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a policy with PPO (Ziegler et al. 2019; TRL's PPOTrainer) to raise a reward",
            "while a per-token KL penalty keeps it near the initial model. Each step samples",
            "completions, scores them, shapes rewards -beta*(log pi - log pi_ref) with the score",
            "at the last token, runs GAE and PPO epochs over minibatches. Prompts JSONL, one a",
            "line: {\"prompt\": \"text\"} (BOS + tokens) or {\"prompt_ids\": [1, 2]}. Writes a run",
            "directory like `sft`; final/ holds the adapter (or the model) and value_head.safetensors;",
            "metrics.jsonl the reward and KL per step.", ""})
final class PpoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--policy", required = true, paramLabel = "DIR", description = "The model to train (usually an SFT model).")
    Path policy;

    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "Prompts (JSONL).")
    Path prompts;

    @Option(names = "--reward-model", paramLabel = "DIR", description = "A reward model (reward train's final/).")
    Path rewardModel;

    @Option(names = "--reward-classifier", paramLabel = "DIR", description = "A *ForSequenceClassification model; with --label.")
    Path rewardClassifier;

    @Option(names = "--label", paramLabel = "NAME", description = "The classifier's label whose logit is the reward.")
    String label;

    @Option(names = "--lora", paramLabel = "SPEC",
            description = "Train LoRA adapters (and the value head), e.g. r=8,alpha=16,targets=q_proj,v_proj; the reference is the base with adapters off. Without it every weight trains and a frozen copy is the reference.")
    String lora;

    @Option(names = "--merge", description = "With --lora, write the merged model to final/ instead of the adapter.")
    boolean merge;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "PPO steps at most (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--target-reward", paramLabel = "R", defaultValue = "NaN",
            description = "Stop once the mean reward of the last --reward-window steps reaches R (default: off).")
    double targetReward;

    @Option(names = "--reward-window", paramLabel = "N", defaultValue = "10", description = "Steps --target-reward averages (default: ${DEFAULT-VALUE}).")
    int rewardWindow;

    @Option(names = "--batch-size", paramLabel = "P", defaultValue = "8", description = "Prompts per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--num-return-sequences", paramLabel = "N", defaultValue = "1",
            description = "Completions per prompt (default: ${DEFAULT-VALUE}, OpenRLHF's n_samples_per_prompt).")
    int numReturnSequences;

    @Option(names = "--mini-batch-size", paramLabel = "M", defaultValue = "8", description = "Completions per optimizer step (default: ${DEFAULT-VALUE}).")
    int miniBatchSize;

    @Option(names = "--ppo-epochs", paramLabel = "E", defaultValue = "4", description = "Passes over each rollout (default: ${DEFAULT-VALUE}, TRL).")
    int ppoEpochs;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1.41e-5",
            description = "AdamW learning rate, constant (default: ${DEFAULT-VALUE}, TRL; LoRA wants ~1e-4 or more). Adam eps 1e-5, clip 1.0 (Huang et al. 2022).")
    double learningRate;

    @Option(names = "--init-kl-coef", paramLabel = "B", defaultValue = "0.2", description = "Initial KL coefficient beta (default: ${DEFAULT-VALUE}, TRL).")
    double initKlCoef;

    @Option(names = "--target-kl", paramLabel = "K", defaultValue = "6",
            description = "Adaptive beta aims for this KL per response; 0 keeps beta fixed (default: ${DEFAULT-VALUE}, Ziegler et al. / TRL).")
    double targetKl;

    @Option(names = "--kl-horizon", paramLabel = "H", defaultValue = "10000", description = "Adaptive controller horizon (default: ${DEFAULT-VALUE}, TRL).")
    double klHorizon;

    @Option(names = "--gamma", paramLabel = "G", defaultValue = "1.0", description = "Discount (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--lam", paramLabel = "L", defaultValue = "0.95", description = "GAE lambda (default: ${DEFAULT-VALUE}).")
    double lam;

    @Option(names = "--cliprange", paramLabel = "E", defaultValue = "0.2", description = "Ratio clip (default: ${DEFAULT-VALUE}).")
    double clipRange;

    @Option(names = "--cliprange-value", paramLabel = "E", defaultValue = "0.2", description = "Value clip (default: ${DEFAULT-VALUE}).")
    double clipRangeValue;

    @Option(names = "--vf-coef", paramLabel = "C", defaultValue = "0.1", description = "Value loss weight (default: ${DEFAULT-VALUE}, TRL).")
    double vfCoef;

    @Option(names = "--ent-coef", paramLabel = "C", defaultValue = "0.0", description = "Entropy bonus weight (default: ${DEFAULT-VALUE}, as TRL and OpenRLHF).")
    double entCoef;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "64", description = "Tokens per completion at most (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.7",
            description = "Sampling temperature, also applied to the training log-probs (default: ${DEFAULT-VALUE}, lm-human-preferences).")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample from the K likeliest tokens; 0 = off (default).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "Nucleus sampling; 1 = off (default).")
    double topP;

    @Option(names = "--missing-eos-penalty", paramLabel = "P", defaultValue = "NaN",
            description = "A completion cut by --max-new-tokens without EOS gets the fixed score -P (Huang et al. 2022 use P = 1; default: off).")
    double missingEosPenalty;

    @Option(names = "--score-clip", paramLabel = "C", defaultValue = "NaN", description = "Clip scores to [-C, C] (OpenRLHF: 10; default: off).")
    double scoreClip;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed for sampling, order and adapters (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        PpoTraining.Config c;
        try {
            if ((rewardModel == null) == (rewardClassifier == null)) {
                throw new IllegalArgumentException("give exactly one reward: --reward-model DIR or --reward-classifier DIR --label NAME");
            }
            if (rewardClassifier != null && label == null) {
                throw new IllegalArgumentException("--reward-classifier needs --label NAME (the class whose logit is the reward)");
            }
            if (rewardModel != null && label != null) {
                throw new IllegalArgumentException("--label goes with --reward-classifier, not --reward-model");
            }
            if (!(targetKl >= 0)) {
                throw new IllegalArgumentException("--target-kl must be >= 0 (0 = fixed beta), got " + targetKl);
            }
            PpoConfig ppo = new PpoConfig(steps, targetReward, rewardWindow, batchSize, numReturnSequences, miniBatchSize,
                    ppoEpochs, learningRate, 1e-5, 1.0, initKlCoef, targetKl == 0 ? Double.NaN : targetKl, klHorizon, gamma,
                    lam, clipRange, clipRangeValue, vfCoef, entCoef, maxNewTokens, temperature, topK, topP,
                    Double.isNaN(missingEosPenalty) ? Double.NaN : -missingEosPenalty, scoreClip, false, seed);
            PpoTraining.RewardSource reward = rewardModel != null ? new PpoTraining.RewardSource.Model(rewardModel)
                    : new PpoTraining.RewardSource.Classifier(rewardClassifier, label);
            c = new PpoTraining.Config(policy, prompts, reward, lora == null ? null : LoraConfig.parse(lora), merge,
                    run.checkpointEvery, ppo);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Inputs.requireModelDir(policy);
        Inputs.requireModelDir(rewardModel != null ? rewardModel : rewardClassifier);
        if (!java.nio.file.Files.isRegularFile(prompts)) {
            throw new CliFailure("prompts file not found: " + prompts);
        }
        PpoTraining.Result r = PpoTraining.run(c, run.out, run.resume, run.quiet, spec.commandLine().getErr());
        spec.commandLine().getOut().printf(Locale.ROOT, "ppo: %d steps on %d prompts%s%s; %s; output in %s%n", r.steps(),
                r.prompts(), r.resumedFrom() > 0 ? " (resumed at step " + r.resumedFrom() + ")" : "",
                r.reachedTarget() ? ", stopped at the target reward" : "",
                r.last() == null ? "no step run" : String.format(Locale.ROOT, "last reward %.4f, kl %.4f, beta %.4f",
                        r.last().scoreMean(), r.last().klK1(), r.last().beta()), run.out.resolve("final"));
        return 0;
    }
}
