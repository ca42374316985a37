package org.jalign;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package architecture of STYLE.md ("Layout: packages are the architecture"), checked on the
 * main classes (tests may reach across packages to build fixtures).
 *
 * <pre>
 *   cli ──► stages (feedback, labeling, reward, sft, ppo, dpo, constitution, eval) ──► lm, data, run
 *    ├───► bench ──► lm
 *    └───► demo ──► stages (the embedded end-to-end demo orchestrates them)
 *   lm = lm root (seams, generation, log-probs) + families lm.llama, lm.gpt2 + lm.safetensors
 * </pre>
 *
 * <p>Rules name the stages that STYLE.md plans, not the ones that exist today, so each rule is
 * already in force when a stage package first appears; a rule that selects no classes yet passes
 * ({@code allowEmptyShould(true)}). {@link #everyTopLevelPackageHasAKnownRole} makes sure a new
 * package is given a place here instead of silently escaping every rule.
 */
class ArchitectureTest {
    private static final String ROOT = "org.jalign";

    /** The pipeline stages of STYLE.md, in pipeline order. */
    private static final List<String> STAGES =
            List.of("pretrain", "feedback", "labeling", "reward", "sft", "ppo", "dpo", "constitution", "eval");

    /** Packages below the stages: everything a stage may build on. */
    private static final List<String> FOUNDATIONS = List.of("lm", "data", "run");

    /** The entry points above the stages. */
    private static final List<String> TOOLS = List.of("cli", "bench", "demo");

    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    private static String pkg(String name) {
        return ROOT + "." + name + "..";
    }

    private static String[] pkgs(List<String> names) {
        return names.stream().map(ArchitectureTest::pkg).toArray(String[]::new);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void importFindsTheMainClasses() {
        // a wrong import path would make every rule below pass vacuously
        assertThat(MAIN_CLASSES.contain("org.jalign.lm.LanguageModel")).isTrue();
        assertThat(MAIN_CLASSES.contain("org.jalign.cli.Main")).isTrue();
        assertThat(MAIN_CLASSES.stream().map(JavaClass::getName)).noneMatch(n -> n.endsWith("Test"));
    }

    @Test
    void everyTopLevelPackageHasAKnownRole() {
        Set<String> known = new TreeSet<>(concat(concat(STAGES, FOUNDATIONS), TOOLS));
        Set<String> found = new TreeSet<>();
        for (JavaClass c : MAIN_CLASSES) {
            String rest = c.getPackageName().equals(ROOT) ? "" : c.getPackageName().substring(ROOT.length() + 1);
            found.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
        }
        assertThat(found)
                .as("each package under org.jalign must be a stage, a foundation (lm, data, run) or a tool "
                        + "(cli, bench) of STYLE.md; add a new one to ArchitectureTest so the rules cover it")
                .isSubsetOf(known);
    }

    @Test
    void everyMainPackageHasAPackageInfo() throws IOException {
        // package-info.class only exists for annotated packages, so this reads the sources
        Path sources = Path.of("src/main/java");
        assertThat(sources).as("run from the core module directory (as Maven does)").isDirectory();
        List<Path> missing = new ArrayList<>();
        try (Stream<Path> dirs = Files.walk(sources)) {
            for (Path dir : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                boolean hasJava;
                try (Stream<Path> files = Files.list(dir)) {
                    hasJava = files.anyMatch(f -> f.toString().endsWith(".java"));
                }
                if (hasJava && !Files.exists(dir.resolve("package-info.java"))) {
                    missing.add(sources.relativize(dir));
                }
            }
        }
        assertThat(missing).as("packages without a package-info.java (STYLE.md: each package explains itself)")
                .isEmpty();
    }

    /** lm and data are the bottom: they know nothing of the pipeline built on them. */
    @Test
    void lmDependsOnNoStageNorOnRunCliOrBench() {
        check(noClasses().that().resideInAPackage(pkg("lm"))
                .should().dependOnClassesThat().resideInAnyPackage(pkgs(concat(STAGES, List.of("run", "cli", "bench"))))
                .because("lm is the inference core every stage builds on (STYLE.md: cli → stages → lm/data)"));
    }

    @Test
    void dataDependsOnNoStageNorOnLmRunCliOrBench() {
        check(noClasses().that().resideInAPackage(pkg("data"))
                .should().dependOnClassesThat()
                .resideInAnyPackage(pkgs(concat(STAGES, List.of("lm", "run", "cli", "bench"))))
                .because("data is JSONL on disk and knows nothing about models or stages (data/package-info.java)"));
    }

    /** run (progress, manifests, checkpoints) is used by stages, so it must not use them. */
    @Test
    void runDependsOnNoStageNorOnCliOrBench() {
        check(noClasses().that().resideInAPackage(pkg("run"))
                .should().dependOnClassesThat().resideInAnyPackage(pkgs(concat(STAGES, TOOLS)))
                .because("stages build on run, so run must not build on them"));
    }

    @Test
    void nothingButCliDependsOnCli() {
        check(noClasses().that().resideOutsideOfPackage(pkg("cli"))
                .should().dependOnClassesThat().resideInAPackage(pkg("cli"))
                .because("cli is the top of the dependency graph (cli/package-info.java)"));
    }

    @Test
    void nothingButCliDependsOnBench() {
        check(noClasses().that().resideOutsideOfPackages(pkg("cli"), pkg("bench"))
                .should().dependOnClassesThat().resideInAPackage(pkg("bench"))
                .because("benchmarks are run from the CLI, never used by the pipeline (bench/package-info.java)"));
    }

    @Test
    void nothingButCliDependsOnDemo() {
        check(noClasses().that().resideOutsideOfPackages(pkg("cli"), pkg("demo"))
                .should().dependOnClassesThat().resideInAPackage(pkg("demo"))
                .because("the demo orchestrates the stages and is run from the CLI (demo/package-info.java)"));
    }

    /**
     * A stage may use another stage's public API (the classes of its top-level package, e.g.
     * {@code org.jalign.reward.RewardFunction} from ppo), never its internals: anything in a
     * subpackage of it. Package-private classes are already out of reach for the compiler.
     * Mutual use between stages is ruled out by {@link #topLevelPackagesAreFreeOfCycles}.
     */
    @Test
    void noStageDependsOnAnotherStagesInternals() {
        check(classes().that().resideInAnyPackage(pkgs(STAGES))
                .should(notDependOnAnotherStagesInternals())
                .because("a stage never imports another stage's internals (STYLE.md)"));
    }

    private static ArchCondition<JavaClass> notDependOnAnotherStagesInternals() {
        return new ArchCondition<>("not depend on a subpackage of another stage") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                String own = stageOf(origin.getPackageName());
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    String target = dependency.getTargetClass().getPackageName();
                    String other = stageOf(target);
                    if (other != null && !other.equals(own) && !target.equals(ROOT + "." + other)) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                }
            }
        };
    }

    /** The stage a package belongs to, or null. */
    private static String stageOf(String packageName) {
        for (String stage : STAGES) {
            String root = ROOT + "." + stage;
            if (packageName.equals(root) || packageName.startsWith(root + ".")) {
                return stage;
            }
        }
        return null;
    }

    /**
     * Constitutional AI hands its results to the other stages as files (sft.jsonl, pairs in
     * feedback export's format), not as classes; of the stages it uses only sft's encoder, so its
     * prompts render exactly as SFT trains on them.
     */
    @Test
    void constitutionUsesNoStageButSft() {
        check(noClasses().that().resideInAPackage(pkg("constitution"))
                .should().dependOnClassesThat().resideInAnyPackage(pkgs(STAGES.stream()
                        .filter(s -> !s.equals("constitution") && !s.equals("sft")).toList()))
                .because("constitution writes SFT data and preference pairs that the other stages read from disk"));
    }

    /**
     * Evaluation measures policies through the reward stage's public seam ({@code RewardFunction},
     * {@code RewardModel}, {@code ClassifierReward}) and no other stage, so it can judge the output
     * of any trainer without knowing how it was trained.
     */
    @Test
    void evalUsesNoStageButRewardsPublicApi() {
        List<String> others = STAGES.stream().filter(s -> !s.equals("eval") && !s.equals("reward")).toList();
        check(noClasses().that().resideInAPackage(pkg("eval"))
                .should().dependOnClassesThat().resideInAnyPackage(pkgs(others))
                .because("eval reads completions and scores, never a trainer's internals (eval/package-info.java)"));
        check(noClasses().that().resideInAPackage(pkg("eval"))
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".reward.*..")
                .because("eval uses the reward stage's top-level API only"));
    }

    /**
     * lm's subpackages form layers: the building blocks (safetensors, optim, tokenizer) use no
     * other subpackage; the model families may use LoRA but not the checkpoint format (weights
     * reach them through the {@code TensorSource} seam); train builds on optim, safetensors and
     * the lm root. No cycles among them.
     */
    @Test
    void lmSubpackagesFormLayers() {
        check(slices().matching(ROOT + ".lm.(*)..").namingSlices("lm.$1").should().beFreeOfCycles());
        for (String block : List.of("optim", "tokenizer")) {
            check(noClasses().that().resideInAPackage(pkg("lm." + block))
                    .should().dependOnClassesThat().resideInAnyPackage(
                            pkg("lm.llama"), pkg("lm.gpt2"), pkg("lm.lora"), pkg("lm.train"), pkg("lm.safetensors")));
        }
        check(noClasses().that().resideInAnyPackage(pkg("lm.llama"), pkg("lm.gpt2"))
                .should().dependOnClassesThat().resideInAnyPackage(pkg("lm.safetensors"), pkg("lm.train"),
                        pkg("lm.optim"), pkg("lm.tokenizer"))
                .because("model families reach weights only through lm's seams"));
    }

    @Test
    void llamaAndGpt2DoNotDependOnEachOther() {
        // stated on its own, so it holds even if lm's subpackages are later allowed to share code
        check(CompositeArchRule
                .of(noClasses().that().resideInAPackage(pkg("lm.llama"))
                        .should().dependOnClassesThat().resideInAPackage(pkg("lm.gpt2")))
                .and(noClasses().that().resideInAPackage(pkg("lm.gpt2"))
                        .should().dependOnClassesThat().resideInAPackage(pkg("lm.llama"))));
    }

    @Test
    void safetensorsDependsOnNothingElseInJalign() {
        check(noClasses().that().resideInAPackage(pkg("lm.safetensors"))
                .should().dependOnClassesThat(DescribedPredicate.describe(
                        "reside in org.jalign outside org.jalign.lm.safetensors",
                        c -> c.getPackageName().startsWith(ROOT)
                                && !(c.getPackageName() + ".").startsWith(ROOT + ".lm.safetensors.")))
                .because("the checkpoint format is a standalone reader/writer (lm/safetensors/package-info.java)"));
    }

    @Test
    void kernelDependsOnNothingElseInJalign() {
        check(noClasses().that().resideInAPackage(pkg("lm.kernel"))
                .should().dependOnClassesThat(DescribedPredicate.describe(
                        "reside in org.jalign outside org.jalign.lm.kernel",
                        c -> c.getPackageName().startsWith(ROOT)
                                && !(c.getPackageName() + ".").startsWith(ROOT + ".lm.kernel.")))
                .because("the decode kernels are plain math on arrays that the model families build on "
                        + "(lm/kernel/package-info.java)"));
    }

    /** Outside lm, a model is a LanguageModel or a DecoderModel, never a LlamaModel or Gpt2Model. */
    @Test
    void modelFamiliesAreReachedOnlyThroughLm() {
        check(noClasses().that().resideOutsideOfPackage(pkg("lm"))
                .should().dependOnClassesThat().resideInAnyPackage(pkg("lm.llama"), pkg("lm.gpt2"))
                .because("the seams DecoderModel and LanguageModel keep stages independent of the architecture"));
    }

    @Test
    void topLevelPackagesAreFreeOfCycles() {
        check(slices().matching(ROOT + ".(*)..").namingSlices("$1")
                .should().beFreeOfCycles()
                .because("dependencies point one way: cli → stages → lm/data (STYLE.md)"));
    }

    private static void check(ArchRule rule) {
        rule.allowEmptyShould(true).check(MAIN_CLASSES);
    }
}
