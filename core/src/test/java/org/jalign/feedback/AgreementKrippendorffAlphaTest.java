package org.jalign.feedback;

import org.jalign.feedback.KrippendorffAlpha.Metric;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AgreementKrippendorffAlphaTest {

    /**
     * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
     * 12 units, values 1..5, missing data (null). Also the example of Krippendorff (2019),
     * "Content Analysis", 4th ed., ch. 12.
     */
    private static final Integer[][] KRIPPENDORFF_2011 = {
            {1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null},   // observer A
            {1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3},         // observer B
            {null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null},      // observer C
            {1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null},         // observer D
    };

    @Test
    void krippendorff2011NominalExampleIs0743() {
        // By hand: unit 12 has one value and is not pairable; the other 11 units hold n = 40 values.
        // Value totals n_c: 1 → 9, 2 → 13, 3 → 10, 4 → 5, 5 → 3 (Σ = 40).
        // Diagonal of the coincidence matrix (agreeing pairs, each unit's pairs weighted 1/(m_u − 1)):
        //   o_11 = 3 (unit 1: 3 values, 6 ordered pairs / 2) + 3 (unit 8: three 1s among 4 values, 6/3) + 1 (unit 11) = 7
        //   o_22 = 2 (unit 2) + 4 (unit 5) + 4 (unit 9) = 10        o_33 = 4 (unit 3) + 4 (unit 4) = 8
        //   o_44 = 4 (unit 7)                                        o_55 = 3 (unit 10)
        //   Σ o_cc = 32
        // Nominal α = 1 − (n − 1)(n − Σ o_cc) / (n² − Σ n_c²) = 1 − 39·8 / (1600 − 384) = 1 − 312/1216 = 0.743421…
        double alpha = KrippendorffAlpha.alpha(units(KRIPPENDORFF_2011), Metric.NOMINAL);

        assertThat(alpha).isCloseTo(1 - 312.0 / 1216, within(1e-12));
        assertThat(alpha).isCloseTo(0.743, within(5e-4));
    }

    @Test
    void krippendorff2011OrdinalAndIntervalExamples() {
        // The same paper reports ordinal α = 0.815 and interval α = 0.849 for these data.
        assertThat(KrippendorffAlpha.alpha(units(KRIPPENDORFF_2011), Metric.ORDINAL)).isCloseTo(0.815, within(5e-4));
        assertThat(KrippendorffAlpha.alpha(units(KRIPPENDORFF_2011), Metric.INTERVAL)).isCloseTo(0.849, within(5e-4));
    }

    @Test
    void wikipediaComputationalExample() {
        // en.wikipedia.org/wiki/Krippendorff's_alpha, "A computational example": 3 coders, 15 units,
        // nominal α = 0.691 (= 1 − (n−1)(n − Σo_cc)/(n² − Σn_c²) with n = 26, Σo_cc = 20,
        // n_c = 7, 4, 10, 5: 1 − 25·6/(676 − 190) = 1 − 150/486 = 0.691358…), interval α = 0.811.
        Integer[][] data = {
                {null, null, null, null, null, 3, 4, 1, 2, 1, 1, 3, 3, null, 3},
                {1, null, 2, 1, 3, 3, 4, 3, null, null, null, null, null, null, null},
                {null, null, 2, 1, 3, 4, 4, null, 2, 1, 1, 3, 3, null, 4},
        };

        assertThat(KrippendorffAlpha.alpha(units(data), Metric.NOMINAL)).isCloseTo(1 - 150.0 / 486, within(1e-12));
        assertThat(KrippendorffAlpha.alpha(units(data), Metric.INTERVAL)).isCloseTo(0.811, within(5e-4));
    }

    @Test
    void perfectAgreementIsOneAndNoVariationIsUndefined() {
        assertThat(KrippendorffAlpha.alpha(List.of(new double[] {1, 1}, new double[] {2, 2, 2}), Metric.NOMINAL))
                .isEqualTo(1.0);
        assertThat(KrippendorffAlpha.alpha(List.of(new double[] {1, 1}, new double[] {1, 1}), Metric.NOMINAL)).isNaN();
        assertThat(KrippendorffAlpha.alpha(List.of(new double[] {1}), Metric.NOMINAL)).isNaN();
    }

    @Test
    void pairwiseAlphaOnRankingsByHand() {
        // ann ranks 1, 2, 3 → pairs (0,1) first, (0,2) first, (1,2) first
        // bob ranks 1, 3, 2 → pairs (0,1) first, (0,2) first, (1,2) second
        // units {F, F}, {F, F}, {F, S}: o_FF = 4, o_FS = o_SF = 1, n_F = 5, n_S = 1, n = 6
        // α = 1 − (n − 1)(n − Σo_cc)/(n² − Σn_c²) = 1 − 5·2/(36 − 26) = 0: the 2/3 raw agreement is
        // exactly what chance gives when 5 of 6 judgements say "first".
        Panel panel = Panel.of(
                new Judgement("p", "ann", Criterion.HELPFULNESS, Ranking.of(1, 2, 3)),
                new Judgement("p", "bob", Criterion.HELPFULNESS, Ranking.of(1, 3, 2)));

        AgreementReport report = Agreement.report(panel, FlagPolicy.LOSES_TO_RANKED);

        assertThat(report.pairwise()).isEqualTo(new AgreementCount(2, 3));
        assertThat(report.pairwiseAlpha()).isCloseTo(0.0, within(1e-12));
        assertThat(report.meanKendallTauB()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(report.criterion()).isEqualTo(Criterion.HELPFULNESS);
    }

    /** Coders × units with nulls for missing → one array of present values per unit. */
    static List<double[]> units(Integer[][] codersByUnits) {
        List<double[]> units = new ArrayList<>();
        for (int unit = 0; unit < codersByUnits[0].length; unit++) {
            int u = unit;
            units.add(Arrays.stream(codersByUnits).map(coder -> coder[u]).filter(Objects::nonNull)
                    .mapToDouble(Integer::doubleValue).toArray());
        }
        return units;
    }
}
