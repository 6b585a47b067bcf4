package io.etcdjava.server.api.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * gRPC's wire format over HTTP/2 for the services we frame ourselves ({@link WatchHttpService},
 * {@link UnaryHttpService}): content types, the 5-byte length prefix, gzip, statuses in trailers,
 * with the texts grpc-go's server uses so clients print what they print against etcd.
 */
final class GrpcFrames {
    /** The response content type. */
    static final String CONTENT_TYPE = "application/grpc+proto";
    /** Bytes before each message: compressed flag, then its length (big-endian). */
    static final int PREFIX = 5;

    private GrpcFrames() {
    }

    /** application/grpc or application/grpc+proto; anything else gets HTTP 415, as grpc-go. */
    static boolean isGrpcProto(MediaType type) {
        return type != null && "application".equals(type.type())
                && ("grpc".equals(type.subtype()) || "grpc+proto".equals(type.subtype()));
    }

    /** HTTP 415 for a request that is not gRPC over protobuf (as grpc-go answers), or null. */
    static HttpResponse refuseContentType(HttpRequest req) {
        MediaType type = req.contentType();
        return isGrpcProto(type) ? null : HttpResponse.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                MediaType.PLAIN_TEXT_UTF_8, "invalid gRPC request content-type %s", type);
    }

    /** The status for a request whose grpc-encoding we cannot read, or null (none, identity, gzip). */
    static Status unsupportedEncoding(String encoding) {
        if (encoding == null || "identity".equals(encoding) || "gzip".equals(encoding)) {
            return null;
        }
        return Status.UNIMPLEMENTED.withDescription(
                "grpc: Decompressor is not installed for grpc-encoding \"" + encoding + "\"");
    }

    /** The length of the message whose prefix starts at {@code pos}; refuses one over {@code max}. */
    static int messageLength(byte[] buf, int pos, int max) {
        int size = ((buf[pos + 1] & 0xff) << 24) | ((buf[pos + 2] & 0xff) << 16)
                | ((buf[pos + 3] & 0xff) << 8) | (buf[pos + 4] & 0xff);
        if (size < 0 || size > max) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("grpc: received message larger than max ("
                    + Integer.toUnsignedString(size) + " vs. " + max + ")").asRuntimeException();
        }
        return size;
    }

    /** Parses the message of {@code size} bytes at {@code off} whose prefix starts at {@code off - 5}. */
    static <T> T parse(Parser<T> parser, byte[] buf, int off, int size, boolean gzip, int max) {
        boolean compressed = buf[off - PREFIX] != 0;
        try {
            if (!compressed) {
                return parser.parseFrom(CodedInputStream.newInstance(buf, off, size));
            }
            if (!gzip) {
                throw Status.INTERNAL.withDescription(
                        "grpc: compressed flag set with identity or empty encoding").asRuntimeException();
            }
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(buf, off, size))) {
                byte[] plain = in.readNBytes(max + 1);
                if (plain.length > max) {
                    throw Status.RESOURCE_EXHAUSTED.withDescription(
                            "grpc: received message after decompression larger than max (" + max + ")")
                            .asRuntimeException();
                }
                return parser.parseFrom(plain);
            }
        } catch (InvalidProtocolBufferException e) {
            throw Status.INTERNAL.withDescription("grpc: failed to unmarshal the received message: "
                    + e.getMessage()).asRuntimeException();
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription("grpc: failed to decompress the received message: "
                    + e.getMessage()).asRuntimeException();
        }
    }

    /** Writes {@code message} with its prefix at {@code pos} of {@code buf}, which has room for it. */
    static void write(MessageLite message, int size, byte[] buf, int pos) {
        buf[pos] = 0; // not compressed
        buf[pos + 1] = (byte) (size >>> 24);
        buf[pos + 2] = (byte) (size >>> 16);
        buf[pos + 3] = (byte) (size >>> 8);
        buf[pos + 4] = (byte) size;
        CodedOutputStream out = CodedOutputStream.newInstance(buf, pos + PREFIX, size);
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize " + message.getClass().getSimpleName(), e);
        }
    }

    /** One message, framed. */
    static byte[] frame(MessageLite message) {
        int size = message.getSerializedSize();
        byte[] buf = new byte[PREFIX + size];
        write(message, size, buf, 0);
        return buf;
    }

    /** The trailers that end a call with {@code status}. */
    static HttpHeaders trailers(Status status) {
        return status.getDescription() == null
                ? HttpHeaders.of("grpc-status", Integer.toString(status.getCode().value()))
                : HttpHeaders.of("grpc-status", Integer.toString(status.getCode().value()),
                        "grpc-message", percentEncode(status.getDescription()));
    }

    /** A response that is only headers, carrying {@code status} (gRPC's "trailers-only"). */
    static ResponseHeaders trailersOnly(Status status) {
        return ResponseHeaders.builder(HttpStatus.OK)
                .add("content-type", CONTENT_TYPE)
                .add(trailers(status))
                .endOfStream(true)
                .build();
    }

    /** gRPC's grpc-message encoding: UTF-8, with bytes outside printable ASCII and '%' as %XX. */
    static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
