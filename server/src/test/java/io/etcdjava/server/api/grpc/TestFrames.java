package io.etcdjava.server.api.grpc;

/** gRPC's length prefix as clients write it, for tests that speak the wire format by hand. */
final class TestFrames {
    private TestFrames() {
    }

    static byte[] frame(boolean compressed, byte[] message) {
        byte[] out = new byte[5 + message.length];
        out[0] = (byte) (compressed ? 1 : 0);
        out[1] = (byte) (message.length >>> 24);
        out[2] = (byte) (message.length >>> 16);
        out[3] = (byte) (message.length >>> 8);
        out[4] = (byte) message.length;
        System.arraycopy(message, 0, out, 5, message.length);
        return out;
    }
}
