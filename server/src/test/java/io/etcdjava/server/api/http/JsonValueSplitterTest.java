package io.etcdjava.server.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonValueSplitterTest {
    private final List<String> values = new ArrayList<>();
    private final JsonValueSplitter splitter = new JsonValueSplitter(64, values::add);

    private void feed(String s) {
        splitter.feed(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void concatenatedObjectsComeOutOneByOneWhateverTheSeparator() {
        feed("{\"a\":1}{\"b\":{\"c\":[1,2]}}\n  {\"d\":\"}{\"}");
        assertThat(splitter.finish()).isTrue();
        assertThat(values).containsExactly("{\"a\":1}", "{\"b\":{\"c\":[1,2]}}", "{\"d\":\"}{\"}");
    }

    @Test
    void aValueSplitAcrossChunksIsEmittedWhenItsLastByteArrives() {
        feed("{\"k\":\"a\\\"");
        assertThat(values).isEmpty();
        feed("}\"}");
        assertThat(values).containsExactly("{\"k\":\"a\\\"}\"}");
    }

    @Test
    void aTrailingScalarEndsAtTheEndOfTheBody() {
        feed("{} 12");
        assertThat(values).containsExactly("{}");
        assertThat(splitter.finish()).isTrue();
        assertThat(values).containsExactly("{}", "12");
    }

    @Test
    void anUnfinishedValueAtTheEndIsReported() {
        feed("{\"create_request\":");
        assertThat(splitter.finish()).isFalse();
        assertThat(values).isEmpty();
    }

    @Test
    void anOverlongValueIsRefused() {
        assertThatThrownBy(() -> feed("{\"k\":\"" + "x".repeat(100)))
                .isInstanceOf(JsonValueSplitter.TooLargeException.class);
    }
}
