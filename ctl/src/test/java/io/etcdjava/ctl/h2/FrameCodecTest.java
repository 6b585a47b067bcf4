package io.etcdjava.ctl.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FrameCodecTest {
  @Test
  void aFrameRoundTripsWithItsNineOctetHeader() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] p = {1, 2, 3, 4, 5};
    FrameCodec.write(out, Frame.DATA, Frame.END_STREAM, 0x7fff_fffd, p, 1, 3);
    byte[] wire = out.toByteArray();
    assertThat(wire).startsWith(0, 0, 3, 0, 1, 0x7f, 0xff - 256, 0xff - 256, 0xfd - 256);
    Frame f = FrameCodec.read(new ByteArrayInputStream(wire), 16_384);
    assertThat(f.type()).isEqualTo(Frame.DATA);
    assertThat(f.has(Frame.END_STREAM)).isTrue();
    assertThat(f.streamId()).isEqualTo(0x7fff_fffd);
    assertThat(f.payload()).containsExactly(2, 3, 4);
  }

  @Test
  void theReservedStreamIdBitIsIgnoredOnRead() throws IOException {
    byte[] wire = {0, 0, 0, Frame.PING, 0, (byte) 0x80, 0, 0, 3};
    assertThat(FrameCodec.read(new ByteArrayInputStream(wire), 16_384).streamId()).isEqualTo(3);
  }

  @Test
  void aFrameOverTheMaximumSizeIsAFrameSizeError() {
    byte[] wire = {0, 0x40, 1, Frame.DATA, 0, 0, 0, 0, 1};
    assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(wire), 16_384))
        .isInstanceOfSatisfying(H2Exception.class, e -> assertThat(e.code).isEqualTo(FrameCodec.FRAME_SIZE_ERROR));
  }

  @Test
  void aTruncatedFrameIsEndOfStream() {
    byte[] wire = {0, 0, 5, Frame.DATA, 0, 0, 0, 0, 1, 9, 9};
    assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(wire), 16_384)).isInstanceOf(EOFException.class);
  }

  @Test
  void paddingAndPriorityFieldsAreStrippedFromContent() throws H2Exception {
    // DATA, padded: pad length 2, "ab", 2 octets of padding
    Frame data = new Frame(Frame.DATA, Frame.PADDED, 1, new byte[] {2, 'a', 'b', 0, 0});
    assertThat(FrameCodec.content(data)).containsExactly(1, 2);
    // HEADERS, padded + priority: pad length 1, 5 octets priority, "x", 1 octet padding
    Frame headers = new Frame(Frame.HEADERS, Frame.PADDED | Frame.PRIORITY_FLAG, 1,
        new byte[] {1, 0, 0, 0, 3, 16, 'x', 0});
    assertThat(FrameCodec.content(headers)).containsExactly(6, 1);
    Frame bad = new Frame(Frame.DATA, Frame.PADDED, 1, new byte[] {9, 'a'});
    assertThatThrownBy(() -> FrameCodec.content(bad)).isInstanceOf(H2Exception.class);
  }

  @Test
  void settingsAreSixOctetsPerParameter() {
    byte[] p = FrameCodec.settings(FrameCodec.SETTINGS_INITIAL_WINDOW_SIZE, 0x0102_0304, FrameCodec.SETTINGS_ENABLE_PUSH, 0);
    assertThat(p).containsExactly(0, 4, 1, 2, 3, 4, 0, 2, 0, 0, 0, 0);
  }

  @Test
  void grpcTimeoutUsesAtMostEightDigits() {
    assertThat(H2Call.timeout(5_000_000_000L)).isEqualTo("5000000u");
    assertThat(H2Call.timeout(1)).isEqualTo("1n");
    assertThat(H2Call.timeout(99_999_999L)).isEqualTo("99999999n");
    assertThat(H2Call.timeout(3_600_000_000_000_000L)).isEqualTo("3600000S");
  }

  @Test
  void trailersCarryTheStatusWithAPercentDecodedMessage() {
    Status st = GrpcStatus.fromTrailers(List.of(new Header("grpc-status", "5"),
        new Header("grpc-message", "etcdserver: key not found %E2%9C%93 100%")), 200);
    assertThat(st.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(st.getDescription()).isEqualTo("etcdserver: key not found \u2713 100%");
    assertThat(GrpcStatus.fromTrailers(List.of(), 404).getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(GrpcStatus.fromTrailers(List.of(), 200).getCode()).isEqualTo(Status.Code.UNKNOWN);
  }
}
