package io.etcdjava.testing.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the histories kept in {@code regressions/}: one named {@code *-violation.jsonl} must
 * still be caught, any other must still pass (a checker false alarm that was fixed).
 */
@Timeout(120)
class RegressionHistoriesTest {
    static Stream<Path> histories() throws IOException, URISyntaxException {
        Path dir = Path.of(RegressionHistoriesTest.class.getResource("/regressions").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
            assertThat(all).as("regression histories in " + dir).isNotEmpty();
            return all.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("histories")
    void keptHistoryStillGetsItsVerdict(Path file) {
        Checks.Verdict v = new Checks(Duration.ofSeconds(30), Duration.ofSeconds(20), true).check(History.read(file));
        if (file.getFileName().toString().endsWith("-violation.jsonl")) {
            assertThat(v.violations()).as(file.toString()).isNotEmpty();
        } else {
            assertThat(v.violations()).as(file.toString()).isEmpty();
        }
    }
}
