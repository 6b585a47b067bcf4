package io.etcdjava.ctl.h2;

import io.grpc.Status;
import java.util.List;

/** What a connection's reader thread tells one stream; called on that thread, in frame order. */
interface StreamHandler {
  /** The stream's id on this connection, told before its HEADERS go out (so before any reply); must not lock. */
  void bind(H2Connection conn, int id);

  void onHeaders(List<Header> headers, boolean endStream);

  void onData(byte[] b, int off, int len, boolean endStream);

  /** The server reset the stream with this HTTP/2 error code. */
  void onReset(int errorCode);

  /** The connection failed or went away before the stream ended. */
  void onConnectionClosed(Status status);
}
