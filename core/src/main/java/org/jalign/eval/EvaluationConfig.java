package org.jalign.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One evaluation ({@code jalign eval compare}): the policies by name, which of them is the
 * baseline, the reference model of the KL, the prompts, the scorers and how to sample.
 *
 * @param reference    the KL's π_ref; null = the baseline's directory
 * @param rewardModel  a reward model directory ({@code reward train}'s final/), or null
 * @param classifier   a classifier whose class probability is scored and flagged, or null
 */
public record EvaluationConfig(List<PolicySource> policies, String baseline, Path reference, Path prompts,
                               Path rewardModel, ClassifierSource classifier, PromptFormat promptFormat,
                               SamplingSettings sampling) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** A policy to evaluate: a model directory, or a LoRA adapter directory whose base it names. */
    public record PolicySource(String name, Path dir) {
        public PolicySource {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("policy name \"" + name + "\" must be letters, digits, '_', '.' or '-' "
                        + "(it names files and columns), as in --policy sft=runs/sft/final");
            }
            if (dir == null) {
                throw new IllegalArgumentException("policy " + name + " needs a directory");
            }
        }

        /** {@code NAME=DIR}, the command line's form. */
        public static PolicySource parse(String spec) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("--policy \"" + spec + "\" must be NAME=DIR, e.g. before=runs/sft/final");
            }
            return new PolicySource(spec.substring(0, eq), Path.of(spec.substring(eq + 1)));
        }
    }

    /**
     * A sequence classifier's class, scored as its probability p(class) and flagged at p ≥ threshold.
     *
     * @param direction LOWER_IS_BETTER for a class to avoid (toxic), HIGHER_IS_BETTER for one to seek
     */
    public record ClassifierSource(Path dir, String label, double threshold, Direction direction) {
        public ClassifierSource {
            if (dir == null || label == null || direction == null) {
                throw new IllegalArgumentException("--classifier needs --class LABEL");
            }
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException("--flag-threshold must be in (0, 1), got " + threshold);
            }
        }
    }

    public EvaluationConfig {
        if (policies == null || policies.isEmpty()) {
            throw new IllegalArgumentException("eval compare needs at least one --policy NAME=DIR");
        }
        policies = List.copyOf(policies);
        Set<String> names = new HashSet<>();
        for (PolicySource p : policies) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("policy name \"" + p.name() + "\" is given twice; names must differ");
            }
        }
        if (baseline == null) {
            baseline = policies.get(0).name();
        }
        if (!names.contains(baseline)) {
            throw new IllegalArgumentException("--baseline \"" + baseline + "\" is not one of the policies " + names);
        }
        if (prompts == null) {
            throw new IllegalArgumentException("eval compare needs --prompts FILE");
        }
        if (promptFormat == null) {
            promptFormat = PromptFormat.AUTO;
        }
        if (sampling == null) {
            sampling = SamplingSettings.defaults();
        }
    }

    /** The baseline's source. */
    public PolicySource baselineSource() {
        return policies.stream().filter(p -> p.name().equals(baseline)).findFirst().orElseThrow();
    }

    /** The KL's reference directory: {@link #reference} or the baseline's. */
    public Path referenceDir() {
        return reference != null ? reference : baselineSource().dir();
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        JsonArray ps = new JsonArray();
        for (PolicySource p : policies) {
            JsonObject j = new JsonObject();
            j.addProperty("name", p.name());
            j.addProperty("dir", p.dir().toString());
            ps.add(j);
        }
        o.add("policies", ps);
        o.addProperty("baseline", baseline);
        o.addProperty("reference", referenceDir().toString());
        o.addProperty("prompts", prompts.toString());
        o.addProperty("rewardModel", rewardModel == null ? null : rewardModel.toString());
        if (classifier != null) {
            o.addProperty("classifier", classifier.dir().toString());
            o.addProperty("classifierLabel", classifier.label());
            o.addProperty("flagThreshold", classifier.threshold());
            o.addProperty("classifierDirection", classifier.direction().name().toLowerCase(Locale.ROOT));
        }
        o.addProperty("promptFormat", promptFormat.name().toLowerCase(Locale.ROOT));
        o.add("sampling", sampling.toJson());
        return o;
    }
}
