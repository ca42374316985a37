package org.jalign.lm.optim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Schedules against values worked out by hand from HF's lr_lambda formulas (steps from 0). */
class LearningRateScheduleTest {

    @Test
    void constantIsOneEverywhere() {
        LearningRateSchedule constant = new LearningRateSchedule.Constant();
        assertThat(constant.at(0)).isEqualTo(1.0);
        assertThat(constant.at(1_000_000)).isEqualTo(1.0);
    }

    @Test
    void warmupCosineByHand() {
        // warmup 10, total 110 (100 decay steps), floor 0.1
        LearningRateSchedule schedule = new LearningRateSchedule.WarmupCosine(10, 110, 0.1);
        assertThat(schedule.at(0)).isEqualTo(0.0);                      // warmup start: 0/10
        assertThat(schedule.at(5)).isEqualTo(0.5);                      // 5/10
        assertThat(schedule.at(9)).isCloseTo(0.9, within(1e-15));       // last warmup step: 9/10
        assertThat(schedule.at(10)).isCloseTo(1.0, within(1e-15));      // warmup end: progress 0, ½(1 + cos 0) = 1
        // progress 0.25: ½(1 + cos(π/4)) = ½(1 + 0.70710678) = 0.85355339; 0.1 + 0.9·0.85355339 = 0.86819805
        assertThat(schedule.at(35)).isCloseTo(0.8681980515, within(1e-9));
        // midpoint of the decay, progress 0.5: ½(1 + cos(π/2)) = 0.5; 0.1 + 0.9·0.5 = 0.55
        assertThat(schedule.at(60)).isCloseTo(0.55, within(1e-15));
        assertThat(schedule.at(110)).isCloseTo(0.1, within(1e-15));     // end: ½(1 + cos π) = 0 → floor
        assertThat(schedule.at(500)).isCloseTo(0.1, within(1e-15));     // stays at the floor after the end
    }

    @Test
    void warmupCosineWithoutFloorIsHfCosineSchedule() {
        LearningRateSchedule schedule = new LearningRateSchedule.WarmupCosine(0, 100, 0.0);
        assertThat(schedule.at(0)).isEqualTo(1.0);                     // no warmup: full rate at once
        assertThat(schedule.at(50)).isCloseTo(0.5, within(1e-15));
        // progress 0.75: ½(1 + cos(3π/4)) = ½(1 − 0.70710678) = 0.14644661
        assertThat(schedule.at(75)).isCloseTo(0.1464466094, within(1e-9));
        assertThat(schedule.at(100)).isCloseTo(0.0, within(1e-15));
    }

    @Test
    void warmupLinearByHand() {
        // warmup 10, total 110
        LearningRateSchedule schedule = new LearningRateSchedule.WarmupLinear(10, 110);
        assertThat(schedule.at(0)).isEqualTo(0.0);
        assertThat(schedule.at(4)).isEqualTo(0.4);
        assertThat(schedule.at(10)).isEqualTo(1.0);                    // (110 − 10)/100
        assertThat(schedule.at(35)).isEqualTo(0.75);                   // (110 − 35)/100
        assertThat(schedule.at(60)).isEqualTo(0.5);                    // midpoint
        assertThat(schedule.at(110)).isEqualTo(0.0);                   // end
        assertThat(schedule.at(200)).isEqualTo(0.0);                   // clamped at 0, never negative
    }

    @Test
    void invalidSettingsSayWhatIsAllowed() {
        assertThatThrownBy(() -> new LearningRateSchedule.WarmupLinear(10, 0))
                .hasMessage("schedule.totalSteps must be > 0, got 0");
        assertThatThrownBy(() -> new LearningRateSchedule.WarmupCosine(20, 10, 0))
                .hasMessage("schedule.warmupSteps must be in [0, totalSteps = 10], got 20");
        assertThatThrownBy(() -> new LearningRateSchedule.WarmupCosine(1, 10, 1.5))
                .hasMessageContaining("schedule.floor must be in [0, 1]").hasMessageEndingWith("got 1.5");
        assertThatThrownBy(() -> new LearningRateSchedule.WarmupCosine(1, 10, Double.NaN))
                .hasMessageEndingWith("got NaN");
        assertThatThrownBy(() -> new LearningRateSchedule.Constant().at(-1))
                .hasMessage("schedule step is counted from 0, got -1");
    }
}
