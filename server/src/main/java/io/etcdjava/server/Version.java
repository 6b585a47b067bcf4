package io.etcdjava.server;

import java.util.Locale;

/**
 * The versions this server reports: to clients ({@code /version}, Status RPC), in logs and in
 * {@code etcd --version}. One place, because clients gate features on them.
 */
public final class Version {
    private Version() {
    }

    /** The etcd server version we behave as. */
    public static final String SERVER = "3.5.0";
    /** The cluster version we announce (major.minor.0, like etcd). */
    public static final String CLUSTER = "3.5.0";
    /** The lowest cluster version we can join. */
    public static final String MIN_CLUSTER = "3.0.0";
    /** Build revision; the packaging may set the {@code etcdjava.git-sha} system property. */
    public static final String GIT_SHA = System.getProperty("etcdjava.git-sha", "Not provided");

    /** Go's GOOS/GOARCH spelling of the running platform, e.g. "linux/amd64". */
    public static String osArch() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String goos = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "darwin"
                : os.startsWith("windows") ? "windows" : os.replace(' ', '_');
        String arch = System.getProperty("os.arch", "");
        String goarch = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            default -> arch;
        };
        return goos + "/" + goarch;
    }

    public static String javaVersion() {
        return Runtime.version().toString();
    }

    /** What {@code etcd --version} prints, newline-terminated lines. */
    public static String versionText() {
        return "etcd Version: " + SERVER + "\n"
                + "Git SHA: " + GIT_SHA + "\n"
                + "Java Version: " + javaVersion() + "\n"
                + "Go OS/Arch: " + osArch() + "\n";
    }
}
