package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.MemberListResponse;
import java.util.List;

/** -w table: bordered tables for member and endpoint listings only (printer_table.go). */
final class TablePrinter extends Printer {
  TablePrinter(Io io) {
    super(io, "table");
  }

  @Override
  void memberList(MemberListResponse r) {
    io.out(AsciiTable.render(MEMBER_HDR, memberRows(r)));
  }

  @Override
  void endpointHealth(List<EpHealth> hs) {
    io.out(AsciiTable.render(HEALTH_HDR, healthRows(hs)));
  }

  @Override
  void endpointStatus(List<EpStatus> ss) {
    io.out(AsciiTable.render(STATUS_HDR, statusRows(ss)));
  }

  @Override
  void endpointHashKV(List<EpHashKV> hs) {
    io.out(AsciiTable.render(HASHKV_HDR, hashRows(hs)));
  }
}
