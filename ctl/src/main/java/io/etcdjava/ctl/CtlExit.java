package io.etcdjava.ctl;

/** Ends the command with an exit code, as Go's os.Exit does in etcdctl; the message is already printed. */
final class CtlExit extends RuntimeException {
  static final int SUCCESS = 0;
  static final int ERROR = 1;
  static final int BAD_CONNECTION = 2;
  static final int INVALID_INPUT = 3;
  static final int BAD_FEATURE = 4;
  static final int INTERRUPTED = 5;
  static final int IO = 6;
  static final int BAD_ARGS = 128;

  final int code;

  CtlExit(int code) {
    super(null, null, false, false);
    this.code = code;
  }
}
