package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * https endpoints stay on the Netty transport: real etcd serving TLS with a self-signed certificate
 * (openssl), our etcdctl and Go's with the same flags give the same output.
 */
@Timeout(120)
class TlsEndpointTest {
  private static Path dir;
  private static Process etcd;
  private static String endpoint;
  private static String cacert;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(new File("/usr/bin/openssl").canExecute(), "openssl is needed to make a certificate");
    dir = Files.createTempDirectory("etcdctl-tls");
    Process gen = new ProcessBuilder("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
        .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(gen.waitFor(60, TimeUnit.SECONDS) && gen.exitValue() == 0).as("openssl").isTrue();
    cacert = dir.resolve("cert.pem").toString();
    int client = RealEtcd.closedPort();
    int peer = RealEtcd.closedPort();
    endpoint = "https://127.0.0.1:" + client;
    String p = "http://127.0.0.1:" + peer;
    etcd = new ProcessBuilder(List.of(RealEtcd.ETCD, "--name", "tls", "--data-dir", dir.resolve("d").toString(),
        "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint, "--cert-file", cacert,
        "--key-file", dir.resolve("key.pem").toString(), "--listen-peer-urls", p, "--initial-advertise-peer-urls", p,
        "--initial-cluster", "tls=" + p))
        .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!healthy()) {
      if (!etcd.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("etcd did not become healthy on " + endpoint);
      }
      etcd.waitFor(50, TimeUnit.MILLISECONDS);
    }
  }

  private static boolean healthy() {
    Golden.Result r;
    try {
      r = Golden.go(List.of("--endpoints=" + endpoint, "--cacert=" + cacert, "--command-timeout=1s",
          "endpoint", "health"), "", Map.of());
    } catch (Exception e) {
      return false;
    }
    return r.code() == 0;
  }

  @AfterAll
  static void stop() throws Exception {
    if (etcd != null) {
      etcd.destroy();
      if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
        etcd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (dir != null) {
      try (var w = Files.walk(dir)) {
        w.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static void same(List<String> args) throws Exception {
    Golden.Result go = Golden.go(args, "", Map.of()).normalised();
    Golden.Result ours = Golden.ours(args, "", Map.of()).normalised();
    assertThat(ours).isEqualTo(go);
  }

  @Test
  void putAndGetOverTlsWithTheCaCertificate() throws Exception {
    String eps = "--endpoints=" + endpoint;
    same(List.of(eps, "--cacert=" + cacert, "put", "tls/k", "v"));
    same(List.of(eps, "--cacert=" + cacert, "get", "tls/k"));
    same(List.of(eps, "--cacert=" + cacert, "get", "tls/k", "-w", "json"));
    same(List.of("--endpoints=https://localhost:" + endpoint.substring(endpoint.lastIndexOf(':') + 1),
        "--cacert=" + cacert, "get", "tls/k"));
  }

  @Test
  void insecureSkipTlsVerifyRelaxesOnlyATlsConfigurationAskedFor() throws Exception {
    same(List.of("--endpoints=" + endpoint, "--insecure-skip-tls-verify", "--insecure-transport=false",
        "get", "tls/none"));
    // an https:// endpoint alone verifies against the system roots, and fails on a self-signed certificate
    same(List.of("--endpoints=" + endpoint, "--insecure-skip-tls-verify", "--command-timeout=2s", "get", "tls/none"));
  }
}
