package io.vigil.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FingerprintTest {

    @Test
    void isPinnedSoThatItStaysStableAcrossVersions() {
        // Computed independently (FNV-1a 64, name and value each followed by 0xff); changing these breaks
        // every consumer that keys on fingerprints.
        assertThat(Fingerprint.of(Labels.of("alertname", "NodeCpuFarBelowPeers", "instance", "node-12",
                "cluster", "backend", "severity", "page"))).isEqualTo("f6babf7a0cfa119e");
        assertThat(Fingerprint.of(Labels.of("alertname", "HighLatency", "city", "Zürich")))
                .isEqualTo("7a8f0e5cf5e8c9f0");
    }

    @Test
    void theEmptyLabelSetHasTheOffsetBasis() {
        assertThat(Fingerprint.of(Labels.EMPTY)).isEqualTo("cbf29ce484222325");
    }

    @Test
    void isSixteenLowercaseHexDigits() {
        assertThat(Fingerprint.of(Labels.of("a", "b"))).matches("[0-9a-f]{16}");
    }

    @Test
    void theSeparatorKeepsNameAndValueBoundariesApart() {
        assertThat(Fingerprint.of(Labels.of("a", "bc"))).isNotEqualTo(Fingerprint.of(Labels.of("ab", "c")));
        assertThat(Fingerprint.of(Labels.of("a", "b", "c", "d")))
                .isNotEqualTo(Fingerprint.of(Labels.of("a", "b\u00ffc", "d", "")));
    }

    @Test
    void dependsOnTheLabelSetNotOnTheOrderItWasBuiltIn() {
        assertThat(Fingerprint.of(Labels.of("b", "2", "a", "1")))
                .isEqualTo(Fingerprint.of(Labels.of(Map.of("a", "1", "b", "2"))));
    }

    @Test
    void differsWhenAValueDiffers() {
        assertThat(Fingerprint.of(Labels.of("instance", "node-1")))
                .isNotEqualTo(Fingerprint.of(Labels.of("instance", "node-2")));
    }
}
