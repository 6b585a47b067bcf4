package io.etcdjava.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GoTextTest {

    @Test
    void quote_follows_strconv_quote() {
        assertThat(GoText.quote("a\"b\\c\n\t\u0001é")).isEqualTo("\"a\\\"b\\\\c\\n\\t\\x01é\"");
        assertThat(GoText.quote(List.of("a", "b"))).isEqualTo("[\"a\" \"b\"]");
    }

    @Test
    void durations_parse_like_time_parse_duration() {
        assertThat(GoText.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoText.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoText.parseDuration("100ms")).isEqualTo(Duration.ofMillis(100));
        assertThat(GoText.parseDuration("10us")).isEqualTo(Duration.ofNanos(10_000));
        assertThat(GoText.parseDuration("0")).isEqualTo(Duration.ZERO);
        assertThat(GoText.parseDuration("-2m")).isEqualTo(Duration.ofMinutes(-2));
        assertThatThrownBy(() -> GoText.parseDuration("5")).hasMessage("time: missing unit in duration \"5\"");
        assertThatThrownBy(() -> GoText.parseDuration("5d")).hasMessage("time: unknown unit \"d\" in duration \"5d\"");
        assertThatThrownBy(() -> GoText.parseDuration("abc")).hasMessage("time: invalid duration \"abc\"");
    }

    @Test
    void integers_take_base_prefixes_and_report_syntax_or_range() {
        assertThat(GoText.parseInt("0x1f", false, 0, Long.MAX_VALUE)).isEqualTo(31);
        assertThat(GoText.parseInt("0b101", false, 0, Long.MAX_VALUE)).isEqualTo(5);
        assertThat(GoText.parseInt("0o17", false, 0, Long.MAX_VALUE)).isEqualTo(15);
        assertThat(GoText.parseInt("-12", true, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(-12);
        assertThat(GoText.parseInt("0", false, 0, 10)).isZero();
        assertThatThrownBy(() -> GoText.parseInt("-1", false, 0, 10)).hasMessage("invalid syntax");
        assertThatThrownBy(() -> GoText.parseInt("11", false, 0, 10)).hasMessage("value out of range");
        assertThatThrownBy(() -> GoText.parseInt("1__0", false, 0, 100)).hasMessage("invalid syntax");
        assertThatThrownBy(() -> GoText.parseInt("", false, 0, 100)).hasMessage("invalid syntax");
    }

    @Test
    void ip_literals_are_recognised_without_lookups() {
        assertThat(GoUrls.isIp("127.0.0.1")).isTrue();
        assertThat(GoUrls.isIp("::1")).isTrue();
        assertThat(GoUrls.isIp("fe80::1:2")).isTrue();
        assertThat(GoUrls.isIp("::ffff:10.0.0.1")).isTrue();
        assertThat(GoUrls.isIp("1:2:3:4:5:6:7:8")).isTrue();
        assertThat(GoUrls.isIp("256.0.0.1")).isFalse();
        assertThat(GoUrls.isIp("example.com")).isFalse();
        assertThat(GoUrls.isIp("1:2:3:4:5:6:7:8:9")).isFalse();
        assertThat(GoUrls.isIp("fe80::1%eth0")).isFalse();
    }
}
