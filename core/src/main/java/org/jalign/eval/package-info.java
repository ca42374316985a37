/**
 * Evaluation: how a policy changed, measured the way TRL and OpenRLHF users expect.
 *
 * <ul>
 *   <li>{@link org.jalign.eval.PolicyEvaluation}: before vs after on one prompt set (same seeded
 *       sampling for every policy): each {@link org.jalign.eval.Scorer}'s mean ± s.e. and flagged
 *       share, length, distinct-n, KL(π ‖ π_ref) by k1 and k3, and win rates against the baseline
 *       by every scorer and every {@link org.jalign.eval.PairwiseJudge}; {@code EvaluationRun}
 *       writes it as a run directory (summary.json, samples.jsonl).</li>
 *   <li>The math, pure and unit-tested: {@link org.jalign.eval.Estimate} (mean, standard error),
 *       {@link org.jalign.eval.Proportion} (Wilson interval), {@link org.jalign.eval.WinRate},
 *       {@link org.jalign.eval.KlEstimate}, {@link org.jalign.eval.Diversity}.</li>
 *   <li>{@link org.jalign.eval.MetricsLog} reads a training run's metrics.jsonl;
 *       {@link org.jalign.eval.SvgChart} draws a metric against the step as a self-contained SVG.</li>
 *   <li>{@link org.jalign.eval.Report}: one self-contained HTML file (and its Markdown twin) from an
 *       evaluation run and training runs, every model text escaped.</li>
 * </ul>
 *
 * <p>Dependencies: {@code lm} (generation, log-probs), {@code data} (JSONL, chat templates,
 * atomic files), {@code run} (run directories, progress) and {@code reward}'s public seam
 * ({@code RewardFunction}, {@code RewardModel}, {@code ClassifierReward}).
 */
package org.jalign.eval;
