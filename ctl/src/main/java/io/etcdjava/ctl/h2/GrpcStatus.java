package io.etcdjava.ctl.h2;

import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** gRPC-over-HTTP/2 status rules: trailers, HTTP status fallback, HTTP/2 error codes. */
final class GrpcStatus {
  private GrpcStatus() {}

  /** The status a response's trailers (or trailers-only headers) carry. */
  static Status fromTrailers(List<Header> trailers, int httpStatus) {
    String code = value(trailers, "grpc-status");
    if (code == null) {
      if (httpStatus != 200 && httpStatus != 0) {
        return fromHttpStatus(httpStatus);
      }
      return Status.UNKNOWN.withDescription("missing GRPC status in response");
    }
    Status st;
    try {
      st = Status.fromCodeValue(Integer.parseInt(code.trim()));
    } catch (NumberFormatException e) {
      return Status.UNKNOWN.withDescription("invalid grpc-status: " + code);
    }
    String msg = value(trailers, "grpc-message");
    return msg == null ? st : st.withDescription(percentDecode(msg));
  }

  /** The response's {@code :status}; 0 when it is missing or not a number. */
  static int httpStatus(List<Header> headers) {
    String s = value(headers, ":status");
    try {
      return s == null ? 0 : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** What grpc reports for a stream the server reset with this HTTP/2 error code. */
  static Status fromReset(int code) {
    return fromHttp2Error(code).withDescription("Received Rst Stream: " + http2ErrorName(code));
  }

  static String value(List<Header> headers, String name) {
    for (Header h : headers) {
      if (h.name().equals(name)) {
        return h.value();
      }
    }
    return null;
  }

  /** grpc-message is percent-encoded UTF-8; a malformed escape is kept as-is. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          b.write(hi << 4 | lo);
          i += 2;
          continue;
        }
      }
      b.write((byte) c);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  /** grpc's mapping of an HTTP status without grpc-status to a code. */
  static Status fromHttpStatus(int http) {
    Status.Code c = switch (http) {
      case 400 -> Status.Code.INTERNAL;
      case 401 -> Status.Code.UNAUTHENTICATED;
      case 403 -> Status.Code.PERMISSION_DENIED;
      case 404 -> Status.Code.UNIMPLEMENTED;
      case 429, 502, 503, 504 -> Status.Code.UNAVAILABLE;
      default -> Status.Code.UNKNOWN;
    };
    return Status.fromCode(c).withDescription("HTTP status code " + http);
  }

  /** grpc's mapping of an RST_STREAM or GOAWAY error code to a status code. */
  static Status fromHttp2Error(int code) {
    return switch (code) {
      case FrameCodec.REFUSED_STREAM -> Status.UNAVAILABLE;
      case FrameCodec.CANCEL -> Status.CANCELLED;
      case FrameCodec.ENHANCE_YOUR_CALM -> Status.RESOURCE_EXHAUSTED;
      case 0xc -> Status.PERMISSION_DENIED; // INADEQUATE_SECURITY
      default -> Status.INTERNAL;
    };
  }

  static String http2ErrorName(int code) {
    String[] names = {"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
        "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR",
        "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"};
    return code >= 0 && code < names.length ? names[code] : "0x" + Integer.toHexString(code);
  }
}
