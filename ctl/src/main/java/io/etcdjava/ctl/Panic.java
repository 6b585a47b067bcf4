package io.etcdjava.ctl;

/** Where etcdctl 3.4 itself crashes, the Go runtime's panic text on stderr and its exit code 2. */
final class Panic {
  static final int EXIT_CODE = 2;

  private Panic() {}

  /** A nil pointer dereference in etcdctl; the stack trace is left out. */
  static CtlExit nilPointer(Io io) {
    io.err("panic: runtime error: invalid memory address or nil pointer dereference\n"
        + "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]\n\ngoroutine 1 [running]:\n");
    return new CtlExit(EXIT_CODE);
  }
}
